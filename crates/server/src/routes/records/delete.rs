//! `DELETE /api/collections/{name}/records/{id}` moves a record to the bin (restorable for
//! `records.bin_days`, then purged); `POST …/{id}/restore` brings it back. Both need
//! `records:write` where the record is (or, for a customer, owning it). `If-Match` is honoured
//! when sent.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use rampart_domain::AuditAction;
use uuid::Uuid;

use super::NOT_REACHED;
use super::update::expected_version;
use crate::access::records::RecordAction;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::records::write::{bin_record, restore_from_bin};
use crate::records::{reach_collection, reach_record};
use crate::routes::responses::{ErrorResponse, Outcome, StatusResponse, UNAUTHENTICATED};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
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
    principal: Principal,
    client: ClientContext,
    Path((name, id)): Path<(String, Uuid)>,
    headers: HeaderMap,
) -> Result<Json<StatusResponse>, ApiError> {
    let action = RecordAction::Write;
    let (collection, visibility) =
        reach_collection(&state, &principal, &client, &name, action).await?;
    let existing =
        reach_record(&state, &principal, &client, &collection, &visibility, id, action).await?;
    let stale = expected_version(&headers)?.is_some_and(|version| version != existing.version);
    if stale || existing.deleted_at.is_some() {
        return Err(ApiError::Conflict("the record changed or is already in the bin".into()));
    }
    let mut work = UnitOfWork::begin(&state).await?;
    if !bin_record(&work, &collection, id).await? {
        return Err(ApiError::Conflict("the record is already in the bin".into()));
    }
    work.record(
        AuditEvent::success(AuditAction::RecordDeleted)
            .by(&principal, &client)
            .target(format!("record:{}/{id}", collection.name)),
    );
    work.commit().await?;
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
    principal: Principal,
    client: ClientContext,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<StatusResponse>, ApiError> {
    let action = RecordAction::Write;
    let (collection, visibility) =
        reach_collection(&state, &principal, &client, &name, action).await?;
    reach_record(&state, &principal, &client, &collection, &visibility, id, action).await?;
    let mut work = UnitOfWork::begin(&state).await?;
    if !restore_from_bin(&work, &collection, id).await? {
        return Err(ApiError::Conflict("the record is not in the bin".into()));
    }
    work.record(
        AuditEvent::success(AuditAction::RecordRestored)
            .by(&principal, &client)
            .target(format!("record:{}/{id}", collection.name)),
    );
    work.commit().await?;
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}
