//! `/api/users/{id}/roles[/{role}]`: a user's grants, granting and revoking a role
//! (`roles:manage`, and step-up for a change). The rules — nobody grants more than they hold,
//! the last owner keeps the role — are the use cases' (`access/role_grants.rs`).

use axum::Json;
use axum::extract::{Path, State};
use rampart_core::access::role_grants::GrantRow;
use rampart_domain::Permission;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, NOT_A_UUID, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::access::role_grants::{grant_role, grants_of, revoke_role};

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RoleGrantView {
    role: String,
    /// `null`: every department.
    departments: Option<Vec<String>>,
    #[serde(with = "time::serde::rfc3339")]
    granted_at: OffsetDateTime,
}

impl From<GrantRow> for RoleGrantView {
    fn from(row: GrantRow) -> Self {
        Self { role: row.role, departments: row.departments, granted_at: row.granted_at }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GrantRequest {
    /// The departments the grant covers; absent or `null` for all.
    #[serde(default)]
    #[schema(schema_with = crate::routes::shapes::department_names_schema)]
    departments: Option<Vec<String>>,
}

/// The roles a user holds, with their departments (`roles:manage`).
#[utoipa::path(get, path = "/api/users/{id}/roles",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the user's grants", body = Vec<RoleGrantView>),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ))]
pub(super) async fn list_grants(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Vec<RoleGrantView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    let grants = grants_of(&state, user_id).await?;
    Ok(Json(grants.into_iter().map(RoleGrantView::from).collect()))
}

/// Grants a role for all departments or the listed ones, replacing an earlier grant of the
/// same role (`roles:manage`, step-up; only what the caller holds, where they hold it).
#[utoipa::path(put, path = "/api/users/{id}/roles/{role}", request_body = GrantRequest,
    params(("id" = Uuid, Path, description = "the user"), ("role" = String, Path, description = "a built-in or custom role")),
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `roles:manage` or does not hold the role's permissions over those departments; `reauth_required`: step up first", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user or role", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a department does not exist", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn grant(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((user_id, role)): Path<(Uuid, String)>,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    grant_role(&state, &principal, &client, user_id, &role, body.departments).await?;
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}

/// Takes a role away (`roles:manage`, step-up; the caller must hold what it gave, where it
/// gave it). The last owner keeps the role.
#[utoipa::path(delete, path = "/api/users/{id}/roles/{role}",
    params(("id" = Uuid, Path, description = "the user"), ("role" = String, Path, description = "the role")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `roles:manage` or does not hold what the grant gives; `reauth_required`: step up first", body = ErrorResponse),
        (status = 404, description = "`not_found`: the user does not hold the role", body = ErrorResponse),
        (status = 409, description = "`conflict`: the last owner cannot lose the role", body = ErrorResponse),
    ))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path((user_id, role)): Path<(Uuid, String)>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    revoke_role(&state, &principal, &client, user_id, &role).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}
