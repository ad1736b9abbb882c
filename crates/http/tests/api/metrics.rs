//! `GET /metrics` as Prometheus scrapes it: only with `metrics.token`, in a format promtool
//! accepts, counting what happened on this instance and what the database holds for all.

use std::io::Write;
use std::process::{Command, Stdio};

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestApp, TestOptions, spawn_app, spawn_app_with};
use crate::people::{PASSWORD, create_user, login};

const TOKEN: &str = "a-scraper-token-of-at-least-32-characters";

async fn with_metrics_token(engine: TestEngine) -> TestApp {
    let options =
        TestOptions { overrides: vec![("metrics.token", TOKEN.into())], ..TestOptions::default() };
    spawn_app_with(engine, options).await
}

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.at("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// `promtool check metrics` (Debian's prometheus package) on `body`: its verdict and messages.
fn promtool(body: &str) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is installed (apt-get install prometheus; .ci/run does it)");
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), messages)
}

/// The value of the sample `series` (name with labels exactly as rendered), if present.
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn metrics_answer_only_the_scraper_token(engine: TestEngine) {
    let unset = spawn_app(engine).await;
    assert_eq!(scrape(&unset, Some(TOKEN)).await.status(), 401, "no token set: nobody scrapes");

    let app = with_metrics_token(engine).await;
    assert_eq!(scrape(&app, None).await.status(), 401);
    assert_eq!(scrape(&app, Some("a-scraper-token-of-at-least-32-characterz")).await.status(), 401);
    create_user(&app, "ada@example.com", &[]).await;
    let session = crate::people::bearer(&app, "ada@example.com").await;
    assert_eq!(scrape(&app, Some(&session)).await.status(), 401, "a person's session is no token");

    let answer = scrape(&app, Some(TOKEN)).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "text/plain; version=0.0.4; charset=utf-8");
}

async fn metrics_pass_promtool_and_count_sign_ins_sessions_and_the_audit_chain(engine: TestEngine) {
    let app = with_metrics_token(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    assert_eq!(login(&app, "ada@example.com", "not the password at all").await.status(), 401);
    assert_eq!(login(&app, "ada@example.com", PASSWORD).await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);

    let body = scrape(&app, Some(TOKEN)).await.text().await.unwrap();

    let (clean, messages) = promtool(&body);
    assert!(clean, "promtool: {messages}\n{body}");
    assert_eq!(sample(&body, "rampart_logins_total{outcome=\"failure\"}"), Some(1.0), "{body}");
    assert_eq!(sample(&body, "rampart_logins_total{outcome=\"success\"}"), Some(1.0));
    assert_eq!(sample(&body, "rampart_sessions_active"), Some(1.0));
    assert_eq!(sample(&body, "rampart_sign_in_throttled_addresses"), Some(0.0));
    let chain = sample(&body, "rampart_audit_chain_length").unwrap();
    assert!(chain >= 3.0, "sign-in failure, success, session: {chain}");
    assert_eq!(
        sample(
            &body,
            "rampart_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        Some(1.0)
    );
    assert!(
        body.contains(
            "rampart_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"}"
        )
    );
    for purpose in ["fields", "blind-index", "pepper", "audit", "webhook"] {
        let age = sample(&body, &format!("rampart_key_age_seconds{{purpose=\"{purpose}\"}}"));
        assert!(age.is_some_and(|age| age >= 0.0), "{purpose}: {age:?}");
    }
    assert!(!body.contains(TOKEN) && !body.contains("ada@example.com"), "nothing secret");
}

async fn raised_alerts_are_counted_by_rule(engine: TestEngine) {
    let app = with_metrics_token(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    for _ in 0..6 {
        login(&app, "ada@example.com", "not the password at all").await;
    }
    let body = scrape(&app, Some(TOKEN)).await.text().await.unwrap();
    let series = "rampart_alerts_total{rule=\"account_throttled\",severity=\"medium\"}";
    assert_eq!(sample(&body, series), Some(1.0), "{body}");
    assert!(promtool(&body).0);
}

on_both_engines!(
    metrics_answer_only_the_scraper_token,
    metrics_pass_promtool_and_count_sign_ins_sessions_and_the_audit_chain,
    raised_alerts_are_counted_by_rule,
);
