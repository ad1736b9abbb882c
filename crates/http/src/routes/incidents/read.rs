//! `GET /api/incidents` and `GET /api/incidents/{id}` (with the timeline).

use axum::Json;
use axum::extract::{Path, State};
use rampart_core::incident::incidents::{incident, incidents};
use rampart_domain::{IncidentStatus, Permission};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{FORBIDDEN, IncidentView, LOCKDOWN};
use crate::caller::SignedIn;
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, UNAUTHENTICATED};
use crate::{ApiError, ApiQuery, AppState};
use rampart_core::incident::timeline::timeline;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct IncidentQuery {
    /// `open`, `contained` or `closed`.
    #[param(pattern = "^(open|contained|closed)$")]
    status: Option<String>,
    /// At most this many, newest first (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Incidents, newest first (without their timelines).
#[utoipa::path(get, path = "/api/incidents", params(IncidentQuery),
    responses(
        (status = 200, description = "the incidents", body = [IncidentView]),
        (status = 400, description = "`bad_request`: a parameter is unknown or malformed", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = FORBIDDEN, body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown status, or a limit outside 1..=200", body = ErrorResponse),
        (status = 503, description = LOCKDOWN, body = ErrorResponse),
    ))]
pub(super) async fn list_incidents(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    ApiQuery(query): ApiQuery<IncidentQuery>,
) -> Result<Json<Vec<IncidentView>>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: expected 1 to 200".into()));
    }
    let status = match query.status.as_deref() {
        None => None,
        Some(name) => Some(IncidentStatus::parse(name).ok_or_else(|| {
            ApiError::Unprocessable("status: expected open, contained or closed".into())
        })?),
    };
    let rows = incidents(&state, status, limit).await?;
    Ok(Json(rows.into_iter().map(|row| IncidentView::of(row, None)).collect()))
}

/// One incident with its timeline.
#[utoipa::path(get, path = "/api/incidents/{id}",
    params(("id" = Uuid, Path, description = "the incident")),
    responses(
        (status = 200, description = "the incident and its timeline", body = IncidentView),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = FORBIDDEN, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such incident", body = ErrorResponse),
        (status = 503, description = LOCKDOWN, body = ErrorResponse),
    ))]
pub(super) async fn get_incident(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Json<IncidentView>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    let row = incident(&state, id).await?.ok_or(ApiError::NotFound)?;
    let entries = timeline(&state, &row).await?;
    Ok(Json(IncidentView::of(row, Some(entries))))
}
