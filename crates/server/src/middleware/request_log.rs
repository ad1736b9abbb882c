//! One JSON log line per request: method, matched route, status, latency, request id, client.
//!
//! The route is the template (`/api/users/{id}`), never the URI: query strings can hold tokens.
//! Headers, cookies and bodies are never logged.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::request_id::RequestId;

pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |path| path.as_str().to_owned());
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    let client_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();

    let span = tracing::info_span!("request", request_id = %request_id);
    let response = next.run(request).instrument(span).await;

    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "rampart::http",
        method = %method,
        route = %route,
        status,
        latency_ms,
        request_id = %request_id,
        client_ip = %client_ip,
        "request"
    );
    response
}
