//! What every request passes through, outermost first:
//!
//! 1. [`request_id`]: accept a well-formed `x-request-id` or make one; echo it on the response.
//! 2. [`request_log`]: one structured log line per request; a span that tags every line inside.
//! 3. [`security_headers`]: HSTS, CSP, nosniff, Referrer-Policy, COOP, frame-ancestors, no-store.
//! 4. [`error_envelope`]: every 4xx/5xx body becomes `{"error":{"code","message","request_id"}}`.
//! 5. CORS: only `server.public_origin` and `server.cors_origins`, with credentials.
//! 6. timeout (408), panic catcher (opaque 500, cause logged).
//! 7. [`crate::sessions::authenticate`]: cookie or Bearer → `Principal` (or anonymous).
//! 8. [`csrf`]: state-changing requests riding on the cookie must come from our pages.
//! 9. body limit (413).
//!
//! Handlers never set these themselves.

pub(crate) mod cors;
pub(crate) mod csrf;
pub(crate) mod error_envelope;
pub(crate) mod request_id;
pub(crate) mod request_log;
pub(crate) mod security_headers;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
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
            // Before the body limits: those change the body type that `from_fn` expects.
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::sessions::authenticate,
            ))
            .layer(axum::middleware::from_fn_with_state(
                csrf::AllowedOrigins(std::sync::Arc::new(origins)),
                csrf::check_csrf,
            ))
            .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
            .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes)),
    )
}
