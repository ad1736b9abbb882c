//! CORS: pages from `server.public_origin` and `server.cors_origins` — and no other — may call
//! the API from a browser with credentials. Everything else gets no CORS headers, so the browser
//! keeps the response from the page (and refuses to send JSON or credentials at all).

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::caller::CSRF_HEADER;
use rampart_core::config::ServerSettings;

/// The origins allowed to call with credentials: the public origin first, then the configured.
pub(crate) fn allowed_origins(server: &ServerSettings) -> Vec<String> {
    let public = server.public_origin.trim_end_matches('/').to_owned();
    let mut origins = vec![public];
    origins.extend(server.cors_origins.iter().cloned());
    origins
}

pub(crate) fn layer(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::IF_MATCH,
            HeaderName::from_static(CSRF_HEADER),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}
