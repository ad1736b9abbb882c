//! One JSON log line per request: method, matched route, status, latency, request id, client;
//! and the same request counted in the metrics (`rampart_http_requests_total`, latency).
//!
//! The route is the template (`/api/users/{id}`), never the URI: query strings can hold tokens.
//! Headers, cookies and bodies are never logged.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use super::request_id::RequestId;
use rampart_core::metrics::Metrics;

pub(crate) async fn log_request(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
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
    let elapsed = started.elapsed();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    metrics.request(method_label(&method), &route, status, elapsed);
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

/// The method as a metric label: the standard ones by name, anything else as `OTHER` (a client
/// must not be able to mint label values).
fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}
