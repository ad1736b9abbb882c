//! `DELETE /api/collections/{name}/records/{id}` moves a record to the bin (restorable for
//! `records.bin_days`, then purged); `POST …/{id}/restore` brings it back. Both need
//! `records:write` where the record is (or, for a customer, owning it). `If-Match` is honoured
//! when sent.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use rampart_core::records::{bin_as, restore_as};
use uuid::Uuid;

use super::NOT_REACHED;
use super::update::expected_version;
use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, Outcome, StatusResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};

/// Moves a record to the bin.
#[utoipa::path(delete, path = "/api/collections/{name}/records/{id}",
    params(("name" = String, Path, description = "the collection"), ("id" = Uuid, Path, description = "the record")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 400, description = "`bad_request`: `id` is not a UUID, or a malformed `If-Match`", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
        (status = 409, description = "`conflict`: already in the bin, or changed since the `If-Match` version", body = ErrorResponse),
    ))]
pub(super) async fn delete_record(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((name, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Result<Json<StatusResponse>, ApiError> {
    bin_as(&state, &principal, &client, (&name, id), expected_version(&headers)?).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

/// Brings a record back from the bin.
#[utoipa::path(post, path = "/api/collections/{name}/records/{id}/restore",
    params(("name" = String, Path, description = "the collection"), ("id" = Uuid, Path, description = "the record")),
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse),
        (status = 400, description = "`bad_request`: `id` is not a UUID", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
        (status = 409, description = "`conflict`: the record is not in the bin", body = ErrorResponse),
    ))]
pub(super) async fn restore_record(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<StatusResponse>, ApiError> {
    restore_as(&state, &principal, &client, (&name, id)).await?;
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}
