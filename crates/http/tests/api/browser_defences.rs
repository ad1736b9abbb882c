//! CSRF for cookie sessions (Fetch Metadata, Origin, token) and CORS for configured origins only.

use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::{TestApp, TestOptions, spawn_app, spawn_app_with};
use crate::people::{BrowserSession, PASSWORD, bearer, browser_login, create_user};

/// `POST /api/auth/logout` with the cookie and the given extra headers: the unsafe request every
/// case below tries.
async fn logout_with(app: &TestApp, session: &BrowserSession, headers: &[(&str, &str)]) -> u16 {
    let mut request = app.client.post(app.at("/api/auth/logout")).header("cookie", &session.cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status == 403 {
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "csrf_rejected");
    }
    status
}

async fn cookie_requests_from_other_sites_or_without_the_token_are_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let session = browser_login(&app, "ada@example.com").await;
    let token = session.csrf.as_str();
    let origin = app.state.settings.server.public_origin.clone();

    let cross_site = [("sec-fetch-site", "cross-site"), ("x-csrf-token", token)];
    assert_eq!(logout_with(&app, &session, &cross_site).await, 403, "cross-site");
    let no_token = [("sec-fetch-site", "same-origin")];
    assert_eq!(logout_with(&app, &session, &no_token).await, 403, "no token");
    let wrong_token = [("sec-fetch-site", "same-origin"), ("x-csrf-token", "0000")];
    assert_eq!(logout_with(&app, &session, &wrong_token).await, 403, "wrong token");
    let foreign_origin = [("origin", "https://evil.example"), ("x-csrf-token", token)];
    assert_eq!(
        logout_with(&app, &session, &foreign_origin).await,
        403,
        "old browser, other origin"
    );
    let no_metadata = [("x-csrf-token", token)];
    assert_eq!(
        logout_with(&app, &session, &no_metadata).await,
        403,
        "neither Fetch Metadata nor Origin"
    );

    let our_origin = [("origin", origin.as_str()), ("x-csrf-token", token)];
    assert_eq!(logout_with(&app, &session, &our_origin).await, 204, "old browser, our origin");
}

async fn same_origin_requests_with_the_token_pass_and_bearer_needs_none(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let session = browser_login(&app, "ada@example.com").await;

    let headers = [("sec-fetch-site", "same-origin"), ("x-csrf-token", session.csrf.as_str())];
    assert_eq!(logout_with(&app, &session, &headers).await, 204);

    let token = bearer(&app, "ada@example.com").await;
    let out = app
        .client
        .post(app.at("/api/auth/logout"))
        .bearer_auth(&token)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204, "a bearer token is no ambient authority");

    // Also with a form body and no Origin (as API tools send an empty POST): the form check is
    // for browsers' pages, and a browser never adds `Authorization` by itself.
    let token = bearer(&app, "ada@example.com").await;
    let out = app
        .client
        .post(app.at("/api/auth/logout"))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204, "a bearer API client posting a form body");
}

async fn only_configured_origins_get_cors_headers(engine: TestEngine) {
    let options = TestOptions {
        overrides: vec![("server.cors_origins", vec!["https://www.example.com"].into())],
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.at("/api/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };

    let allowed = preflight("https://www.example.com").await.unwrap();
    let refused = preflight("https://evil.example").await.unwrap();

    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://www.example.com");
    assert_eq!(allowed.headers()["access-control-allow-credentials"], "true");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}

/// A browser still holding someone else's session cookie can sign in from our pages (the new
/// session replaces the cookie), and no token is asked of it; from another site it cannot.
async fn a_leftover_cookie_does_not_block_a_sign_in_from_our_pages(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    create_user(&app, "bob@example.com", &[]).await;
    let leftover = browser_login(&app, "ada@example.com").await;
    let sign_in = |site: &'static str| {
        app.client
            .post(app.at("/api/auth/login"))
            .header("cookie", &leftover.cookie)
            .header("sec-fetch-site", site)
            .json(&serde_json::json!({ "email": "bob@example.com", "password": PASSWORD }))
            .send()
    };

    let cross_site = sign_in("cross-site").await.unwrap();
    assert_eq!(cross_site.status(), 403, "a sign-in from another site rode on the cookie");
    let ours = sign_in("same-origin").await.unwrap();
    assert_eq!(ours.status(), 200, "a leftover cookie blocked the sign-in");
    let set_cookie = ours.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("__Host-rampart_session="), "{set_cookie}");
    let me: serde_json::Value = ours.json().await.unwrap();
    assert!(me["user_id"].is_string(), "{me}");
}

on_both_engines!(
    a_leftover_cookie_does_not_block_a_sign_in_from_our_pages,
    cookie_requests_from_other_sites_or_without_the_token_are_refused,
    same_origin_requests_with_the_token_pass_and_bearer_needs_none,
    only_configured_origins_get_cors_headers,
);
