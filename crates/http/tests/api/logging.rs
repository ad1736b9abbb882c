//! The logs: one line per request with what an operator needs, and no secret ever.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use rampart_core::config::{LogFormat, LogSettings};
use rampart_core::telemetry;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestOptions, spawn_app_with};
use crate::test_routes::test_routes;

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test process, as the server writes them in production (JSON).
pub fn captured_lines() -> Vec<serde_json::Value> {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let settings = LogSettings { level: "info".into(), format: LogFormat::Json };
        tracing::subscriber::set_global_default(telemetry::subscriber(&settings, || Capture))
            .unwrap();
    });
    String::from_utf8(LOGS.lock().unwrap().clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect()
}

fn lines_of(request_id: &str) -> Vec<serde_json::Value> {
    captured_lines()
        .into_iter()
        .filter(|line| line["request_id"] == request_id || line["span"]["request_id"] == request_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_logged_with_its_cause_and_request_id() {
    captured_lines();
    let app = spawn_app_with(
        TestEngine::Sqlite,
        TestOptions { routes: Some(test_routes()), ..TestOptions::default() },
    )
    .await;

    let response = app
        .client
        .get(app.at("/test/panic"))
        .header("x-request-id", "panic-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);

    let lines = lines_of("panic-1");
    assert!(
        lines.iter().any(|line| line["panic"].as_str().is_some_and(|p| p.contains("boom"))),
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_line_per_request_and_no_secret_in_any_line() {
    captured_lines();
    let app = spawn_app_with(
        TestEngine::Sqlite,
        TestOptions { routes: Some(test_routes()), ..TestOptions::default() },
    )
    .await;
    let secrets = [
        "Bearer-secret-7f3a9c",
        "cookie-secret-91bd2e",
        "body-secret-4c8e1a",
        "query-secret-d02f77",
        "malformed-secret-5a5a",
    ];

    let response = app
        .client
        .post(app.at(&format!("/test/echo?token={}", secrets[3])))
        .header("x-request-id", "redaction-1")
        .header("authorization", format!("Bearer {}", secrets[0]))
        .header("cookie", format!("__Host-rampart_session={}", secrets[1]))
        .json(&serde_json::json!({"email": secrets[2], "attempts": secrets[4]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();

    let request_lines: Vec<_> =
        lines_of("redaction-1").into_iter().filter(|line| line["message"] == "request").collect();
    assert_eq!(request_lines.len(), 1, "{request_lines:#?}");
    let line = &request_lines[0];
    assert_eq!(line["method"], "POST");
    assert_eq!(line["route"], "/test/echo");
    assert_eq!(line["status"], 422);
    assert!(line["latency_ms"].as_f64().is_some());
    let everything = String::from_utf8(LOGS.lock().unwrap().clone()).unwrap();
    for secret in secrets {
        assert!(!everything.contains(secret), "{secret} reached the log");
        assert!(!body.contains(secret), "{secret} came back in the error body");
    }
}

/// Terminal escapes and other control characters a client puts in a path, a query, a body or
/// an unknown route never reach the log as raw bytes (a log viewer would run them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_clients_never_reach_the_log_raw() {
    captured_lines();
    let app = spawn_app_with(TestEngine::Sqlite, TestOptions::default()).await;
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r\nforged line\u{0}";
    for path in ["/%1B%5B31mred%0D%0Aforged", "/api/auth/login?next=%1B%5D0%3Bx%07"] {
        app.client.get(app.at(path)).header("x-request-id", "ctl-1").send().await.unwrap();
    }
    let login = serde_json::json!({ "email": format!("{evil}@example.com"), "password": evil });
    app.client
        .post(app.at("/api/auth/login"))
        .header("x-request-id", "ctl-2")
        .json(&login)
        .send()
        .await
        .unwrap();

    let raw = LOGS.lock().unwrap().clone();
    for byte in raw.iter().copied().filter(|b| *b != b'\n') {
        assert!(byte >= 0x20 && byte != 0x7f, "a raw control byte {byte:#04x} reached the log");
    }
    assert!(!String::from_utf8_lossy(&raw).contains("forged line"), "no input text either");
    assert!(
        captured_lines()
            .iter()
            .any(|line| line["request_id"] == "ctl-2" || line["span"]["request_id"] == "ctl-2")
    );
}

/// A whole account journey — registration, verification, sign-ins right and wrong, an API key,
/// re-authentication, a password change, a reset — and then no password, token, link, key or
/// address in any log line or audit event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_journey_leaves_no_secret_in_the_logs_or_the_audit_trail() {
    use crate::smtp_sink::{SinkTls, SmtpSink, free_port};
    use serde_json::{Value, json};

    captured_lines();
    let sink = SmtpSink::start(free_port(), SinkTls::None, None);
    let overrides = sink.plain_delivery();
    let app =
        spawn_app_with(TestEngine::Sqlite, TestOptions { overrides, ..TestOptions::default() })
            .await;
    let address = "journey-7c21@example.com";
    let first = "first journey passphrase 3f9a";
    let second = "second journey passphrase 8b1e";
    let third = "third journey passphrase c4d0";
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = app.client.post(app.at(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let token_of = |message: &crate::smtp_sink::ReceivedEmail| {
        let text = message.raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
        let start = text.find("#token=").unwrap() + "#token=".len();
        text[start..start + 32].to_owned()
    };

    post("/api/auth/register", None, json!({ "email": address, "password": first })).await.unwrap();
    let verify = token_of(&sink.wait_for(1).await[0]);
    post("/api/auth/verify-email", None, json!({ "token": verify })).await.unwrap();
    post(
        "/api/auth/login",
        None,
        json!({ "email": address, "password": "wrong journey guess 11" }),
    )
    .await
    .unwrap();
    let login: Value = post(
        "/api/auth/login",
        None,
        json!({ "email": address, "password": first, "session": "token" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let session = login["token"].as_str().unwrap().to_owned();
    let in_a_month = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let key: Value = post(
        "/api/me/api-keys",
        Some(&session),
        json!({ "name": "journey", "expires_at": in_a_month }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let reauth: Value =
        post("/api/auth/reauth", Some(&session), json!({ "password": first, "session": "token" }))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let fresh = reauth["token"].as_str().unwrap().to_owned();
    // A second factor: an authenticator app, its recovery codes, a wrong code and a right one.
    let enrolment: Value =
        post("/api/me/mfa/totp", Some(&fresh), json!({})).await.unwrap().json().await.unwrap();
    let totp_secret = enrolment["secret"].as_str().unwrap().to_owned();
    let code = crate::factors::totp_code(&totp_secret, time::OffsetDateTime::now_utc());
    let confirmed: Value =
        post("/api/me/mfa/totp/confirm", Some(&fresh), json!({ "code": code, "session": "token" }))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let fresh = confirmed["session"]["token"].as_str().unwrap().to_owned();
    let recovery: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let pending: Value = post(
        "/api/auth/login",
        None,
        json!({ "email": address, "password": first, "session": "token" }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let pending = pending["token"].as_str().unwrap().to_owned();
    let wrong = crate::factors::wrong_code(&code);
    post("/api/auth/login/mfa", Some(&pending), json!({ "code": wrong })).await.unwrap();
    let second_step = post(
        "/api/auth/login/mfa",
        Some(&pending),
        json!({ "recovery_code": recovery[0], "session": "token" }),
    )
    .await
    .unwrap();
    assert_eq!(second_step.status(), 200);
    let second_step: Value = second_step.json().await.unwrap();
    let changed = post(
        "/api/auth/password/change",
        Some(&fresh),
        json!({ "current_password": first, "new_password": second }),
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), 200);
    post("/api/auth/password/forgot", None, json!({ "email": address })).await.unwrap();
    let mail = sink.wait_for(5).await;
    let reset = mail.iter().find(|m| m.subject.contains("reset your password")).unwrap();
    let reset = token_of(reset);
    let done = post("/api/auth/password/reset", None, json!({ "token": reset, "password": third }))
        .await
        .unwrap();
    assert_eq!(done.status(), 200);

    let secrets = [
        address,
        first,
        second,
        third,
        &verify,
        &reset,
        &session,
        &fresh,
        key["key"].as_str().unwrap(),
        login["token"].as_str().unwrap(),
        // (The 6-digit codes are too short to grep for among timestamps; they are never logged
        // either: no body is.)
        &totp_secret,
        &pending,
        second_step["token"].as_str().unwrap(),
    ];
    let secrets: Vec<&str> =
        secrets.into_iter().chain(recovery.iter().map(String::as_str)).collect();
    let logs = String::from_utf8(LOGS.lock().unwrap().clone()).unwrap();
    let audit = rampart_store::audit::list_audit_events(&app.db, None).await.unwrap();
    assert!(audit.len() >= 8, "the journey was audited: {audit:#?}");
    let audit = format!("{audit:?}");
    for secret in secrets {
        assert!(!logs.contains(secret), "{secret} reached the log");
        assert!(!audit.contains(secret), "{secret} reached the audit trail");
    }
}
