//! Incidents and containment over the API: opened, updated and closed by an incident manager
//! with a fresh sign-in; a timeline that holds what happened while the incident was open and
//! nothing from before or after; a forced password reset from the old password to the e-mailed
//! link; and sessions, accounts and API keys stopped on one instance stopping on the other at
//! once.

use rampart_domain::{BuiltInRole, Clock};
use rampart_store::alerts::{NewAlert, insert_alert};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::Duration;
use uuid::Uuid;

use crate::account_emails::link_token;
use crate::factors::{
    alert_raised, app_with_clock, app_with_mail_and_clock, audited, enrol_totp, mfa_bearer,
    post_json, totp_code,
};
use crate::helpers::{TestApp, error_of, second_instance, spawn_app};
use crate::people::{PASSWORD, bearer, create_user, login};

const OFFICER: &str = "officer@incident.test";
const STAFF: &str = "staff@incident.test";

async fn open(app: &TestApp, token: &str, severity: &str, summary: &str) -> (u16, Value) {
    post_json(app, "/api/incidents", token, json!({ "severity": severity, "summary": summary }))
        .await
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .patch(app.at(&format!("/api/incidents/{id}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn contain(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    post_json(app, &format!("/api/incidents/{id}/containment"), token, body).await
}

/// A second-factor session for an incident manager, fresh enough to change things.
async fn officer_session(app: &TestApp, clock: &rampart_domain::ManualClock) -> (String, String) {
    create_user(app, OFFICER, &[BuiltInRole::SecurityOfficer]).await;
    let enrolled = enrol_totp(app, &bearer(app, OFFICER).await, clock.now()).await;
    (enrolled.token, enrolled.secret)
}

async fn incidents_are_opened_updated_and_closed_with_incident_manage_and_a_fresh_sign_in(
    engine: TestEngine,
) {
    let (app, clock) = app_with_clock(engine).await;
    let (officer, secret) = officer_session(&app, &clock).await;
    create_user(&app, STAFF, &[BuiltInRole::Staff]).await;
    let staff = bearer(&app, STAFF).await;

    // Without incident:manage: refused, and nothing is opened.
    assert_eq!(open(&app, &staff, "high", "phishing").await.0, 403);
    assert_eq!(app.get_with("/api/incidents", &staff).await.status(), 403);

    let (status, opened) = open(&app, &officer, "high", "phishing of the sales team").await;
    assert_eq!(status, 201, "{opened}");
    assert_eq!(
        (opened["status"].as_str(), opened["severity"].as_str()),
        (Some("open"), Some("high"))
    );
    let id = opened["id"].as_str().unwrap().to_owned();
    assert_eq!(open(&app, &officer, "severe", "x").await.0, 422);
    assert_eq!(open(&app, &officer, "low", "two\nlines").await.0, 422);

    let (status, contained) = patch(
        &app,
        &officer,
        &id,
        json!({ "status": "contained", "note": "mailbox rules removed" }),
    )
    .await;
    assert_eq!(status, 200, "{contained}");
    assert_eq!(contained["status"], "contained");
    assert_eq!(patch(&app, &officer, &id, json!({ "status": "resolved" })).await.0, 422);
    assert_eq!(patch(&app, &officer, &id, json!({})).await.0, 422, "nothing to change");
    // A member may be left out, not sent as null (the document gives each as a string).
    let (status, error) =
        patch(&app, &officer, &id, json!({ "severity": null, "note": "x" })).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("invalid_input")), "{error}");
    assert_eq!(patch(&app, &staff, &id, json!({ "severity": "low" })).await.0, 403);
    for body in [
        json!({ "action": "shred_everything" }),
        json!({ "action": "revoke_api_keys", "bogus": true }),
        json!({ "action": "disable_user" }),
        json!({ "action": "force_password_reset" }),
        json!({ "action": "revoke_api_keys", "reason": "x".repeat(501) }),
    ] {
        let (status, error) = contain(&app, &officer, &id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
    }
    let (status, error) = contain(&app, &staff, &id, json!({ "action": "revoke_api_keys" })).await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("forbidden")));
    assert!(audited(&app, "apikey_revoked").await.is_empty(), "nothing was contained");

    // Eleven minutes on, every write wants a re-authentication; reading does not.
    clock.advance(Duration::minutes(11));
    for (status, body) in [
        open(&app, &officer, "low", "another").await,
        patch(&app, &officer, &id, json!({ "severity": "critical" })).await,
        contain(&app, &officer, &id, json!({ "action": "revoke_api_keys" })).await,
    ] {
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("reauth_required")));
    }
    assert_eq!(app.get_with(&format!("/api/incidents/{id}"), &officer).await.status(), 200);
    let code = totp_code(&secret, clock.now());
    let (status, body) = post_json(
        &app,
        "/api/auth/reauth",
        &officer,
        json!({ "password": PASSWORD, "code": code, "session": "token" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["token"].as_str().unwrap().to_owned();

    let (status, closed) =
        patch(&app, &fresh, &id, json!({ "status": "closed", "note": "done" })).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    // Closed is final: no update, no reopening, no containment in its name.
    for body in [json!({ "status": "open" }), json!({ "note": "one more thing" })] {
        let (status, error) = patch(&app, &fresh, &id, body).await;
        assert_eq!((status, error["error"]["code"].as_str()), (409, Some("conflict")));
    }
    assert_eq!(contain(&app, &fresh, &id, json!({ "action": "revoke_api_keys" })).await.0, 409);
    let unknown = Uuid::new_v4();
    assert_eq!(patch(&app, &fresh, &unknown.to_string(), json!({ "note": "x" })).await.0, 404);

    let listed: Value = app.get_with("/api/incidents", &fresh).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let open_only: Value =
        app.get_with("/api/incidents?status=open", &fresh).await.json().await.unwrap();
    assert_eq!(open_only, json!([]));
    assert_eq!(audited(&app, "incident_opened").await.len(), 1);
    assert_eq!(audited(&app, "incident_updated").await.len(), 1);
    let closes = audited(&app, "incident_closed").await;
    assert_eq!(closes.len(), 1);
    assert_eq!(closes[0].entry.target.as_deref(), Some(format!("incident:{id}").as_str()));
    assert!(!closes[0].entry.details.contains("done"), "note text stays out of the trail");
}

async fn the_timeline_holds_what_happened_while_open_and_nothing_from_before_or_after(
    engine: TestEngine,
) {
    let (app, clock) = app_with_clock(engine).await;
    let (officer, _) = officer_session(&app, &clock).await;
    let staff = create_user(&app, STAFF, &[BuiltInRole::Staff]).await;
    let stray_alert = |subject: &str| NewAlert {
        rule: "new_device".into(),
        severity: "low".into(),
        subject: subject.into(),
        window_start: clock.now(),
        raised_at: clock.now(),
        details: "{}".into(),
    };
    let staff_sessions = format!("/api/users/{staff}/sessions");

    // Before the incident: an alert and a containment action.
    insert_alert(&app.db, &stray_alert("before"), &[]).await.unwrap();
    assert_eq!(app.delete_with(&staff_sessions, &officer).await.status(), 200);
    clock.advance(Duration::minutes(1));

    let (status, opened) = open(&app, &officer, "critical", "stolen admin session").await;
    assert_eq!(status, 201, "{opened}");
    let id = opened["id"].as_str().unwrap().to_owned();
    clock.advance(Duration::seconds(5));
    // While open: lockdown (an audit event and an alert), a revocation, a note.
    let lockdown = json!({ "active": true, "reason": "contain" });
    assert_eq!(app.put_with("/api/incident/lockdown", &officer, lockdown).await.status(), 200);
    alert_raised(&app, "lockdown_changed").await;
    let (status, report) = contain(
        &app,
        &officer,
        &id,
        json!({ "action": "revoke_sessions", "user_id": staff, "reason": "his laptop" }),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(patch(&app, &officer, &id, json!({ "note": "laptop collected" })).await.0, 200);
    clock.advance(Duration::seconds(5));
    let off = json!({ "active": false });
    assert_eq!(app.put_with("/api/incident/lockdown", &officer, off).await.status(), 200);
    assert_eq!(patch(&app, &officer, &id, json!({ "status": "closed" })).await.0, 200);
    clock.advance(Duration::minutes(1));

    // After it closed: another alert and another revocation.
    insert_alert(&app.db, &stray_alert("after"), &[]).await.unwrap();
    assert_eq!(app.delete_with(&staff_sessions, &officer).await.status(), 200);

    let incident: Value =
        app.get_with(&format!("/api/incidents/{id}"), &officer).await.json().await.unwrap();
    let timeline = incident["timeline"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = timeline
        .iter()
        .map(|entry| (entry["source"].as_str().unwrap(), entry["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds.first(), Some(&("audit", "incident_opened")), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&("audit", "incident_closed")), "{kinds:?}");
    for expected in [
        ("audit", "lockdown_changed"),
        ("alert", "lockdown_changed"),
        ("audit", "session_revoked_all"),
        ("note", "note"),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} missing from {kinds:?}");
    }
    let revocations: Vec<&Value> =
        timeline.iter().filter(|entry| entry["kind"] == "session_revoked_all").collect();
    assert_eq!(revocations.len(), 1, "only the one taken while open: {kinds:?}");
    assert_eq!(revocations[0]["details"]["incident"], id.as_str());
    assert_eq!(revocations[0]["details"]["reason"], "his laptop");
    let lockdowns = kinds.iter().filter(|kind| **kind == ("audit", "lockdown_changed")).count();
    assert_eq!(lockdowns, 2);
    assert!(
        !timeline.iter().any(|entry| entry["source"] == "alert" && entry["kind"] == "new_device"),
        "an alert from before or after the incident: {kinds:?}"
    );
    let note = timeline.iter().find(|entry| entry["source"] == "note").unwrap();
    assert_eq!(note["text"], "laptop collected");
    let times: Vec<&str> = timeline.iter().map(|entry| entry["at"].as_str().unwrap()).collect();
    let parsed: Vec<time::OffsetDateTime> = times
        .iter()
        .map(|at| {
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap()
        })
        .collect();
    assert!(parsed.windows(2).all(|pair| pair[0] <= pair[1]), "not in time order: {times:?}");
}

async fn a_forced_password_reset_stops_the_old_password_and_mails_a_link_that_sets_a_new_one(
    engine: TestEngine,
) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    let (officer, _) = officer_session(&app, &clock).await;
    let ada = create_user(&app, "ada@incident.test", &[BuiltInRole::Staff]).await;
    let ada_session = bearer(&app, "ada@incident.test").await;
    let (_, opened) = open(&app, &officer, "high", "password dump found").await;
    let id = opened["id"].as_str().unwrap().to_owned();

    let (status, report) = contain(
        &app,
        &officer,
        &id,
        json!({ "action": "force_password_reset", "user_ids": [ada] }),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["passwords_reset"], 1);
    assert_eq!(report["emails_queued"], 1);
    assert_eq!(report["sessions_ended"], 1);
    let (status, error) = contain(
        &app,
        &officer,
        &id,
        json!({ "action": "force_password_reset", "all": true, "user_ids": [ada] }),
    )
    .await;
    assert_eq!(status, 422, "{error}");

    // The session is over and the old password fails exactly as a wrong one does.
    assert_eq!(app.get_with("/api/me", &ada_session).await.status(), 401);
    let (old_status, old_error) = error_of(login(&app, "ada@incident.test", PASSWORD).await).await;
    let (wrong_status, wrong_error) =
        error_of(login(&app, "ada@incident.test", "not the password at all").await).await;
    assert_eq!((old_status, &old_error["code"]), (wrong_status, &wrong_error["code"]));
    assert_eq!(old_error["message"], wrong_error["message"]);
    assert_eq!(old_status, 401);

    // The reset e-mail arrives, and its link sets a new password that signs in.
    let mut reset = None;
    for _ in 0..200 {
        reset = sink.messages().into_iter().find(|message| {
            message.to == "ada@incident.test" && message.subject.contains("reset your password")
        });
        if reset.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let token = link_token(&reset.expect("the reset e-mail arrives"));
    let new_password = "a brand new passphrase after the dump";
    let response = app
        .client
        .post(app.at("/api/auth/password/reset"))
        .json(&json!({ "token": token, "password": new_password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(login(&app, "ada@incident.test", new_password).await.status(), 200);
    let forced = audited(&app, "authn_password_reset_forced").await;
    assert_eq!(forced.len(), 1);
    // Everyone's, through the API: everyone but the caller, who goes on handling the incident.
    let (status, report) =
        contain(&app, &officer, &id, json!({ "action": "force_password_reset", "all": true }))
            .await;
    assert_eq!((status, report["passwords_reset"].as_u64()), (200, Some(1)), "{report}");
    assert_eq!(app.get_with("/api/me", &officer).await.status(), 200);
    assert_eq!(login(&app, "ada@incident.test", new_password).await.status(), 401);
    assert_eq!(forced[0].entry.target.as_deref(), Some(format!("user:{ada}").as_str()));
    assert!(!forced[0].entry.details.contains("ada@"), "no address in the trail");
}

async fn containment_taken_on_one_instance_is_in_force_on_the_other_at_once(engine: TestEngine) {
    let first = spawn_app(engine).await;
    let second = second_instance(&first, engine).await;
    let officer_id = create_user(&first, OFFICER, &[BuiltInRole::SecurityOfficer]).await;
    let staff_id = create_user(&first, STAFF, &[BuiltInRole::Staff]).await;
    let other = create_user(&first, "other@incident.test", &[BuiltInRole::Staff]).await;
    let officer = mfa_bearer(&first, OFFICER).await;
    let (_, opened) = open(&first, &officer, "high", "session theft").await;
    let id = opened["id"].as_str().unwrap().to_owned();

    // One user's sessions, revoked through the first instance, end on the second.
    let other_session = bearer(&second, "other@incident.test").await;
    assert_eq!(second.get_with("/api/me", &other_session).await.status(), 200);
    let (status, report) =
        contain(&first, &officer, &id, json!({ "action": "revoke_sessions", "user_id": other }))
            .await;
    assert_eq!((status, report["sessions_ended"].as_u64()), (200, Some(1)), "{report}");
    let started = std::time::Instant::now();
    assert_eq!(second.get_with("/api/me", &other_session).await.status(), 401);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));

    // Everyone's: the staff session on the second instance ends, the caller's own goes on.
    let staff = bearer(&second, STAFF).await;
    assert_eq!(second.get_with("/api/me", &staff).await.status(), 200);
    let (status, report) =
        contain(&first, &officer, &id, json!({ "action": "revoke_sessions" })).await;
    assert_eq!(status, 200, "{report}");
    assert!(report["sessions_ended"].as_u64().unwrap() >= 1);
    assert_eq!(second.get_with("/api/me", &staff).await.status(), 401);
    assert_eq!(second.get_with("/api/me", &officer).await.status(), 200);

    // A disabled account is refused on the second instance at once, even signing in again.
    let again = bearer(&second, STAFF).await;
    let (status, _) =
        contain(&second, &officer, &id, json!({ "action": "disable_user", "user_id": staff_id }))
            .await;
    assert_eq!(status, 200);
    assert_eq!(first.get_with("/api/me", &again).await.status(), 401);
    assert_eq!(login(&first, STAFF, PASSWORD).await.status(), 401);
    let (status, error) =
        contain(&first, &officer, &id, json!({ "action": "disable_user", "user_id": officer_id }))
            .await;
    assert_eq!(status, 422, "not one's own account: {error}");
    // API keys, revoked through one instance, stop on the other at once.
    let session = bearer(&second, "other@incident.test").await;
    let expires = (time::OffsetDateTime::now_utc() + Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let body = json!({ "name": "sync", "permissions": ["records:read"], "expires_at": expires });
    let created: Value =
        second.post_with("/api/me/api-keys", &session, body).await.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert_eq!(second.get_with("/api/me", &key).await.status(), 200);
    let (status, report) =
        contain(&first, &officer, &id, json!({ "action": "revoke_api_keys" })).await;
    assert_eq!((status, report["api_keys_revoked"].as_u64()), (200, Some(1)), "{report}");
    assert_eq!(second.get_with("/api/me", &key).await.status(), 401);

    let for_incident = |rows: Vec<rampart_store::audit::AuditRow>| {
        rows.into_iter().filter(|row| row.entry.details.contains(id.as_str())).count()
    };
    assert_eq!(for_incident(audited(&first, "session_revoked_all").await), 2);
    assert_eq!(for_incident(audited(&first, "user_disabled").await), 1);
}

on_both_engines!(
    incidents_are_opened_updated_and_closed_with_incident_manage_and_a_fresh_sign_in,
    the_timeline_holds_what_happened_while_open_and_nothing_from_before_or_after,
    a_forced_password_reset_stops_the_old_password_and_mails_a_link_that_sets_a_new_one,
);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(containment_taken_on_one_instance_is_in_force_on_the_other_at_once);
