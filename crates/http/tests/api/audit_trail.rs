//! The audit trail as an operator relies on it: every event linked into one hash chain (also
//! with two instances writing at once), signed checkpoints, `verify` naming the first entry an
//! attacker with write access to the database altered, deleted, inserted or reordered — edited
//! with the engines' own clients, sqlite3 and psql — and retention that keeps the proof.

use rampart_core::audit::{AuditEvent, Verification, apply_retention, verify_chain};
use rampart_core::unit_of_work::record;
use rampart_crypto::ChainBreak;
use rampart_domain::{AuditAction, BuiltInRole, ManualClock};
use rampart_store::audit::{list_audit_events, list_checkpoints};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, second_instance, spawn_app, spawn_app_with};

/// Records `count` events through the one audit function, as features do.
async fn record_events(app: &TestApp, count: usize) {
    for n in 0..count {
        let event = AuditEvent::failure(AuditAction::AuthnLoginFail).detail("n", n);
        record(&app.state, event).await.unwrap();
    }
}

async fn verify(app: &TestApp) -> Verification {
    verify_chain(&app.db, &app.state_keyring()).await.unwrap()
}

async fn every_event_is_linked_to_the_one_before_and_the_chain_verifies(engine: TestEngine) {
    let app = spawn_app(engine).await;
    record_events(&app, 12).await;

    let events = list_audit_events(&app.db, None).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
    assert_eq!(events[0].prev_hash, vec![0; 32], "the first event follows the genesis hash");
    for pair in events.windows(2) {
        assert_eq!(
            pair[1].prev_hash, pair[0].hash,
            "event {} links to {}",
            pair[1].seq, pair[0].seq
        );
    }
    let Verification::Intact(summary) = verify(&app).await else { panic!("an untouched chain") };
    assert_eq!((summary.entries, summary.head_seq), (12, 12));
}

async fn two_instances_writing_at_once_keep_one_unbroken_chain(engine: TestEngine) {
    let first = spawn_app(engine).await;
    let second = second_instance(&first, engine).await;

    let write = |app: &TestApp| {
        let state = app.state.clone();
        async move {
            for n in 0..40 {
                let event = AuditEvent::success(AuditAction::SessionCreated).detail("n", n);
                record(&state, event).await.unwrap();
            }
        }
    };
    let (a, b) = (tokio::spawn(write(&first)), tokio::spawn(write(&second)));
    let (c, d) = (tokio::spawn(write(&first)), tokio::spawn(write(&second)));
    for task in [a, b, c, d] {
        task.await.unwrap();
    }

    let Verification::Intact(summary) = verify(&first).await else { panic!("one chain") };
    assert_eq!(summary.entries, 160);
    assert!(summary.checkpoints >= 1, "a checkpoint every 100 events: {summary:?}");
}

async fn checkpoints_are_signed_every_n_events_and_a_forged_one_is_named(engine: TestEngine) {
    let options = TestOptions {
        overrides: vec![("audit.checkpoint_every", 5.into())],
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    record_events(&app, 12).await;

    let checkpoints = list_checkpoints(&app.db).await.unwrap();
    assert_eq!(checkpoints.iter().map(|c| c.tree_size).collect::<Vec<_>>(), [5, 10]);
    assert!(matches!(verify(&app).await, Verification::Intact(s) if s.checkpoints == 2));

    app.run_sql("UPDATE audit_checkpoints SET tree_size = 11 WHERE tree_size = 10");
    assert_eq!(
        verify(&app).await,
        Verification::Broken(ChainBreak::BadCheckpoint { tree_size: 11 })
    );
}

async fn an_edited_field_is_named_as_altered(engine: TestEngine) {
    let app = spawn_app(engine).await;
    record_events(&app, 10).await;
    app.run_sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 4");
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Altered { seq: 4 }));
}

async fn a_deleted_entry_is_named(engine: TestEngine) {
    let app = spawn_app(engine).await;
    record_events(&app, 10).await;
    app.run_sql("DELETE FROM audit_events WHERE seq = 6");
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Deleted { seq: 6 }));

    // Hiding the gap by renumbering what follows does not help.
    app.run_sql(
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq > 6; \
         UPDATE audit_events SET seq = seq - 1001 WHERE seq > 1000; \
         UPDATE audit_head SET seq = seq - 1;",
    );
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Deleted { seq: 6 }));
}

async fn an_inserted_entry_is_named(engine: TestEngine) {
    let app = spawn_app(engine).await;
    record_events(&app, 10).await;
    // A forged "successful sign-in" slipped in at position 5, the rest moved up.
    app.run_sql(
        "UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 5; \
         UPDATE audit_events SET seq = seq - 999 WHERE seq > 1000; \
         INSERT INTO audit_events (seq, at, action, outcome, actor_user_id, ip, user_agent, \
             session_hash, target, details, prev_hash, hash) \
           SELECT 5, at, 'authn_login_success', 'success', actor_user_id, ip, user_agent, \
             session_hash, target, details, prev_hash, hash FROM audit_events WHERE seq = 4; \
         UPDATE audit_head SET seq = seq + 1;",
    );
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Inserted { seq: 5 }));
}

async fn swapped_entries_are_named_as_reordered(engine: TestEngine) {
    let app = spawn_app(engine).await;
    record_events(&app, 10).await;
    app.run_sql(
        "UPDATE audit_events SET seq = -3 WHERE seq = 3; \
         UPDATE audit_events SET seq = 3 WHERE seq = 7; \
         UPDATE audit_events SET seq = 7 WHERE seq = -3;",
    );
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Reordered { seq: 3 }));
}

async fn retention_prunes_up_to_a_signed_checkpoint_and_the_rest_still_verifies(
    engine: TestEngine,
) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions {
        overrides: vec![("audit.checkpoint_every", 4.into()), ("audit.retention_days", 30.into())],
        clock: Some(clock.clone()),
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    record_events(&app, 10).await;
    clock.advance(Duration::days(31));
    record_events(&app, 3).await;

    let pruned = apply_retention(&app.state).await.unwrap();

    assert_eq!(pruned, Some(8), "up to the newest checkpoint among the old events");
    let left = list_audit_events(&app.db, None).await.unwrap();
    assert_eq!(left.first().map(|e| e.seq), Some(9));
    assert_eq!(left.last().map(|e| e.entry.action.as_str()), Some("audit_pruned"));
    assert!(matches!(verify(&app).await, Verification::Intact(s) if s.entries == 6));

    app.run_sql("DELETE FROM audit_events WHERE seq = 9");
    assert_eq!(verify(&app).await, Verification::Broken(ChainBreak::Deleted { seq: 9 }));
}

async fn the_trail_is_searchable_by_auditors_only(engine: TestEngine) {
    use crate::people::{bearer, create_user};
    let app = spawn_app(engine).await;
    let officer = create_user(&app, "sec@example.com", &[BuiltInRole::SecurityOfficer]).await;
    create_user(&app, "staff@example.com", &[BuiltInRole::Staff]).await;
    let token = crate::factors::mfa_bearer(&app, "sec@example.com").await;
    let staff = bearer(&app, "staff@example.com").await;
    record_events(&app, 5).await;

    let denied = app.get_with("/api/audit", &staff).await;
    assert_eq!(denied.status(), 403);
    assert_eq!(app.get("/api/audit").await.status(), 401);

    let page: serde_json::Value = app
        .get_with("/api/audit?action=authn_login_fail&limit=3", &token)
        .await
        .json()
        .await
        .unwrap();
    let seqs: Vec<i64> =
        page["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first: {seqs:?}");
    let before = page["next_before"].as_i64().unwrap();
    let rest: serde_json::Value = app
        .get_with(&format!("/api/audit?action=authn_login_fail&limit=3&before={before}"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["events"].as_array().unwrap().len(), 2);
    assert!(rest["next_before"].is_null());

    let mine: serde_json::Value = app
        .get_with(&format!("/api/audit?actor={officer}&outcome=success"), &token)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> =
        mine["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"authn_login_success"), "{actions:?}");
    assert!(mine["events"].as_array().unwrap().iter().all(|e| e["actor"] == officer.to_string()));

    let future = (OffsetDateTime::now_utc() + Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let none: serde_json::Value =
        app.get_with(&format!("/api/audit?since={future}"), &token).await.json().await.unwrap();
    assert_eq!(none["events"].as_array().unwrap().len(), 0);

    // A window given to the second takes in that whole second, and `until` leaves it out: the
    // newest event's own second (SQLite compares the stored text, where "…:22Z" would sort
    // after "…:22.85Z").
    // (The latest time, not the latest position: a writer may take its time before its turn.)
    let events = list_audit_events(&app.db, None).await.unwrap();
    let newest = events.iter().max_by_key(|event| event.entry.at).unwrap();
    let second = newest.entry.at.replace_nanosecond(0).unwrap();
    let text =
        |at: OffsetDateTime| at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let seqs_in = |page: serde_json::Value| -> Vec<i64> {
        page["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect()
    };
    let query = |range: String| {
        let token = token.clone();
        let app = &app;
        async move {
            let page: serde_json::Value =
                app.get_with(&format!("/api/audit?{range}"), &token).await.json().await.unwrap();
            seqs_in(page)
        }
    };
    let next = second + Duration::seconds(1);
    assert!(query(format!("since={}", text(second))).await.contains(&newest.seq));
    assert!(
        query(format!("since={}&until={}", text(second), text(next))).await.contains(&newest.seq)
    );
    assert!(!query(format!("until={}", text(second))).await.contains(&newest.seq));

    for bad in
        ["limit=0", "limit=201", "outcome=maybe", "action=drop_table", "color=red", "before=x"]
    {
        let status = app.get_with(&format!("/api/audit?{bad}"), &token).await.status();
        assert!(matches!(status.as_u16(), 400 | 422), "{bad}: {status}");
    }
    let denials = list_audit_events(&app.db, Some("authz_fail")).await.unwrap();
    assert_eq!(denials.len(), 1, "the staff member's attempt is itself audited");
}

on_both_engines!(
    every_event_is_linked_to_the_one_before_and_the_chain_verifies,
    checkpoints_are_signed_every_n_events_and_a_forged_one_is_named,
    an_edited_field_is_named_as_altered,
    a_deleted_entry_is_named,
    an_inserted_entry_is_named,
    swapped_entries_are_named_as_reordered,
    retention_prunes_up_to_a_signed_checkpoint_and_the_rest_still_verifies,
    the_trail_is_searchable_by_auditors_only,
);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(two_instances_writing_at_once_keep_one_unbroken_chain);
