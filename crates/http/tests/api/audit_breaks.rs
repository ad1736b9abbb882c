//! A broken audit chain, as an attacker with write access to the database leaves it and as the
//! operator recovers from it: a forged entry slipped in mid-chain with its hash computed
//! correctly (the rows after it renumbered, the head left alone) is named as *inserted*; every
//! audited action then fails closed with 503 `audit_unavailable` — never a 500 — and the
//! `audit_chain_broken` alert is raised without writing to the broken chain; `rampart audit
//! new-segment` (here its use case) starts a signed segment that refers to the broken one, after
//! which sign-in works again and the new segment is itself verified.

use rampart_core::audit::{
    AuditEvent, SegmentError, Verification, closed_segments, start_new_segment, verify_chain,
};
use rampart_core::unit_of_work::record;
use rampart_crypto::{ChainBreak, ChainedEvent, link_hash};
use rampart_domain::AuditAction;
use rampart_store::alerts::list_alerts;
use rampart_store::audit::{AuditRow, find_chain_head, list_audit_events};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestApp, error_of, spawn_app};
use crate::people::{PASSWORD, create_user, login};

async fn verify(app: &TestApp) -> Verification {
    verify_chain(&app.db, &app.state_keyring()).await.unwrap()
}

fn blob(engine: TestEngine, bytes: &[u8]) -> String {
    match engine {
        TestEngine::Sqlite => format!("X'{}'", hex::encode(bytes)),
        TestEngine::Postgres => format!("'\\x{}'::bytea", hex::encode(bytes)),
    }
}

/// Slips a forged "successful sign-in" in at `seq`, linked to the entry before it with a correctly
/// computed hash; the entries from `seq` on move up one; the head is left as it was.
async fn slip_in_a_forgery(app: &TestApp, engine: TestEngine, seq: i64) {
    let events = list_audit_events(&app.db, None).await.unwrap();
    let before: &AuditRow = events.iter().find(|e| e.seq == seq - 1).unwrap();
    let actor = before.entry.actor_user_id.map(|id| id.hyphenated().to_string());
    let forged = ChainedEvent {
        at_micros: i64::try_from(before.entry.at.unix_timestamp_nanos() / 1000).unwrap(),
        action: "authn_login_success",
        outcome: "success",
        actor: actor.as_deref(),
        ip: before.entry.ip.as_deref(),
        user_agent: before.entry.user_agent.as_deref(),
        session_hash: before.entry.session_hash.as_deref(),
        target: before.entry.target.as_deref(),
        details: &before.entry.details,
    };
    let hash = link_hash(&before.hash, &forged.canonical());
    app.run_sql(&format!(
        "UPDATE audit_events SET seq = seq + 100000 WHERE seq >= {seq}; \
         UPDATE audit_events SET seq = seq - 99999 WHERE seq > 100000; \
         INSERT INTO audit_events (seq, at, action, outcome, actor_user_id, ip, user_agent, \
             session_hash, target, details, prev_hash, hash) \
           SELECT {seq}, at, 'authn_login_success', 'success', actor_user_id, ip, user_agent, \
             session_hash, target, details, {prev}, {hash} FROM audit_events WHERE seq = {before};",
        prev = blob(engine, &before.hash),
        hash = blob(engine, &hash),
        before = seq - 1,
    ));
}

async fn wait_for_alert(app: &TestApp, rule: &str) {
    for _ in 0..100 {
        let alerts = list_alerts(&app.db, None, None, 100).await.unwrap();
        if alerts.iter().any(|alert| alert.rule == rule) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no {rule} alert within 5 s");
}

async fn a_forged_entry_is_named_inserted_and_audited_actions_fail_closed_until_a_new_segment(
    engine: TestEngine,
) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    for n in 0..8 {
        record(&app.state, AuditEvent::failure(AuditAction::AuthnLoginFail).detail("n", n))
            .await
            .unwrap();
    }
    slip_in_a_forgery(&app, engine, 5).await;

    // The next append finds its position taken: refused, with a clear answer, and nothing done.
    let response = login(&app, "ada@example.com", PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    let (status, body) = error_of(response).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("audit_unavailable")));

    // That collision sets off a verification at once: it marks the trail and raises the alert,
    // neither of which writes to the broken chain.
    wait_for_alert(&app, "audit_chain_broken").await;
    let broken = Verification::Broken(ChainBreak::Inserted { seq: 5 });
    assert_eq!(verify(&app).await, broken, "the forged entry, not its successor");
    assert_eq!(verify(&app).await, broken, "the report does not change by being made");
    assert_eq!(find_chain_head(&app.db).await.unwrap().broken_seq, Some(5));

    // Marked broken: refused before anything is tried, on every audited path.
    let (status, body) = error_of(login(&app, "ada@example.com", PASSWORD).await).await;
    assert_eq!((status, body["code"].as_str()), (503, Some("audit_unavailable")));
    let (status, _) = error_of(login(&app, "ada@example.com", "wrong password!").await).await;
    assert_eq!(status, 503, "a failed sign-in is audited too");

    // The operator's recovery: a new segment, signed, referring to the broken one.
    let last = list_audit_events(&app.db, None).await.unwrap().iter().map(|e| e.seq).max().unwrap();
    let started = start_new_segment(&app.state).await.unwrap();
    assert_eq!((started.segment, started.first_seq, started.broken_seq), (2, last + 1, 5));
    assert_eq!(started.finding, "entry 5 was inserted");
    let Verification::Intact(summary) = verify(&app).await else { panic!("the new segment") };
    assert_eq!(summary.entries, 1, "its first entry: {summary:?}");
    let closed = closed_segments(&app.db).await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!((closed[0].segment, closed[0].broken_seq), (1, 5));
    assert!(matches!(start_new_segment(&app.state).await, Err(SegmentError::Intact)));
    let first = list_audit_events(&app.db, Some("audit_segment_started")).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(first[0].entry.details.contains("entry 5 was inserted"), "{}", first[0].entry.details);

    let response = login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), 200, "audited actions work again");

    // The new segment is watched like the first one.
    app.run_sql(&format!(
        "UPDATE audit_events SET outcome = 'failure' WHERE seq = {}",
        started.first_seq + 1
    ));
    assert_eq!(
        verify(&app).await,
        Verification::Broken(ChainBreak::Altered { seq: started.first_seq + 1 })
    );
}

async fn a_segment_boundary_without_the_audit_key_is_named(engine: TestEngine) {
    let app = spawn_app(engine).await;
    for n in 0..4 {
        record(&app.state, AuditEvent::failure(AuditAction::AuthnLoginFail).detail("n", n))
            .await
            .unwrap();
    }
    app.run_sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 2");
    rampart_core::alerts::verify_and_alert(&app.state).await.unwrap();
    let started = start_new_segment(&app.state).await.unwrap();
    assert!(matches!(verify(&app).await, Verification::Intact(_)));

    // Moving the boundary (to hide later edits as "already acknowledged") breaks its signature.
    app.run_sql("UPDATE audit_segments SET broken_seq = 3");
    assert_eq!(
        verify(&app).await,
        Verification::Broken(ChainBreak::BadSegment { first_seq: started.first_seq })
    );
}

on_both_engines!(
    a_forged_entry_is_named_inserted_and_audited_actions_fail_closed_until_a_new_segment,
    a_segment_boundary_without_the_audit_key_is_named,
);
