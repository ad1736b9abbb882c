//! `GET /healthz`: the process is up. `GET /readyz`: it can serve (the database answers).

use axum::Json;
use axum::extract::State;
use utoipa::OpenApi;

use super::responses::{ErrorResponse, Outcome, StatusResponse};
use super::{Access, RouteTable};
use crate::{ApiError, AppState};

pub(super) fn routes() -> RouteTable {
    RouteTable::new().get("/healthz", Access::Public, healthz).get(
        "/readyz",
        Access::Public,
        readyz,
    )
}

#[derive(OpenApi)]
#[openapi(paths(healthz, readyz))]
pub(super) struct Api;

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    responses((status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse)),
)]
async fn healthz() -> Json<StatusResponse> {
    Json(StatusResponse::new(Outcome::Ok))
}

/// The instance can serve: its database answers and takes a write, within one second.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "`{\"status\":\"ready\"}`", body = StatusResponse),
        (status = 503, description = "`not_ready`: the database does not answer within 1 s, or cannot take a write (read-only, disk full)", body = ErrorResponse),
    ),
)]
async fn readyz(State(state): State<AppState>) -> Result<Json<StatusResponse>, ApiError> {
    match state.ready().await {
        Ok(()) => Ok(Json(StatusResponse::new(Outcome::Ready))),
        Err(error) => {
            tracing::warn!(error = %error, "not ready");
            Err(ApiError::Unavailable)
        }
    }
}
