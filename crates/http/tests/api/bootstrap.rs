//! The first owner: a single-use link, valid for 15 minutes, that works only while no owner exists.

use rampart_domain::ManualClock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::{PASSWORD, bearer};

async fn app_with_clock(engine: TestEngine) -> (TestApp, ManualClock, String) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions { clock: Some(clock.clone()), ..TestOptions::default() };
    let app = spawn_app_with(engine, options).await;
    let link = app.bootstrap_link.clone().expect("a new installation prints a bootstrap link");
    let token = link.split_once("#token=").unwrap().1.to_owned();
    (app, clock, token)
}

async fn bootstrap(app: &TestApp, token: &str, email: &str) -> reqwest::Response {
    app.client
        .post(app.at("/api/auth/bootstrap"))
        .json(&json!({ "token": token, "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

async fn the_bootstrap_link_creates_one_owner_once(engine: TestEngine) {
    let (app, _clock, token) = app_with_clock(engine).await;

    let created = bootstrap(&app, &token, "owner@example.com").await;
    assert_eq!(created.status(), 201);
    let owner = bearer(&app, "owner@example.com").await;
    let me: Value = app.get_with("/api/me", &owner).await.json().await.unwrap();
    assert_eq!(me["roles"], json!(["owner"]));
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["mfa"]["enrolment_required"], true, "the first owner enrols a factor first");
    let (status, error) =
        crate::helpers::error_of(app.get_with("/api/me/sessions", &owner).await).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("mfa_enrolment_required")));

    let again = bootstrap(&app, &token, "mallory@example.com").await;
    assert_eq!(again.status(), 400, "the link is single use");
}

async fn the_bootstrap_link_expires_after_fifteen_minutes(engine: TestEngine) {
    let (app, clock, token) = app_with_clock(engine).await;
    clock.advance(Duration::minutes(15) + Duration::seconds(1));

    let late = bootstrap(&app, &token, "owner@example.com").await;

    assert_eq!(late.status(), 400);
    let body: Value = late.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_token");
}

async fn a_typo_does_not_use_up_the_link(engine: TestEngine) {
    let (app, _clock, token) = app_with_clock(engine).await;

    let typo = bootstrap(&app, &token, "not-an-address").await;
    assert_eq!(typo.status(), 422);
    assert_eq!(bootstrap(&app, &token, "owner@example.com").await.status(), 201);
}

on_both_engines!(
    the_bootstrap_link_creates_one_owner_once,
    the_bootstrap_link_expires_after_fifteen_minutes,
    a_typo_does_not_use_up_the_link,
);

async fn the_setup_page_runs_only_its_own_nonced_script(engine: TestEngine) {
    let (app, _clock, _token) = app_with_clock(engine).await;

    let response = app.get("/setup").await;

    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    assert_eq!(nonce.len(), 32);
    for directive in [
        "default-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    let page = response.text().await.unwrap();
    assert_eq!(page.matches(&format!("nonce=\"{nonce}\"")).count(), 2, "style and script carry it");
    assert_eq!(page.matches("<script").count(), 1);
    let again = app.get("/setup").await;
    assert!(
        !again.headers()["content-security-policy"].to_str().unwrap().contains(&nonce),
        "a fresh nonce each time"
    );
}

on_both_engines!(the_setup_page_runs_only_its_own_nonced_script);
