//! Signing in: the session it gives, the one answer for every kind of failure, throttling per
//! address and per client IP, and the password lock that only a reset opens.

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rampart_store::users::set_user_status;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app, spawn_app_with};
use crate::people::{PASSWORD, bearer, create_user, login};

const WRONG: &str = "not the password at all, sorry";

async fn app_with_clock(
    engine: TestEngine,
    overrides: Vec<(&'static str, toml::Value)>,
) -> (TestApp, ManualClock) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { clock: Some(clock.clone()), overrides, ..TestOptions::default() };
    (spawn_app_with(engine, options).await, clock)
}

/// Status, `Retry-After`, and the error body without its request id.
async fn answer(response: reqwest::Response) -> (u16, Option<String>, Value) {
    let status = response.status().as_u16();
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let mut body: Value = response.json().await.unwrap();
    if let Some(error) = body.get_mut("error").and_then(Value::as_object_mut) {
        error.remove("request_id");
    }
    (status, retry, body)
}

async fn the_right_password_gives_a_bearer_session_that_reaches_the_account(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let id = create_user(&app, "ada@example.com", &[BuiltInRole::Staff]).await;

    let token = bearer(&app, "Ada@Example.com").await;
    let me: Value = app.get_with("/api/me", &token).await.json().await.unwrap();

    assert_eq!(token.len(), 64, "256 bits in hex");
    assert_eq!(me["id"], id.to_string());
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["roles"], serde_json::json!(["staff"]));
    assert_eq!(me["permissions"], serde_json::json!(["records:read", "records:write"]));
}

async fn every_kind_of_failure_gets_the_same_answer(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let disabled = create_user(&app, "bob@example.com", &[]).await;
    set_user_status(&app.db, disabled, "disabled").await.unwrap();
    let unverified = rampart_core::accounts::create_account(
        &app.state,
        &rampart_domain::Email::parse("cy@example.com").unwrap(),
        rampart_domain::Password::new(PASSWORD, &[]).unwrap(),
    )
    .await
    .unwrap();
    assert!(!unverified.email_verified);

    let wrong = answer(login(&app, "ada@example.com", WRONG).await).await;
    let unknown = answer(login(&app, "nobody@example.com", PASSWORD).await).await;
    let disabled = answer(login(&app, "bob@example.com", PASSWORD).await).await;
    let unverified = answer(login(&app, "cy@example.com", PASSWORD).await).await;
    let malformed = answer(login(&app, "not an address", PASSWORD).await).await;

    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.2["error"]["code"], "invalid_credentials");
    for other in [&unknown, &disabled, &unverified, &malformed] {
        assert_eq!(other, &wrong);
    }
}

async fn the_fifth_failure_starts_a_doubling_wait_for_known_and_unknown_addresses(
    engine: TestEngine,
) {
    let (app, clock) = app_with_clock(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;

    for address in ["ada@example.com", "nobody@example.com"] {
        for _ in 0..5 {
            assert_eq!(login(&app, address, WRONG).await.status(), 401);
        }
        // Inside the wait even the right password is refused, with the failure's body.
        let (status, retry, body) = answer(login(&app, address, PASSWORD).await).await;
        assert_eq!((status, retry.as_deref()), (429, Some("1")), "{address}");
        assert_eq!(body["error"]["code"], "invalid_credentials");

        clock.advance(Duration::seconds(1));
        assert_eq!(login(&app, address, WRONG).await.status(), 401, "{address}: one more try");
        let (status, retry, _) = answer(login(&app, address, WRONG).await).await;
        assert_eq!((status, retry.as_deref()), (429, Some("2")), "{address}: the wait doubled");
        clock.advance(Duration::seconds(2));
    }

    let success = login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(success.status(), 200, "the right password after the wait signs in");
    assert_eq!(
        login(&app, "ada@example.com", WRONG).await.status(),
        401,
        "a success resets the count"
    );
}

async fn a_hundred_failures_lock_the_password_until_it_is_reset(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine, vec![("sign_in.ip_max_failures", 1000.into())]).await;
    let id = create_user(&app, "ada@example.com", &[]).await;

    for attempt in 0..100 {
        assert_eq!(login(&app, "ada@example.com", WRONG).await.status(), 401, "attempt {attempt}");
        clock.advance(Duration::minutes(16));
    }
    let locked = login(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(locked.status(), 401, "the right password no longer works");

    let work = rampart_core::unit_of_work::UnitOfWork::begin(&app.state).await.unwrap();
    let link = rampart_core::accounts::issue_link(
        &work,
        rampart_store::one_time_tokens::TokenPurpose::PasswordReset,
        Some(id),
    )
    .await
    .unwrap();
    work.commit().await.unwrap();
    let new_password = "a brand new passphrase for ada";
    let reset = app
        .client
        .post(app.at("/api/auth/password/reset"))
        .json(&serde_json::json!({ "token": link.expose(), "password": new_password }))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(login(&app, "ada@example.com", new_password).await.status(), 200);
}

async fn thirty_failures_from_one_address_block_it_but_not_the_accounts_it_tried(
    engine: TestEngine,
) {
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![("server.trusted_proxies", vec!["127.0.0.1"].into())],
            ..TestOptions::default()
        },
    )
    .await;
    create_user(&app, "ada@example.com", &[]).await;
    let spray = |n: usize| {
        app.client
            .post(app.at("/api/auth/login"))
            .header("x-forwarded-for", "203.0.113.7")
            .json(&serde_json::json!({ "email": format!("user{n}@example.com"), "password": WRONG, "session": "token" }))
            .send()
    };
    for n in 0..30 {
        assert_eq!(spray(n).await.unwrap().status(), 401);
    }

    let blocked = app
        .client
        .post(app.at("/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.7")
        .json(&serde_json::json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let (status, retry, _) = answer(blocked).await;
    assert_eq!(status, 429);
    assert_eq!(retry.as_deref(), Some("900"));
    let elsewhere = app
        .client
        .post(app.at("/api/auth/login"))
        .header("x-forwarded-for", "198.51.100.20")
        .json(&serde_json::json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 200, "the account itself is not locked by the spray");
    let events =
        rampart_store::audit::list_audit_events(&app.db, Some("authn_ip_blocked")).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].entry.ip.as_deref(), Some("203.0.113.7"));
}

/// A blocked client's refused sign-ins cost it nothing to send: they are audited once a minute,
/// with a count, so its rate does not set the trail's size. (Before: one event each.)
async fn a_blocked_clients_flood_is_audited_once_a_minute_with_a_count(engine: TestEngine) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions {
        overrides: vec![("server.trusted_proxies", vec!["127.0.0.1"].into())],
        clock: Some(clock.clone()),
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    let app = &app;
    let attempt = |n: usize| async move {
        let email = format!("user{n}@example.com");
        crate::people::login_from(app, "203.0.113.8", &email, WRONG, "flood").await
    };
    for n in 0..30 {
        assert_eq!(attempt(n).await, 401);
    }
    let blocked_events = || async {
        rampart_store::audit::list_audit_events(&app.db, Some("authn_login_fail"))
            .await
            .unwrap()
            .into_iter()
            .filter(|event| event.entry.details.contains("ip_blocked"))
            .collect::<Vec<_>>()
    };

    for n in 0..200 {
        assert_eq!(attempt(n).await, 429);
    }
    assert_eq!(blocked_events().await.len(), 1, "one event for the minute, not one per refusal");

    clock.advance(Duration::seconds(61));
    assert_eq!(attempt(0).await, 429);
    let events = blocked_events().await;
    assert_eq!(events.len(), 2);
    let latest: Value = serde_json::from_str(&events.last().unwrap().entry.details).unwrap();
    assert_eq!(latest["refused_previous_minute"], 200, "{latest}");
}

on_both_engines!(
    a_blocked_clients_flood_is_audited_once_a_minute_with_a_count,
    the_right_password_gives_a_bearer_session_that_reaches_the_account,
    every_kind_of_failure_gets_the_same_answer,
    the_fifth_failure_starts_a_doubling_wait_for_known_and_unknown_addresses,
    a_hundred_failures_lock_the_password_until_it_is_reset,
    thirty_failures_from_one_address_block_it_but_not_the_accounts_it_tried,
);
