//! Changing a password: the current one, a recent re-authentication, other sessions ended.

use rampart_domain::ManualClock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::{PASSWORD, bearer, create_user, login};

const NEW: &str = "a fresh and rather long passphrase";

async fn app_with_clock(engine: TestEngine) -> (TestApp, ManualClock) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { clock: Some(clock.clone()), ..TestOptions::default() };
    (spawn_app_with(engine, options).await, clock)
}

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> (u16, Value) {
    let response = app
        .post_with(
            "/api/auth/password/change",
            token,
            json!({ "current_password": current, "new_password": new }),
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn a_password_change_needs_the_current_password_and_a_recent_sign_in(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;
    let other = bearer(&app, "ada@example.com").await;

    let (status, _) = change(&app, &token, "not my password at all", NEW).await;
    assert_eq!(status, 401, "wrong current password");
    let (status, body) = change(&app, &token, PASSWORD, "password123456").await;
    assert_eq!(status, 422, "a weak new password is refused with a reason: {body}");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("password:"));

    clock.advance(Duration::minutes(11));
    let (status, body) = change(&app, &token, PASSWORD, NEW).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("reauth_required")));

    let reauth = app
        .post_with("/api/auth/reauth", &token, json!({ "password": PASSWORD, "session": "token" }))
        .await;
    assert_eq!(reauth.status(), 200);
    let fresh: Value = reauth.json().await.unwrap();
    let fresh = fresh["token"].as_str().unwrap();
    assert_eq!(
        app.get_with("/api/me", &token).await.status(),
        401,
        "re-authentication rotates the token"
    );

    let (status, _) = change(&app, fresh, PASSWORD, NEW).await;
    assert_eq!(status, 200);
    assert_eq!(app.get_with("/api/me", fresh).await.status(), 200, "the caller's session stays");
    assert_eq!(app.get_with("/api/me", &other).await.status(), 401, "other sessions end");
    assert_eq!(login(&app, "ada@example.com", PASSWORD).await.status(), 401);
    assert_eq!(login(&app, "ada@example.com", NEW).await.status(), 200);
    let events = rampart_store::audit::list_audit_events(&app.db, Some("authn_password_change"))
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.entry.outcome.as_str()).collect::<Vec<_>>(),
        ["failure", "success"]
    );
}

on_both_engines!(a_password_change_needs_the_current_password_and_a_recent_sign_in);
