//! Test support for second factors: TOTP codes from an independent implementation (oathtool,
//! Debian's `oathtool` package — never Rampart's own code), a server with a clock the test moves
//! step by step, and the enrolment and sign-in journeys over HTTP.

use std::process::Command;

use rampart_domain::ManualClock;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::PASSWORD;

/// One TOTP step.
pub const STEP: Duration = Duration::seconds(30);

/// The 6-digit code oathtool computes for `secret` (base32) at `at`.
pub fn totp_code(secret: &str, at: OffsetDateTime) -> String {
    let output = Command::new("oathtool")
        .args(["--totp", "-b", "-d", "6", "-N"])
        .arg(format!("@{}", at.unix_timestamp()))
        .arg(secret)
        .output()
        .expect("oathtool runs (apt-get install oathtool)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A server whose clock starts one second into a TOTP step, so a test knows which step is now.
pub async fn app_with_clock(engine: TestEngine) -> (TestApp, ManualClock) {
    app_with_clock_and(engine, Vec::new()).await
}

pub async fn app_with_clock_and(
    engine: TestEngine,
    overrides: Vec<(&'static str, toml::Value)>,
) -> (TestApp, ManualClock) {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let start = OffsetDateTime::from_unix_timestamp(now - now % 30 + 1).unwrap();
    let clock = ManualClock::starting_at(start);
    let options = TestOptions { overrides, clock: Some(clock.clone()), ..TestOptions::default() };
    (spawn_app_with(engine, options).await, clock)
}

pub async fn post_json(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let response = app.post_with(path, token, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `POST /api/me/mfa/totp`: the enrolment's base32 secret (and the whole answer).
pub async fn start_totp(app: &TestApp, token: &str) -> (String, Value) {
    let (status, body) = post_json(app, "/api/me/mfa/totp", token, json!({})).await;
    assert_eq!(status, 201, "{body}");
    (body["secret"].as_str().unwrap().to_owned(), body)
}

/// What enrolling an authenticator app left the test with.
pub struct Enrolled {
    pub secret: String,
    pub recovery_codes: Vec<String>,
    /// The session that replaced the enrolling one (both factors).
    pub token: String,
}

/// Enrols an authenticator app through `token`'s session, confirming with the code of `at`.
pub async fn enrol_totp(app: &TestApp, token: &str, at: OffsetDateTime) -> Enrolled {
    let (secret, _) = start_totp(app, token).await;
    let code = totp_code(&secret, at);
    let (status, body) = post_json(
        app,
        "/api/me/mfa/totp/confirm",
        token,
        json!({ "code": code, "session": "token" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let recovery_codes = body["recovery_codes"]
        .as_array()
        .map(|codes| codes.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    Enrolled {
        secret,
        recovery_codes,
        token: body["session"]["token"].as_str().unwrap().to_owned(),
    }
}

/// `POST /api/auth/login` for an account with a second factor: the pending session's token.
pub async fn pending_sign_in(app: &TestApp, address: &str) -> String {
    let response = crate::people::login(app, address, PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["stage"], "mfa_pending", "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// `POST /api/auth/login/mfa` with `factor` (`{"code":…}` or `{"recovery_code":…}`).
pub async fn complete_sign_in(app: &TestApp, pending: &str, mut factor: Value) -> (u16, Value) {
    factor["session"] = json!("token");
    post_json(app, "/api/auth/login/mfa", pending, factor).await
}

/// A full session for the holder of a role that requires a second factor, on a server with the
/// system clock: signs in, enrols an authenticator app, and keeps the session the confirmation
/// gives (signed in with both factors).
pub async fn mfa_bearer(app: &TestApp, address: &str) -> String {
    let first = crate::people::bearer(app, address).await;
    enrol_totp(app, &first, OffsetDateTime::now_utc()).await.token
}

/// [`app_with_clock`], delivering its e-mail to a fresh SMTP sink.
pub async fn app_with_mail_and_clock(
    engine: TestEngine,
) -> (TestApp, ManualClock, crate::smtp_sink::SmtpSink) {
    use crate::smtp_sink::{SinkTls, SmtpSink, free_port};
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let overrides = sink.plain_delivery();
    let (app, clock) = app_with_clock_and(engine, overrides).await;
    (app, clock, sink)
}

/// A 6-digit code that is not `right`.
pub fn wrong_code(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// How many audit events of `action` were recorded.
pub async fn audited(app: &TestApp, action: &str) -> Vec<rampart_store::audit::AuditRow> {
    rampart_store::audit::list_audit_events(&app.db, Some(action)).await.unwrap()
}

/// Waits (a few seconds at most) until an alert of `rule` was raised, and returns its subject.
pub async fn alert_raised(app: &TestApp, rule: &str) -> String {
    for _ in 0..100 {
        let alerts = rampart_store::alerts::list_alerts(&app.db, None, None, 100).await.unwrap();
        if let Some(alert) = alerts.iter().find(|alert| alert.rule == rule) {
            return alert.subject.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no {rule} alert was raised");
}
