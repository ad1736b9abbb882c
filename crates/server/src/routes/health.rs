//! `GET /healthz`: the process is up. `GET /readyz`: it can serve (the database answers).

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use super::RouteTable;
use crate::{ApiError, AppState};

pub(super) fn routes() -> RouteTable {
    RouteTable::new().public("/healthz", get(healthz)).public("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match state.db.ping().await {
        Ok(()) => Ok(Json(json!({ "status": "ready" }))),
        Err(error) => {
            tracing::warn!(error = %error, "not ready: the database does not answer");
            Err(ApiError::Unavailable)
        }
    }
}
