//! How a page leaves: rendered from its template, with the pages' CSP, marked so that the JSON
//! error envelope leaves its body alone; and the redirects between pages.
//!
//! The CSP allows scripts and styles only from our own files (`/assets/…`): no inline code, no
//! `eval`, nothing from elsewhere; images from us or `data:` (the QR code); forms post only
//! here; no framing; violations are reported to `POST /api/csp-report`, which audits them.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::ApiError;

/// The Content-Security-Policy of every page.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; report-uri /api/csp-report";

/// In a response's extensions: the body is a page for people, which
/// `middleware/error_envelope.rs` must not replace with JSON even when the status is an error
/// (a form shown again with its message is a 4xx page).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBody;

/// What every page's layout shows: the site's name, our stylesheet, and — for a signed-in
/// person — the sign-out form with its CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) site: String,
    pub(crate) css: String,
    /// The form token of the session, when someone is signed in (the sign-out button).
    pub(crate) signed_in_token: Option<String>,
}

impl Layout {
    pub(crate) fn new(site: &str, signed_in_token: Option<String>) -> Self {
        Self { site: site.to_owned(), css: super::assets::url("app", "css"), signed_in_token }
    }
}

/// `template` rendered as the answer, with `status`.
pub(crate) fn render(status: StatusCode, template: &impl Template) -> Response {
    let html = match template.render() {
        Ok(html) => html,
        Err(error) => return ApiError::internal(error).into_response(),
    };
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    response.extensions_mut().insert(PageBody);
    response
}

/// The page `page(message)` shows after `error`: with the error's status, message and
/// `Retry-After`, its code kept for the audit of a refusal, and its cause logged as any route's
/// is (`ApiError::into_response`).
pub(crate) fn refused_with<T: Template>(
    error: ApiError,
    page: impl FnOnce(String) -> T,
) -> Response {
    let message = error.to_string();
    let mut answer = error.into_response();
    let mut response = render(answer.status(), &page(message));
    if let Some(retry_after) = answer.headers_mut().remove(header::RETRY_AFTER) {
        response.headers_mut().insert(header::RETRY_AFTER, retry_after);
    }
    if let Some(body) = answer.extensions_mut().remove::<crate::ErrorBody>() {
        response.extensions_mut().insert(body);
    }
    response
}

/// `template` as a 200 page.
pub(crate) fn ok(template: &impl Template) -> Response {
    render(StatusCode::OK, template)
}

/// Sends the browser to `to` with a GET (303 See Other: after a form, the back button and a
/// reload do not post it again).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
