use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::spawn_app;

async fn healthz_answers_ok(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn readyz_is_ready_while_the_database_answers(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), 200);
}

async fn readyz_answers_503_when_the_database_is_gone(engine: TestEngine) {
    let app = spawn_app(engine).await;
    app.db.close().await;

    let response = app.get("/readyz").await;

    assert_eq!(response.status(), 503);
    let (_, error) = crate::helpers::error_of(response).await;
    assert_eq!(error["code"], "not_ready");
    // The process itself is still up.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

on_both_engines!(
    healthz_answers_ok,
    readyz_is_ready_while_the_database_answers,
    readyz_answers_503_when_the_database_is_gone,
);
