//! `GET /metrics`: Prometheus metrics, for a scraper holding `metrics.token`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rampart_crypto::token_hash;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;
use utoipa::OpenApi;

use super::responses::ErrorResponse;
use super::{Access, RouteTable};
use crate::caller::cookie::bearer_token;
use crate::{ApiError, AppState};
use rampart_core::metrics::refresh_shared_gauges;

/// What Prometheus and promtool read (not OpenMetrics).
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) fn routes() -> RouteTable {
    RouteTable::new().get("/metrics", Access::MetricsToken, metrics)
}

#[derive(OpenApi)]
#[openapi(paths(metrics))]
pub(super) struct Api;

/// The metrics, in Prometheus's text format.
#[utoipa::path(
    get,
    path = "/metrics",
    responses(
        (status = 200, description = "the metrics (`text/plain; version=0.0.4`)", body = String,
            content_type = "text/plain"),
        (status = 401, description = "`unauthenticated`: no `Authorization: Bearer` with \
            `metrics.token` (every scrape is refused while it is not set)", body = ErrorResponse),
    ),
)]
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    require_scraper(&state, &headers)?;
    refresh_shared_gauges(&state).await?;
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT));
    Ok(response)
}

/// The caller must present `metrics.token`; compared as SHA-256 digests in constant time, so
/// neither the length nor a prefix leaks.
fn require_scraper(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &state.settings.metrics.token else {
        return Err(ApiError::Unauthenticated);
    };
    let presented = bearer_token(headers).ok_or(ApiError::Unauthenticated)?;
    let expected = token_hash(expected.expose_secret());
    let presented = token_hash(presented);
    if bool::from(expected.ct_eq(&presented)) { Ok(()) } else { Err(ApiError::Unauthenticated) }
}
