//! Every error is `{"error":{"code","message","request_id"}}`, with nothing internal in it.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestOptions, error_of, spawn_app, spawn_app_with};
use crate::test_routes::test_routes;

async fn with_test_routes(engine: TestEngine) -> crate::helpers::TestApp {
    spawn_app_with(engine, TestOptions { routes: Some(test_routes()), ..TestOptions::default() })
        .await
}

async fn an_unknown_route_is_a_json_404_with_the_request_id(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app
        .client
        .get(app.at("/api/nothing-here"))
        .header("x-request-id", "req-404")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["content-type"], "application/json");
    let (status, error) = error_of(response).await;
    assert_eq!(status, 404);
    assert_eq!(error["code"], "not_found");
    assert_eq!(error["request_id"], "req-404");
}

async fn a_wrong_method_is_a_json_405_that_keeps_the_allow_header(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app.client.delete(app.at("/healthz")).send().await.unwrap();

    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET"), "{allow}");
    let (status, error) = error_of(response).await;
    assert_eq!(status, 405);
    assert_eq!(error["code"], "method_not_allowed");
}

async fn malformed_json_is_a_400_that_says_where(engine: TestEngine) {
    let app = with_test_routes(engine).await;

    let response = app
        .client
        .post(app.at("/test/echo"))
        .header("content-type", "application/json")
        .body("{\"email\": \"a@example.com\",\n \"attempts\": ]")
        .send()
        .await
        .unwrap();

    let (status, error) = error_of(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "malformed_json");
    assert!(error["message"].as_str().unwrap().contains("line 2 column"), "{error}");
}

async fn a_field_of_the_wrong_type_is_a_422_naming_the_field(engine: TestEngine) {
    let app = with_test_routes(engine).await;

    let response = app
        .client
        .post(app.at("/test/echo"))
        .json(&serde_json::json!({"email": "a@example.com", "attempts": "many"}))
        .send()
        .await
        .unwrap();

    let (status, error) = error_of(response).await;
    assert_eq!(status, 422);
    assert!(error["message"].as_str().unwrap().contains("field `attempts`"), "{error}");
}

async fn a_body_that_is_not_json_is_a_415(engine: TestEngine) {
    let app = with_test_routes(engine).await;

    let response = app
        .client
        .post(app.at("/test/echo"))
        .header("content-type", "text/plain")
        .body("email=a@example.com")
        .send()
        .await
        .unwrap();

    let (status, error) = error_of(response).await;
    assert_eq!(status, 415);
    assert_eq!(error["code"], "unsupported_media_type");
}

async fn valid_json_reaches_the_handler(engine: TestEngine) {
    let app = with_test_routes(engine).await;

    let response = app
        .client
        .post(app.at("/test/echo"))
        .json(&serde_json::json!({"email": "a@example.com", "attempts": 3}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["attempts"], 3);
}

async fn a_panicking_handler_gives_an_opaque_500(engine: TestEngine) {
    let app = with_test_routes(engine).await;

    let response = app.get("/test/panic").await;

    let (status, error) = error_of(response).await;
    assert_eq!(status, 500);
    assert_eq!(error["code"], "internal_error");
    assert_eq!(error["message"], "internal error");
    assert!(!error.to_string().contains("boom"));
    // The server keeps serving.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

on_both_engines!(
    an_unknown_route_is_a_json_404_with_the_request_id,
    a_wrong_method_is_a_json_405_that_keeps_the_allow_header,
    malformed_json_is_a_400_that_says_where,
    a_field_of_the_wrong_type_is_a_422_naming_the_field,
    a_body_that_is_not_json_is_a_415,
    valid_json_reaches_the_handler,
    a_panicking_handler_gives_an_opaque_500,
);
