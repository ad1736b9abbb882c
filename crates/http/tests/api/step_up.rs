//! Step-up ("sudo"): the sensitive actions of SECURITY.md answer 403 `reauth_required` unless the
//! caller re-authenticated within the last 10 minutes — with the password and, for an account
//! that has one, the second factor. The list below is every such route there is so far.

use rampart_domain::BuiltInRole;
use rampart_domain::Clock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use reqwest::Method;
use serde_json::{Value, json};
use time::Duration;

use crate::factors::{app_with_clock, enrol_totp, post_json, totp_code, wrong_code};
use crate::helpers::{TestApp, error_of};
use crate::people::{PASSWORD, bearer, create_user};

/// Every route that changes a password, a factor (authenticator app, passkeys) or recovery codes (later also roles,
/// departments, keys, lockdown and restore), with a body it would accept.
fn sensitive_routes(other_user: uuid::Uuid) -> Vec<(Method, String, Value)> {
    vec![
        (
            Method::POST,
            "/api/auth/password/change".into(),
            json!({ "current_password": PASSWORD, "new_password": "an entirely new passphrase here" }),
        ),
        (Method::POST, "/api/me/mfa/totp".into(), json!({})),
        (Method::POST, "/api/me/mfa/totp/confirm".into(), json!({ "code": "123456" })),
        (Method::DELETE, "/api/me/mfa/totp".into(), json!({})),
        (Method::POST, "/api/me/mfa/recovery-codes".into(), json!({})),
        (Method::POST, "/api/me/passkeys/options".into(), json!({})),
        (
            Method::POST,
            "/api/me/passkeys".into(),
            json!({ "challenge_id": uuid::Uuid::new_v4(), "name": "laptop", "credential": {
                "id": "AAAA", "rawId": "AAAA", "type": "public-key", "extensions": {},
                "response": { "attestationObject": "AAAA", "clientDataJSON": "AAAA" } } }),
        ),
        (Method::DELETE, format!("/api/me/passkeys/{}", uuid::Uuid::new_v4()), json!({})),
        (Method::DELETE, format!("/api/users/{other_user}/factors"), json!({})),
    ]
}

async fn send(
    app: &TestApp,
    token: &str,
    (method, path, body): &(Method, String, Value),
) -> reqwest::Response {
    app.client
        .request(method.clone(), app.at(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn sensitive_actions_need_a_reauthentication_within_ten_minutes(engine: TestEngine) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "admin@example.com", &[BuiltInRole::Admin]).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;
    let enrolled = enrol_totp(&app, &bearer(&app, "admin@example.com").await, clock.now()).await;
    clock.advance(Duration::minutes(11));

    for route in sensitive_routes(ada) {
        let (status, error) = error_of(send(&app, &enrolled.token, &route).await).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (403, Some("reauth_required")),
            "{} {}",
            route.0,
            route.1
        );
    }

    // The password alone is not enough for an account with a second factor, nor a wrong code.
    let (status, _) =
        post_json(&app, "/api/auth/reauth", &enrolled.token, json!({ "password": PASSWORD })).await;
    assert_eq!(status, 422);
    let right = totp_code(&enrolled.secret, clock.now());
    let wrong = json!({ "password": PASSWORD, "code": wrong_code(&right), "session": "token" });
    let (status, body) = post_json(&app, "/api/auth/reauth", &enrolled.token, wrong).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_code")));
    let both = json!({ "password": PASSWORD, "code": right, "session": "token" });
    let (status, body) = post_json(&app, "/api/auth/reauth", &enrolled.token, both).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["assurance"], "password+totp");
    let fresh = body["token"].as_str().unwrap();

    for route in sensitive_routes(ada) {
        let response = send(&app, fresh, &route).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(body["error"]["code"], "reauth_required", "{} {}: {status}", route.0, route.1);
    }
}

async fn a_session_with_a_fresh_password_check_passes_when_there_is_no_second_factor(
    engine: TestEngine,
) {
    let (app, clock) = app_with_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;
    clock.advance(Duration::minutes(11));
    let route = (Method::POST, "/api/me/mfa/totp".to_owned(), json!({}));
    assert_eq!(send(&app, &token, &route).await.status(), 403);

    let (status, body) = post_json(
        &app,
        "/api/auth/reauth",
        &token,
        json!({ "password": PASSWORD, "session": "token" }),
    )
    .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["assurance"], "password");
    assert_eq!(send(&app, body["token"].as_str().unwrap(), &route).await.status(), 201);
}

on_both_engines!(
    sensitive_actions_need_a_reauthentication_within_ten_minutes,
    a_session_with_a_fresh_password_check_passes_when_there_is_no_second_factor,
);
