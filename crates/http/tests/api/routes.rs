//! Every route declares who may call it. The public ones are listed here on purpose: adding a
//! route anyone may call without signing in must be a visible decision in review. Every other
//! route must refuse a caller without a session.

use rampart_http::routes::{Access, Face, table};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::spawn_app;

#[test]
fn the_public_routes_are_exactly_the_allowlist() {
    let mut public: Vec<&str> = table()
        .declared_for(Face::Api)
        .filter(|route| route.access == Access::Public)
        .map(|route| route.path)
        .collect();
    public.sort_unstable();
    public.dedup();

    assert_eq!(
        public,
        [
            "/api/auth/bootstrap",
            "/api/auth/email/confirm",
            "/api/auth/login",
            "/api/auth/login/mfa",
            "/api/auth/login/passkey/finish",
            "/api/auth/login/passkey/start",
            "/api/auth/password/forgot",
            "/api/auth/password/reset",
            "/api/auth/register",
            "/api/auth/verify-email",
            "/api/csp-report",
            "/api/forms/{collection}",
            "/api/invitations/accept",
            "/api/openapi.json",
            "/healthz",
            "/readyz",
            "/setup",
        ]
    );
}

async fn every_other_route_answers_401_without_a_session(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let some_id = "0190e0b4-3c3b-7d2e-9a51-4c6f2b7e8d10";
    let protected: Vec<_> = table()
        .declared_for(Face::Api)
        .filter(|route| route.access != Access::Public)
        .cloned()
        .collect();
    assert!(protected.len() >= 10, "{protected:?}");

    // Every declared method of every path that is not public, one at a time.
    for route in protected {
        let path = route.path.replace("{id}", some_id);
        let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.at(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path}");
    }
}

on_both_engines!(every_other_route_answers_401_without_a_session);

#[test]
fn the_public_pages_are_exactly_the_allowlist() {
    let mut public: Vec<String> = table()
        .declared_for(Face::Page)
        .filter(|route| route.access == Access::Public)
        .map(|route| format!("{} {}", route.method, route.path))
        .collect();
    public.sort_unstable();

    assert_eq!(
        public,
        [
            "GET /accept-invitation",
            "GET /assets/{file}",
            "GET /confirm-email",
            "GET /forgot-password",
            "GET /register",
            "GET /reset-password",
            "GET /sign-in",
            "GET /sign-in/second-factor",
            "GET /verify-email",
            "POST /accept-invitation",
            "POST /confirm-email",
            "POST /forgot-password",
            "POST /register",
            "POST /reset-password",
            "POST /sign-in",
            "POST /sign-in/second-factor",
            "POST /verify-email",
        ]
    );
}

async fn every_other_page_sends_a_browser_without_a_session_to_sign_in(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let protected: Vec<_> = table()
        .declared_for(Face::Page)
        .filter(|route| route.access != Access::Public)
        .cloned()
        .collect();
    assert!(protected.len() >= 5, "{protected:?}");

    for route in protected {
        let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.at(route.path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body("csrf_token=x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{method} {}", route.path);
        assert_eq!(response.headers()["location"], "/sign-in", "{method} {}", route.path);
    }
}

on_both_engines!(every_other_page_sends_a_browser_without_a_session_to_sign_in);
