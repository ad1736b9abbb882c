//! What every request passes through, outermost first:
//!
//! 1. [`request_id`]: accept a well-formed `x-request-id` or make one; echo it on the response.
//! 2. [`request_log`]: one structured log line per request; a span that tags every line inside.
//! 3. [`security_headers`]: HSTS, CSP, nosniff, Referrer-Policy, COOP, frame-ancestors, no-store.
//! 4. CORS: only `server.public_origin` and `server.cors_origins`, with credentials.
//! 5. [`error_envelope`]: every 4xx/5xx body becomes `{"error":{"code","message","request_id"}}`.
//! 6. timeout (408), panic catcher (opaque 500, cause logged).
//! 7. [`read_body`]: the whole body is read (at most `server.body_limit_bytes`, else 413) before
//!    anything answers, so an early answer is not lost to a connection reset.
//! 8. [`rampart_core::sessions::authenticate`]: cookie or Bearer → `Principal` (or anonymous).
//! 9. [`csrf`]: state-changing requests riding on the cookie must come from our pages.
//!
//! Handlers never set these themselves.

pub(crate) mod cors;
pub(crate) mod csrf;
pub(crate) mod error_envelope;
pub(crate) mod read_body;
pub(crate) mod request_id;
pub(crate) mod request_log;
pub(crate) mod security_headers;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::AppState;
use security_headers::SecurityHeaders;

/// The limits and switches the middleware needs from the settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MiddlewareSettings {
    pub(crate) request_timeout: Duration,
    pub(crate) body_limit_bytes: usize,
    pub(crate) hsts: bool,
}

/// Applies the whole stack, with the state the session and CSRF layers need.
pub(crate) fn apply(
    router: Router<AppState>,
    settings: MiddlewareSettings,
    state: &AppState,
) -> Router<AppState> {
    let origins = cors::allowed_origins(&state.settings.server);
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::from_fn(request_id::assign_request_id))
            .layer(axum::middleware::from_fn_with_state(
                state.metrics.clone(),
                request_log::log_request,
            ))
            .layer(axum::middleware::from_fn_with_state(
                SecurityHeaders { hsts: settings.hsts },
                security_headers::set_security_headers,
            ))
            .layer(cors::layer(&origins))
            .layer(axum::middleware::from_fn(error_envelope::render_errors_as_json))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                settings.request_timeout,
            ))
            .layer(CatchPanicLayer::custom(error_envelope::panic_to_internal_error))
            .layer(axum::middleware::from_fn_with_state(
                read_body::BodyLimit(settings.body_limit_bytes),
                read_body::read_whole_body,
            ))
            .layer(axum::middleware::from_fn_with_state(state.clone(), crate::caller::authenticate))
            .layer(axum::middleware::from_fn_with_state(
                csrf::AllowedOrigins(std::sync::Arc::new(origins)),
                csrf::check_csrf,
            ))
            // The extractors' own limit, the same: `read_body` has enforced it already.
            .layer(DefaultBodyLimit::max(settings.body_limit_bytes)),
    )
}
