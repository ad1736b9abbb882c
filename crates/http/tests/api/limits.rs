//! Body size, request time and request head size are bounded.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestOptions, error_of, spawn_app, spawn_app_with};
use crate::test_routes::test_routes;

async fn a_body_over_the_limit_is_a_413(engine: TestEngine) {
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![("server.body_limit_bytes", 1024.into())],
            routes: Some(test_routes()),
            ..TestOptions::default()
        },
    )
    .await;
    let email = "a".repeat(2000);

    let response = app
        .client
        .post(app.at("/test/echo"))
        .json(&serde_json::json!({"email": email, "attempts": 1}))
        .send()
        .await
        .unwrap();

    let (status, error) = error_of(response).await;
    assert_eq!(status, 413);
    assert_eq!(error["code"], "payload_too_large");
}

/// Over HTTP/2 too, and with a body far beyond the flow-control window (the client is still
/// sending when the answer comes): 413, not a reset stream. Asked with curl, which reported the
/// reset as no answer at all (`000`); declared length and streamed.
async fn an_http2_body_over_the_limit_is_a_413_not_a_reset(engine: TestEngine) {
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![("server.body_limit_bytes", 1024.into())],
            ..TestOptions::default()
        },
    )
    .await;
    let body = app.data_dir.join("big.json");
    std::fs::write(&body, format!("{{\"email\":\"{}\"}}", "a".repeat(3 << 20))).unwrap();

    for (source, stdin) in [(format!("@{}", body.display()), None), ("@-".to_owned(), Some(&body))]
    {
        let mut curl = std::process::Command::new("curl");
        curl.args(["--http2", "--silent", "--output", "/dev/null"])
            .args(["--write-out", "%{http_code} %{http_version}"])
            .arg("--cacert")
            .arg(app.data_dir.join("tls/ca.pem"))
            .args(["--resolve", &format!("localhost:{}:127.0.0.1", app.address.port())])
            .args(["--header", "content-type: application/json", "--data-binary", &source])
            .arg(app.at("/api/auth/login"));
        if let Some(file) = stdin {
            curl.stdin(std::fs::File::open(file).unwrap());
        }
        let output = curl.output().expect("curl is installed");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "413 2", "body {source}");
    }
}

async fn a_handler_slower_than_the_timeout_is_a_408(engine: TestEngine) {
    let app = spawn_app_with(
        engine,
        TestOptions {
            overrides: vec![("server.request_timeout_secs", 1.into())],
            routes: Some(test_routes()),
            ..TestOptions::default()
        },
    )
    .await;

    let response = app.get("/test/slow").await;

    let (status, error) = error_of(response).await;
    assert_eq!(status, 408);
    assert_eq!(error["code"], "request_timeout");
}

async fn a_request_head_over_the_limit_is_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let result =
        app.client.get(app.at("/healthz")).header("x-padding", "p".repeat(32 * 1024)).send().await;

    match result {
        Ok(response) => assert_eq!(response.status(), 431),
        Err(error) => assert!(error.is_request() || error.is_connect(), "{error}"),
    }
}

on_both_engines!(
    a_body_over_the_limit_is_a_413,
    an_http2_body_over_the_limit_is_a_413_not_a_reset,
    a_handler_slower_than_the_timeout_is_a_408,
    a_request_head_over_the_limit_is_refused,
);
