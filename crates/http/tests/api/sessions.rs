//! Sessions: the cookie, timeouts, rotation, sign-out, listing and ending one's own sessions,
//! and what an administrator can end.

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app, spawn_app_with};
use crate::people::{bearer, browser_login, create_user};

async fn app_with_clock(engine: TestEngine) -> (TestApp, ManualClock) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { clock: Some(clock.clone()), ..TestOptions::default() };
    (spawn_app_with(engine, options).await, clock)
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get_with("/api/me", token).await.status().as_u16()
}

async fn a_browser_gets_a_host_only_http_only_cookie_that_works_on_its_own(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;

    let session = browser_login(&app, "ada@example.com").await;
    let me =
        app.client.get(app.at("/api/me")).header("cookie", &session.cookie).send().await.unwrap();

    assert!(session.set_cookie.starts_with("__Host-rampart_session="));
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.set_cookie.contains(attribute), "{attribute}");
    }
    assert!(!session.set_cookie.contains("Domain"));
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers()["cache-control"], "no-store");
}

async fn a_session_ends_after_thirty_idle_minutes_or_twelve_hours(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;

    let idle = bearer(&app, "ada@example.com").await;
    clock.advance(Duration::minutes(29));
    assert_eq!(me_status(&app, &idle).await, 200, "29 idle minutes: still valid");
    clock.advance(Duration::minutes(29));
    assert_eq!(me_status(&app, &idle).await, 200, "activity restarted the idle clock");
    clock.advance(Duration::minutes(31));
    assert_eq!(me_status(&app, &idle).await, 401, "31 idle minutes: gone");

    let busy = bearer(&app, "ada@example.com").await;
    for _ in 0..24 {
        clock.advance(Duration::minutes(29));
        assert_eq!(me_status(&app, &busy).await, 200);
    }
    clock.advance(Duration::minutes(29));
    assert_eq!(me_status(&app, &busy).await, 401, "past 12 hours, however active");
}

async fn signing_out_ends_the_session_and_clears_the_cookie(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;

    let out = app.post_with("/api/auth/logout", &token, json!({})).await;

    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(me_status(&app, &token).await, 401);
}

async fn signing_in_again_replaces_the_session_the_client_held(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = browser_login(&app, "ada@example.com").await;

    let second = app
        .client
        .post(app.at("/api/auth/login"))
        .header("cookie", &first.cookie)
        .header("sec-fetch-site", "same-origin")
        .header("x-csrf-token", &first.csrf)
        .json(&json!({ "email": "ada@example.com", "password": crate::people::PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    let old =
        app.client.get(app.at("/api/me")).header("cookie", &first.cookie).send().await.unwrap();

    assert_eq!(old.status(), 401, "the token from before sign-in is worthless after it");
}

async fn users_list_their_sessions_and_end_any_but_not_someone_elses(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    create_user(&app, "bob@example.com", &[]).await;
    let laptop = bearer(&app, "ada@example.com").await;
    let phone = bearer(&app, "ada@example.com").await;
    let bob = bearer(&app, "bob@example.com").await;

    let sessions: Vec<Value> =
        app.get_with("/api/me/sessions", &laptop).await.json().await.unwrap();
    assert_eq!(sessions.len(), 2);
    let current: Vec<bool> = sessions.iter().map(|s| s["current"].as_bool().unwrap()).collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    assert!(sessions.iter().all(|s| s.get("token").is_none() && s["ip"] == "127.0.0.1"));
    let phone_id =
        sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();

    let bobs: Vec<Value> = app.get_with("/api/me/sessions", &bob).await.json().await.unwrap();
    let bobs_id = bobs[0]["id"].as_str().unwrap();
    let foreign = app.delete_with(&format!("/api/me/sessions/{bobs_id}"), &laptop).await;
    assert_eq!(foreign.status(), 404, "another user's session answers like an unknown one");
    assert_eq!(me_status(&app, &bob).await, 200);

    let ended = app.delete_with(&format!("/api/me/sessions/{phone_id}"), &laptop).await;
    assert_eq!(ended.status(), 204);
    assert_eq!(me_status(&app, &phone).await, 401);
    assert_eq!(me_status(&app, &laptop).await, 200);
}

async fn an_administrator_ends_one_users_sessions_or_everyones(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "admin@example.com", &[BuiltInRole::Admin]).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;
    create_user(&app, "bob@example.com", &[]).await;
    let admin = crate::factors::mfa_bearer(&app, "admin@example.com").await;
    let ada_token = bearer(&app, "ada@example.com").await;
    let bob_token = bearer(&app, "bob@example.com").await;

    let denied = app.delete_with(&format!("/api/users/{ada}/sessions"), &bob_token).await;
    assert_eq!(denied.status(), 403);
    let denials =
        rampart_store::audit::list_audit_events(&app.db, Some("authz_fail")).await.unwrap();
    assert_eq!(denials.len(), 1, "every denial is audited");

    let ended = app.delete_with(&format!("/api/users/{ada}/sessions"), &admin).await;
    assert_eq!(ended.status(), 200);
    assert_eq!(me_status(&app, &ada_token).await, 401);
    assert_eq!(me_status(&app, &bob_token).await, 200);

    let everyone = app.delete_with("/api/sessions", &admin).await;
    assert_eq!(everyone.status(), 200);
    assert_eq!(me_status(&app, &bob_token).await, 401);
    assert_eq!(me_status(&app, &admin).await, 200, "the administrator's own session stays");
}

async fn disabling_an_account_ends_its_sessions_and_its_sign_in(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "admin@example.com", &[BuiltInRole::Admin]).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;
    let admin = crate::factors::mfa_bearer(&app, "admin@example.com").await;
    let ada_token = bearer(&app, "ada@example.com").await;

    let disabled = app.post_with(&format!("/api/users/{ada}/disable"), &admin, json!({})).await;

    assert_eq!(disabled.status(), 200);
    assert_eq!(me_status(&app, &ada_token).await, 401);
    let again = crate::people::login(&app, "ada@example.com", crate::people::PASSWORD).await;
    assert_eq!(again.status(), 401);
    let enabled = app.post_with(&format!("/api/users/{ada}/enable"), &admin, json!({})).await;
    assert_eq!(enabled.status(), 200);
    assert_eq!(
        crate::people::login(&app, "ada@example.com", crate::people::PASSWORD).await.status(),
        200
    );
}

on_both_engines!(
    a_browser_gets_a_host_only_http_only_cookie_that_works_on_its_own,
    a_session_ends_after_thirty_idle_minutes_or_twelve_hours,
    signing_out_ends_the_session_and_clears_the_cookie,
    signing_in_again_replaces_the_session_the_client_held,
    users_list_their_sessions_and_end_any_but_not_someone_elses,
    an_administrator_ends_one_users_sessions_or_everyones,
    disabling_an_account_ends_its_sessions_and_its_sign_in,
);
