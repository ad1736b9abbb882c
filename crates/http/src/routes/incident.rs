//! `/api/incident/lockdown`: see and switch lockdown (`incident:manage`; switching also needs a
//! fresh re-authentication). While it is on, only incident managers signed in with a second
//! factor get through (`incident/lockdown.rs`).

use axum::Json;
use axum::extract::State;
use rampart_domain::Permission;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{Access, RouteTable};
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::incident::lockdown::{LockdownRow, lockdown_state, set_lockdown};

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::IncidentManage);
    RouteTable::new().get("/api/incident/lockdown", manage, get_lockdown).put(
        "/api/incident/lockdown",
        manage,
        put_lockdown,
    )
}

#[derive(OpenApi)]
#[openapi(paths(get_lockdown, put_lockdown))]
pub(super) struct Api;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct LockdownView {
    active: bool,
    reason: String,
    #[serde(with = "time::serde::rfc3339")]
    changed_at: OffsetDateTime,
    changed_by: Option<Uuid>,
    /// Sessions ended by this change (answers to `PUT` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions_ended: Option<u64>,
}

impl LockdownView {
    fn of(row: LockdownRow, sessions_ended: Option<u64>) -> Self {
        Self {
            active: row.active,
            reason: row.reason,
            changed_at: row.changed_at,
            changed_by: row.changed_by,
            sessions_ended,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LockdownRequest {
    active: bool,
    /// Why: kept in the audit trail (one line, at most 500 characters).
    #[serde(default)]
    #[schema(schema_with = crate::routes::shapes::reason_schema)]
    reason: String,
}

/// Whether lockdown is on.
#[utoipa::path(get, path = "/api/incident/lockdown",
    responses(
        (status = 200, description = "the switch", body = LockdownView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `incident:manage`", body = ErrorResponse),
        (status = 503, description = "`lockdown`: the caller may not act during a lockdown", body = ErrorResponse),
    ))]
pub(super) async fn get_lockdown(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<LockdownView>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    Ok(Json(LockdownView::of(lockdown_state(&state).await?, None)))
}

/// Switches lockdown on (every session but the incident managers' MFA sessions ends, on every
/// instance) or off.
#[utoipa::path(put, path = "/api/incident/lockdown", request_body = LockdownRequest,
    responses(
        (status = 200, description = "the switch as set", body = LockdownView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `incident:manage`; `reauth_required`: step up first", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the reason is too long", body = ErrorResponse),
        (status = 503, description = "`lockdown`: the caller may not act during a lockdown", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn put_lockdown(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<LockdownRequest>,
) -> Result<Json<LockdownView>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    principal.require_step_up(&state)?;
    let reason = request.reason.trim();
    if reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable("reason: at most 500 characters".into()));
    }
    let ended = set_lockdown(&state, request.active, reason, Some((&principal, &client))).await?;
    Ok(Json(LockdownView::of(lockdown_state(&state).await?, Some(ended))))
}
