//! Detection as an attack would set it off: each simulation raises exactly its alert, once per
//! window, and none of the others. Delivery to a real webhook receiver on loopback (signed,
//! retried, dead-lettered), e-mail to the security officers, and the live feed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rampart_core::alerts::verify_and_alert;
use rampart_core::audit::AuditEvent;
use rampart_core::unit_of_work::record;
use rampart_domain::{AuditAction, BuiltInRole};
use rampart_store::alerts::list_alerts;
use rampart_store::on_both_engines;
use rampart_store::outbox::count_outbox_messages;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestOptions, spawn_app_with};
use crate::people::{PASSWORD, bearer, create_user, login_from};

const WRONG: &str = "certainly not the password";
const SECRET: &str = "a-webhook-secret-of-at-least-32-chars";

/// A server that trusts 127.0.0.1 as its proxy, so a test can sign in "from" any address.
async fn behind_a_proxy(
    engine: TestEngine,
    mut extra: Vec<(&'static str, toml::Value)>,
) -> TestApp {
    extra.push(("server.trusted_proxies", vec!["127.0.0.1"].into()));
    spawn_app_with(engine, TestOptions { overrides: extra, ..TestOptions::default() }).await
}

/// The rules raised so far, oldest first.
async fn raised(app: &TestApp) -> Vec<String> {
    let mut rules: Vec<(i64, String)> = list_alerts(&app.db, None, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|alert| (alert.id, alert.rule))
        .collect();
    rules.sort();
    rules.into_iter().map(|(_, rule)| rule).collect()
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn a_brute_force_on_one_account_raises_account_throttled_once(engine: TestEngine) {
    let app = behind_a_proxy(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;
    for _ in 0..8 {
        login_from(&app, "203.0.113.9", "ada@example.com", WRONG, FIREFOX).await;
    }
    assert_eq!(raised(&app).await, ["account_throttled"]);
}

async fn a_spray_from_one_address_over_fifty_accounts_raises_password_spraying_once(
    engine: TestEngine,
) {
    let app = behind_a_proxy(engine, vec![]).await;
    for n in 0..50 {
        login_from(&app, "203.0.113.7", &format!("user{n}@example.com"), WRONG, FIREFOX).await;
    }
    assert_eq!(raised(&app).await, ["password_spraying"]);
    let alerts = list_alerts(&app.db, None, None, 10).await.unwrap();
    assert_eq!(alerts[0].subject, "ip:203.0.113.7");
    assert_eq!(alerts[0].severity, "high");
}

async fn credential_stuffing_from_twenty_addresses_raises_credential_stuffing_once(
    engine: TestEngine,
) {
    let app = behind_a_proxy(engine, vec![]).await;
    for n in 0..20 {
        let ip = format!("198.51.100.{}", n + 1);
        login_from(&app, &ip, &format!("leaked{n}@example.com"), WRONG, FIREFOX).await;
    }
    assert_eq!(raised(&app).await, ["credential_stuffing"]);
}

async fn a_sign_in_from_a_new_device_raises_new_device(engine: TestEngine) {
    let app = behind_a_proxy(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;
    assert_eq!(login_from(&app, "203.0.113.1", "ada@example.com", PASSWORD, FIREFOX).await, 200);
    assert_eq!(login_from(&app, "203.0.113.2", "ada@example.com", PASSWORD, FIREFOX).await, 200);
    assert!(raised(&app).await.is_empty(), "the first device, and the same one again");

    let chrome = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";
    assert_eq!(login_from(&app, "192.0.2.50", "ada@example.com", PASSWORD, chrome).await, 200);
    assert_eq!(raised(&app).await, ["new_device"]);
}

async fn a_burst_of_refusals_raises_authz_failure_burst_once(engine: TestEngine) {
    let app = behind_a_proxy(engine, vec![]).await;
    create_user(&app, "staff@example.com", &[BuiltInRole::Staff]).await;
    let token = bearer(&app, "staff@example.com").await;
    for _ in 0..25 {
        assert_eq!(app.get_with("/api/audit", &token).await.status(), 403);
    }
    assert_eq!(raised(&app).await, ["authz_failure_burst"]);
}

async fn a_staff_member_reading_500_sensitive_records_in_a_minute_raises_mass_sensitive_reads(
    engine: TestEngine,
) {
    let app = behind_a_proxy(engine, vec![]).await;
    let staff = create_user(&app, "staff@example.com", &[BuiltInRole::Staff]).await;
    // What the records API records for each sensitive record it reads (records issue).
    for n in 0..520 {
        let event = AuditEvent::success(AuditAction::SensitiveRead)
            .actor(staff)
            .target(format!("record:customers/{n}"));
        record(&app.state, event).await.unwrap();
    }
    assert_eq!(raised(&app).await, ["mass_sensitive_reads"]);
}

async fn granting_admin_raises_privileged_role_granted_and_granting_staff_does_not(
    engine: TestEngine,
) {
    let app = behind_a_proxy(engine, vec![]).await;
    let ada = create_user(&app, "ada@example.com", &[]).await;
    // What the roles API records for a grant (roles issue).
    for role in ["staff", "admin"] {
        let event = AuditEvent::success(AuditAction::PrivilegePermissionsChanged)
            .target(format!("user:{ada}"))
            .detail("change", "granted")
            .detail("role", role);
        record(&app.state, event).await.unwrap();
    }
    assert_eq!(raised(&app).await, ["privileged_role_granted"]);
}

async fn a_tampered_audit_row_raises_audit_chain_broken(engine: TestEngine) {
    let app = behind_a_proxy(engine, vec![]).await;
    create_user(&app, "ada@example.com", &[]).await;
    login_from(&app, "203.0.113.1", "ada@example.com", WRONG, FIREFOX).await;
    login_from(&app, "203.0.113.1", "ada@example.com", PASSWORD, FIREFOX).await;
    app.run_sql("UPDATE audit_events SET outcome = 'success' WHERE seq = 1");

    verify_and_alert(&app.state).await.unwrap();
    verify_and_alert(&app.state).await.unwrap();

    assert_eq!(raised(&app).await, ["audit_chain_broken"], "once per window");
    let alerts = list_alerts(&app.db, None, None, 10).await.unwrap();
    assert_eq!(alerts[0].severity, "critical");
}

/// A webhook receiver on loopback: records each request; answers the statuses in `answers`
/// in turn (then 200).
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<(String, String, std::time::Instant)>>>,
}

async fn receiver(answers: Vec<u16>) -> Receiver {
    use axum::http::{HeaderMap, StatusCode};
    let received = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let log = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = Arc::clone(&log);
            let answers = Arc::clone(&answers);
            async move {
                let signature = headers["x-rampart-signature"].to_str().unwrap().to_owned();
                log.lock().unwrap().push((signature, body, std::time::Instant::now()));
                let status = answers.lock().unwrap().next().unwrap_or(200);
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, received }
}

/// HMAC-SHA-256 by openssl, not by our code: what a receiver would check.
fn openssl_hmac(secret: &str, message: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-hmac", secret, "-r"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    out.split_whitespace().next().unwrap().to_owned()
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn alerts_reach_the_webhook_signed_after_retries_and_the_officers_by_email(
    engine: TestEngine,
) {
    let hook = receiver(vec![500, 503]).await;
    let app = behind_a_proxy(
        engine,
        vec![
            ("alerts.webhook_url", hook.url.clone().into()),
            ("alerts.webhook_secret", SECRET.into()),
        ],
    )
    .await;
    create_user(&app, "officer@example.com", &[BuiltInRole::SecurityOfficer]).await;
    // An officer must have a second factor; enrolling one is e-mailed, so count after it.
    let officer = crate::factors::mfa_bearer(&app, "officer@example.com").await;
    let mail_before = count_outbox_messages(&app.db).await.unwrap();

    for _ in 0..6 {
        login_from(&app, "203.0.113.9", "ada@example.com", WRONG, FIREFOX).await;
    }

    until("three webhook attempts", async || hook.received.lock().unwrap().len() >= 3).await;
    let (signature, body, _) = hook.received.lock().unwrap()[2].clone();
    let (t, v1) = signature.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    assert_eq!(v1, openssl_hmac(SECRET, &format!("{t}.{body}")), "the signature verifies");
    let alert: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(alert["rule"], "account_throttled");
    assert!(!body.contains("ada@example.com"), "no address in an alert");

    let page: Value = app.get_with("/api/alerts", &officer).await.json().await.unwrap();
    let deliveries = page["alerts"][0]["deliveries"].as_array().unwrap().clone();
    let webhook = deliveries.iter().find(|d| d["sink"] == "webhook").unwrap();
    assert_eq!(
        (webhook["status"].as_str(), webhook["attempts"].as_i64()),
        (Some("delivered"), Some(3))
    );
    let email = deliveries.iter().find(|d| d["sink"] == "email").unwrap();
    assert_eq!(email["status"], "delivered");
    assert_eq!(count_outbox_messages(&app.db).await.unwrap(), mail_before + 1, "to the officer");
}

async fn a_webhook_that_keeps_failing_is_marked_dead_and_shown(engine: TestEngine) {
    let hook = receiver(vec![500; 10]).await;
    let app = behind_a_proxy(
        engine,
        vec![
            ("alerts.webhook_url", hook.url.clone().into()),
            ("alerts.webhook_secret", SECRET.into()),
            ("alerts.max_attempts", 2.into()),
            ("alerts.email_security_officers", false.into()),
        ],
    )
    .await;
    create_user(&app, "officer@example.com", &[BuiltInRole::SecurityOfficer]).await;
    let officer = crate::factors::mfa_bearer(&app, "officer@example.com").await;
    for _ in 0..6 {
        login_from(&app, "203.0.113.9", "ada@example.com", WRONG, FIREFOX).await;
    }
    let dead = async || {
        let page: Value = app.get_with("/api/alerts", &officer).await.json().await.unwrap();
        page["alerts"][0]["deliveries"][0]["status"] == "dead"
    };
    until("a dead delivery", dead).await;
    let page: Value = app.get_with("/api/alerts?status=open", &officer).await.json().await.unwrap();
    assert_eq!(page["alerts"][0]["deliveries"][0]["last_error"], "answered 500");
    assert_eq!(hook.received.lock().unwrap().len(), 2);

    let id = page["alerts"][0]["id"].as_i64().unwrap();
    let staff_denied = app
        .post_with(&format!("/api/alerts/{id}/status"), &officer, json!({"status": "resolved"}))
        .await;
    assert_eq!(staff_denied.status(), 204, "security officers manage incidents");
    let resolved: Value =
        app.get_with("/api/alerts?status=resolved", &officer).await.json().await.unwrap();
    assert_eq!(resolved["alerts"].as_array().unwrap().len(), 1);
}

async fn the_live_feed_pushes_a_new_alert(engine: TestEngine) {
    let app = behind_a_proxy(engine, vec![]).await;
    create_user(&app, "officer@example.com", &[BuiltInRole::SecurityOfficer]).await;
    let officer = crate::factors::mfa_bearer(&app, "officer@example.com").await;
    let mut feed =
        app.client.get(app.at("/api/alerts/stream")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));

    for _ in 0..6 {
        login_from(&app, "203.0.113.9", "ada@example.com", WRONG, FIREFOX).await;
    }

    let mut text = String::new();
    let read = async {
        while !text.contains("\n\n") || !text.contains("event: alert") {
            let chunk = feed.chunk().await.unwrap().unwrap();
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("the alert within 5 s");
    assert!(text.contains("account_throttled"), "{text}");
}

on_both_engines!(
    a_brute_force_on_one_account_raises_account_throttled_once,
    a_spray_from_one_address_over_fifty_accounts_raises_password_spraying_once,
    credential_stuffing_from_twenty_addresses_raises_credential_stuffing_once,
    a_sign_in_from_a_new_device_raises_new_device,
    a_burst_of_refusals_raises_authz_failure_burst_once,
    a_staff_member_reading_500_sensitive_records_in_a_minute_raises_mass_sensitive_reads,
    granting_admin_raises_privileged_role_granted_and_granting_staff_does_not,
    a_tampered_audit_row_raises_audit_chain_broken,
    alerts_reach_the_webhook_signed_after_retries_and_the_officers_by_email,
    a_webhook_that_keeps_failing_is_marked_dead_and_shown,
    the_live_feed_pushes_a_new_alert,
);
