//! Granting and revoking a role. Both need step-up, and the caller must hold every permission
//! of the role over every department the grant covers (so an admin can neither make nor
//! unmake an owner). The last owner cannot lose the role.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::{AuditAction, BuiltInRole, DepartmentScope, Permission, PermissionSet};
use rampart_store::departments::existing_departments;
use rampart_store::roles::{
    GrantRow, find_custom_roles, grants_of_user, revoke_role, revoke_role_keeping_one,
    set_role_grant,
};
use rampart_store::users::find_user_by_id;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::custom_role_permissions;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, NOT_A_UUID, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct GrantView {
    role: String,
    /// `null`: every department.
    departments: Option<Vec<String>>,
    #[serde(with = "time::serde::rfc3339")]
    granted_at: OffsetDateTime,
}

impl From<GrantRow> for GrantView {
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

/// What a role permits: built in, or custom (404 for neither).
async fn permissions_of_role(state: &AppState, role: &str) -> Result<PermissionSet, ApiError> {
    if let Some(built_in) = BuiltInRole::parse(role) {
        return Ok(built_in.permissions());
    }
    let found = find_custom_roles(&state.db, &[role.to_owned()]).await?;
    found.first().map(|row| custom_role_permissions(&row.permissions)).ok_or(ApiError::NotFound)
}

fn scope_of(departments: Option<&Vec<String>>) -> DepartmentScope {
    match departments {
        None => DepartmentScope::All,
        Some(listed) => DepartmentScope::Only(listed.iter().cloned().collect()),
    }
}

/// The roles a user holds, with their departments (`roles:manage`).
#[utoipa::path(get, path = "/api/users/{id}/roles",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the user's grants", body = Vec<GrantView>),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ))]
pub(super) async fn list_grants(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<Uuid>,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    if find_user_by_id(&state.db, user_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let grants = grants_of_user(&state.db, user_id).await?;
    Ok(Json(grants.into_iter().map(GrantView::from).collect()))
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
    principal: Principal,
    client: ClientContext,
    Path((user_id, role)): Path<(Uuid, String)>,
    ApiJson(body): ApiJson<GrantRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let permissions = permissions_of_role(&state, &role).await?;
    let departments = body
        .departments
        .map(|listed| listed.into_iter().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>());
    if let Some(listed) = &departments {
        let existing = existing_departments(&state.db, listed).await?;
        if let Some(missing) = listed.iter().find(|d| !existing.contains(d)) {
            return Err(ApiError::Unprocessable(format!(
                "departments: {missing:?} is not a department"
            )));
        }
    }
    if !principal.grants.covers(&permissions, &scope_of(departments.as_ref())) {
        return Err(ApiError::Forbidden);
    }
    if find_user_by_id(&state.db, user_id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(&state).await?;
    set_role_grant(work.db(), user_id, &role, departments.as_deref(), principal.user_id, now)
        .await?;
    work.record(grant_event(&principal, &client, user_id, &role, "granted", departments));
    work.commit().await?;
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
    principal: Principal,
    client: ClientContext,
    Path((user_id, role)): Path<(Uuid, String)>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let held = grants_of_user(&state.db, user_id).await?;
    let Some(grant) = held.into_iter().find(|grant| grant.role == role) else {
        return Err(ApiError::NotFound);
    };
    let permissions = permissions_of_role(&state, &role).await.unwrap_or_default();
    if !principal.grants.covers(&permissions, &scope_of(grant.departments.as_ref())) {
        return Err(ApiError::Forbidden);
    }
    let mut work = UnitOfWork::begin(&state).await?;
    let revoked = if role == BuiltInRole::Owner.as_str() {
        revoke_role_keeping_one(work.db(), user_id, &role)
            .await
            .map_err(|error| ApiError::from_refusal(error, ""))?
    } else {
        revoke_role(work.db(), user_id, &role).await?
    };
    if !revoked {
        return Err(ApiError::NotFound);
    }
    work.record(grant_event(&principal, &client, user_id, &role, "revoked", grant.departments));
    work.commit().await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

fn grant_event(
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
    role: &str,
    change: &str,
    departments: Option<Vec<String>>,
) -> AuditEvent {
    AuditEvent::success(AuditAction::PrivilegePermissionsChanged)
        .by(principal, client)
        .target(format!("user:{user_id}"))
        .detail("change", change)
        .detail("role", role)
        .detail("departments", departments.map_or(serde_json::json!("all"), Into::into))
}
