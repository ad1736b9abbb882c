//! Request ids and security headers, on every response, success or error.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::spawn_app;

fn assert_security_headers(response: &reqwest::Response) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing on {}", response.url()))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("strict-transport-security"), "max-age=31536000; includeSubDomains");
    assert_eq!(header("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cross-origin-opener-policy"), "same-origin");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("cache-control"), "no-store");
}

async fn every_response_carries_the_security_headers(engine: TestEngine) {
    let app = spawn_app(engine).await;

    for path in ["/healthz", "/readyz", "/no/such/route"] {
        assert_security_headers(&app.get(path).await);
    }
    let not_allowed = app.client.post(app.at("/healthz")).send().await.unwrap();
    assert_security_headers(&not_allowed);
}

async fn a_well_formed_request_id_is_echoed(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app
        .client
        .get(app.at("/healthz"))
        .header("x-request-id", "trace-42.a_b")
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["x-request-id"], "trace-42.a_b");
}

async fn a_malformed_request_id_is_replaced_by_a_fresh_one(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let response = app
        .client
        .get(app.at("/healthz"))
        .header("x-request-id", "bad id with spaces\" and {json}")
        .send()
        .await
        .unwrap();

    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "a generated id: {id}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
}

async fn requests_without_an_id_get_distinct_ids(engine: TestEngine) {
    let app = spawn_app(engine).await;

    let first = app.get("/healthz").await.headers()["x-request-id"].clone();
    let second = app.get("/healthz").await.headers()["x-request-id"].clone();

    assert_ne!(first, second);
}

on_both_engines!(
    every_response_carries_the_security_headers,
    a_well_formed_request_id_is_echoed,
    a_malformed_request_id_is_replaced_by_a_fresh_one,
    requests_without_an_id_get_distinct_ids,
);
