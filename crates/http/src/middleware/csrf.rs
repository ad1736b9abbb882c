//! Cross-site request forgery: a browser sends the session cookie by itself, so a state-changing request
//! (anything but GET, HEAD, OPTIONS) that rides on the cookie must prove it came from our pages:
//!
//! 1. `Sec-Fetch-Site: cross-site` is refused;
//! 2. `Sec-Fetch-Site` must be `same-origin` (or `none`: typed by the user); otherwise — an older
//!    browser without Fetch Metadata, or a `same-site` sibling — `Origin` must be one of the
//!    configured origins (`server.public_origin`, `server.cors_origins`);
//! 3. `X-CSRF-Token` must be the session's CSRF token (given at sign-in).
//!
//! A sign-in (`POST /api/auth/login`, the passkey sign-in) is asked only step 2 of a leftover
//! cookie: it replaces the session, so a stale one must not block it.
//!
//! Requests authenticated by `Authorization: Bearer` carry no ambient authority and skip all of
//! it; API requests without a session (sign-in) are JSON-only, which a cross-site page cannot
//! send without a CORS preflight that only configured origins pass. GET never changes state.
//!
//! The pages (`web/`) post HTML forms (`application/x-www-form-urlencoded`), which any site's
//! page can send too, without a preflight. So a form post is asked step 1–2 even without a
//! session (no one is signed in to someone else's account from another site's page: login
//! CSRF), and with the cookie its token may come as the form's `csrf_token` field instead of
//! the header: the same token, compared the same way. Nothing changes for JSON requests.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use rampart_core::sessions::{PendingSignIn, Presented, Principal};

use crate::ApiError;
use crate::caller::cookie::session_token_from_cookies;
use crate::caller::{CSRF_HEADER, csrf_token_for};

/// The origins whose pages may make state-changing requests with the cookie.
#[derive(Debug, Clone)]
pub(crate) struct AllowedOrigins(pub(crate) Arc<Vec<String>>);

pub(crate) async fn check_csrf(
    State(origins): State<AllowedOrigins>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    let extensions = request.extensions();
    let by_cookie = extensions.get::<Principal>().is_some_and(Principal::presented_by_cookie)
        || extensions.get::<PendingSignIn>().is_some_and(|p| p.presented == Presented::Cookie);
    let form = is_form(request.headers());
    // `Authorization` is never sent by a browser on its own (another site's form cannot set
    // it): an API client that posts a form body with its key or token is no page to check.
    let bearer = request.headers().contains_key(header::AUTHORIZATION);
    if form && !bearer && !from_our_pages(request.headers(), &origins.0) {
        return ApiError::CsrfRejected.into_response();
    }
    // A browser's CSP report, or a website form, may carry the cookie but never our token, and
    // changes nothing of the person's: anyone may send one anyway.
    if !by_cookie
        || is_csp_report(request.method(), request.uri().path())
        || is_public_form(request.method(), request.uri().path())
    {
        return next.run(request).await;
    }
    if is_sign_in(request.method(), request.uri().path()) {
        // A leftover cookie (another person's session, a sign-in never finished) must not stop
        // a sign-in, which replaces it: no token is asked of it, only that it comes from our
        // pages (the body is JSON besides, which a cross-site page cannot send; a form has
        // been asked the same just above).
        if !from_our_pages(request.headers(), &origins.0) {
            return ApiError::CsrfRejected.into_response();
        }
        return next.run(request).await;
    }
    if cookie_request_allowed(request.headers(), &origins.0) {
        return next.run(request).await;
    }
    if !form {
        return ApiError::CsrfRejected.into_response();
    }
    // A page's form: the token is in the body, which `read_body` has already read whole.
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::CsrfRejected.into_response();
    };
    if !form_token_matches(&parts.headers, &bytes) {
        return ApiError::CsrfRejected.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The name of the hidden field that carries the token in the pages' forms.
pub(crate) const FORM_TOKEN_FIELD: &str = "csrf_token";

/// Whether the body is an HTML form's (`application/x-www-form-urlencoded`).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// Whether the form `body` carries the session's CSRF token in [`FORM_TOKEN_FIELD`] (the
/// first such field; a form with none fails).
fn form_token_matches(headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(cookie) = session_token_from_cookies(headers) else { return false };
    let Some((_, sent)) =
        url::form_urlencoded::parse(body).find(|(name, _)| name == FORM_TOKEN_FIELD)
    else {
        return false;
    };
    let expected = csrf_token_for(cookie);
    expected.as_bytes().ct_eq(sent.as_bytes()).into()
}

/// The requests that start a sign-in (and replace the session the browser holds).
fn is_sign_in(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && matches!(
            path,
            "/api/auth/login"
                | "/api/auth/login/passkey/start"
                | "/api/auth/login/passkey/finish"
                | "/sign-in"
        )
}

/// The endpoint browsers post CSP violation reports to.
fn is_csp_report(method: &Method, path: &str) -> bool {
    *method == Method::POST && path == "/api/csp-report"
}

/// A website form (`POST /api/forms/{collection}`) ignores who sends it — anyone may submit it
/// without signing in — so a visitor's session cookie lends it nothing: the site's static
/// pages cannot carry the session's token, and a signed-in customer must still be able to send
/// the contact form. An HTML form is still asked to come from our pages (above).
fn is_public_form(method: &Method, path: &str) -> bool {
    *method == Method::POST && path.starts_with("/api/forms/")
}

/// Whether a state-changing request that rides on the session cookie may go on: it comes from
/// our pages and carries the session's CSRF token.
pub(crate) fn cookie_request_allowed(headers: &HeaderMap, origins: &[String]) -> bool {
    from_our_pages(headers, origins) && token_matches(headers)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn from_our_pages(headers: &HeaderMap, origins: &[String]) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin" | "none") => true,
        Some("cross-site") => false,
        _ => headers
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| origins.iter().any(|allowed| allowed == origin)),
    }
}

fn token_matches(headers: &HeaderMap) -> bool {
    let (Some(cookie), Some(sent)) = (
        session_token_from_cookies(headers),
        headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let expected = csrf_token_for(cookie);
    expected.as_bytes().ct_eq(sent.as_bytes()).into()
}
