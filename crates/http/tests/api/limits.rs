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
    a_handler_slower_than_the_timeout_is_a_408,
    a_request_head_over_the_limit_is_refused,
);
