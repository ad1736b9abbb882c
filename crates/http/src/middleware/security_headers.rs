//! The security headers of SECURITY.md, on every response.
//!
//! A handler that serves HTML sets its own nonce-based `Content-Security-Policy`; every header
//! here is added only where the handler did not set it.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy)]
pub(crate) struct SecurityHeaders {
    /// Send `Strict-Transport-Security`: the public origin is HTTPS.
    pub(crate) hsts: bool,
}

pub(crate) const HSTS: &str = "max-age=31536000; includeSubDomains";
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub(crate) async fn set_security_headers(
    State(settings): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    if settings.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    set(header::CONTENT_SECURITY_POLICY, API_CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("cross-origin-resource-policy"), "same-origin");
    // API answers may carry personal data: no shared or browser cache keeps them.
    set(header::CACHE_CONTROL, "no-store");
    response
}
