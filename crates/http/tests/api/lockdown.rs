//! Lockdown during an incident, on two instances of one deployment: switched on through one,
//! every session but the incident managers' MFA sessions stops at once on the other too, API
//! keys and public forms are refused, and switching it off lets people back in.

use rampart_domain::BuiltInRole;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::factors::{audited, mfa_bearer};
use crate::helpers::{TestApp, error_of, second_instance, spawn_app};
use crate::people::{bearer, create_user};

async fn put_lockdown(app: &TestApp, token: &str, active: bool) -> reqwest::Response {
    app.client
        .put(app.at("/api/incident/lockdown"))
        .bearer_auth(token)
        .json(&json!({ "active": active, "reason": "suspected credential theft" }))
        .send()
        .await
        .unwrap()
}

async fn lockdown_stops_everyone_but_incident_managers_with_mfa_on_every_instance(
    engine: TestEngine,
) {
    let first = spawn_app(engine).await;
    let second = second_instance(&first, engine).await;
    create_user(&first, "officer@incident.test", &[BuiltInRole::SecurityOfficer]).await;
    create_user(&first, "owner@incident.test", &[BuiltInRole::Owner]).await;
    create_user(&first, "staff@incident.test", &[BuiltInRole::Staff]).await;
    let officer = mfa_bearer(&first, "officer@incident.test").await;
    // The owner holds incident:manage but signed in with a password only.
    let owner_password_only = bearer(&first, "owner@incident.test").await;
    let staff = bearer(&second, "staff@incident.test").await;
    assert_eq!(second.get_with("/api/me", &staff).await.status(), 200);

    let switched = put_lockdown(&first, &officer, true).await;
    assert_eq!(switched.status(), 200);
    let switched: Value = switched.json().await.unwrap();
    assert_eq!(switched["active"], true);
    assert!(switched["sessions_ended"].as_u64().unwrap() >= 2, "{switched}");
    let started = std::time::Instant::now();

    // On the other instance, at once: the staff and password-only sessions are over.
    for token in [&staff, &owner_password_only] {
        let status = second.get_with("/api/me", token).await.status().as_u16();
        assert!(matches!(status, 401 | 503), "a session survived lockdown: {status}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let view: Value =
        second.get_with("/api/incident/lockdown", &officer).await.json().await.unwrap();
    assert_eq!(view["active"], true, "the incident manager with MFA carries on");
    assert_eq!(view["reason"], "suspected credential theft");

    // Signing in again is refused (and audited), and public forms are paused.
    let again = crate::people::login(&second, "staff@incident.test", crate::people::PASSWORD).await;
    let (status, error) = error_of(again).await;
    assert_eq!(status, 503);
    assert_eq!(error["code"], "lockdown");
    let refused = audited(&first, "authn_login_fail").await;
    assert!(refused.iter().any(|event| event.entry.details.contains("lockdown")));
    let form = second
        .client
        .post(second.at("/api/forms/leads"))
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(form).await;
    assert_eq!((status, error["code"].as_str()), (503, Some("lockdown")));

    assert_eq!(put_lockdown(&second, &officer, false).await.status(), 200);
    let after = bearer(&second, "staff@incident.test").await;
    assert_eq!(first.get_with("/api/me", &after).await.status(), 200, "people are back in");
    let changes = audited(&first, "lockdown_changed").await;
    assert_eq!(changes.len(), 2);
    assert!(changes[0].entry.details.contains("suspected credential theft"));
    let alerts = rampart_store::alerts::list_alerts(&first.db, None, None, 20).await.unwrap();
    let subjects: Vec<&str> = alerts
        .iter()
        .filter(|alert| alert.rule == "lockdown_changed")
        .map(|alert| alert.subject.as_str())
        .collect();
    assert_eq!(subjects.len(), 2, "an alert for on and one for off: {subjects:?}");
}

async fn switching_lockdown_needs_incident_manage(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "staff@incident.test", &[BuiltInRole::Staff]).await;
    let staff = bearer(&app, "staff@incident.test").await;
    assert_eq!(put_lockdown(&app, &staff, true).await.status(), 403);
    let state = rampart_store::lockdown::find_lockdown(&app.db).await.unwrap();
    assert!(!state.active);
}

on_both_engines!(switching_lockdown_needs_incident_manage,);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(
    lockdown_stops_everyone_but_incident_managers_with_mfa_on_every_instance
);
