//! Custom roles: a name and a set of `resource:action` permissions. Built-in roles are listed
//! with them but cannot be changed. Creating or changing a role needs step-up and holding, in
//! every department, each permission it names: a role can then be granted anywhere without
//! giving more than its maker holds.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::records::CollectionName;
use rampart_domain::{AuditAction, BuiltInRole, DepartmentScope, Permission, PermissionSet};
use rampart_store::roles::{
    CustomRoleRow, delete_custom_role, insert_custom_role, list_custom_roles, update_custom_role,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::custom_role_permissions;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RoleView {
    name: String,
    description: String,
    built_in: bool,
    permissions: Vec<&'static str>,
}

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRoleRequest {
    /// Lower-case letters, digits and `_`, starting with a letter; never changes.
    #[schema(schema_with = crate::routes::shapes::slug_schema)]
    name: String,
    /// At most 500 characters, on one line; may be empty.
    #[schema(schema_with = role_description)]
    description: String,
    /// `resource:action` names, e.g. `records:read`.
    #[schema(schema_with = crate::routes::shapes::permission_names_schema)]
    permissions: Vec<String>,
}

/// What a role's change sets (its name is in the path, and stays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleDefinition {
    /// At most 500 characters, on one line; may be empty.
    #[schema(schema_with = role_description)]
    description: String,
    /// `resource:action` names, e.g. `records:read`.
    #[schema(schema_with = crate::routes::shapes::permission_names_schema)]
    permissions: Vec<String>,
}

fn role_description() -> utoipa::openapi::schema::Object {
    crate::routes::shapes::line_schema(500)
}

fn names(permissions: &PermissionSet) -> Vec<&'static str> {
    permissions.iter().map(Permission::as_str).collect()
}

/// The definition's permissions, refused unless each is known and held by the caller in every
/// department; and its description checked.
fn checked_permissions(
    principal: &Principal,
    definition: &RoleDefinition,
) -> Result<PermissionSet, ApiError> {
    let mut permissions = PermissionSet::default();
    for name in definition.permissions.iter().collect::<BTreeSet<_>>() {
        let permission = Permission::parse(name).ok_or_else(|| {
            ApiError::Unprocessable(format!("permissions: {name:?} is not a permission"))
        })?;
        permissions.extend([permission]);
    }
    if !principal.grants.covers(&permissions, &DepartmentScope::All) {
        return Err(ApiError::Forbidden);
    }
    let description = definition.description.trim();
    if description.chars().count() > 500 || description.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable("description: at most 500 characters".into()));
    }
    Ok(permissions)
}

fn stored(permissions: &PermissionSet) -> String {
    serde_json::Value::from(names(permissions)).to_string()
}

/// Every role: the built-in ones, then the custom ones by name.
#[utoipa::path(get, path = "/api/roles",
    responses(
        (status = 200, description = "the roles", body = Vec<RoleView>),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
    ))]
pub(super) async fn list_roles(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    let mut roles: Vec<RoleView> = BuiltInRole::ALL
        .into_iter()
        .map(|role| RoleView {
            name: role.as_str().to_owned(),
            description: String::new(),
            built_in: true,
            permissions: names(&role.permissions()),
        })
        .collect();
    for row in list_custom_roles(&state.db).await? {
        roles.push(RoleView {
            permissions: names(&custom_role_permissions(&row.permissions)),
            name: row.name,
            description: row.description,
            built_in: false,
        });
    }
    Ok(Json(roles))
}

/// Defines a custom role (`roles:manage`, step-up).
#[utoipa::path(post, path = "/api/roles", request_body = NewRoleRequest,
    responses(
        (status = 201, description = "created", body = RoleView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `roles:manage` or a permission the role names; `reauth_required`: step up first", body = ErrorResponse),
        (status = 409, description = "`conflict`: the name is taken", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a name, permission or description is not acceptable", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create_role(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    ApiJson(request): ApiJson<NewRoleRequest>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let NewRoleRequest { name, description, permissions } = request;
    let definition = RoleDefinition { description, permissions };
    // Role names follow the collection-name rule: a slug.
    let name = CollectionName::parse(&name)
        .map_err(|problem| ApiError::Unprocessable(format!("name: {problem}")))?;
    if BuiltInRole::parse(name.as_str()).is_some() {
        return Err(ApiError::Conflict("a built-in role has this name".into()));
    }
    let permissions = checked_permissions(&principal, &definition)?;
    let now = state.clock.now();
    let row = CustomRoleRow {
        name: name.as_str().to_owned(),
        description: definition.description.trim().to_owned(),
        permissions: stored(&permissions),
        created_at: now,
        updated_at: now,
    };
    let work = UnitOfWork::begin(&state).await?;
    insert_custom_role(work.db(), &row)
        .await
        .map_err(|error| ApiError::from_refusal(error, "a role with this name exists"))?;
    audit_change(work, &principal, &client, &row.name, "created", &permissions).await?;
    Ok((
        StatusCode::CREATED,
        Json(RoleView {
            name: row.name,
            description: row.description,
            built_in: false,
            permissions: names(&permissions),
        }),
    ))
}

/// Changes a custom role's description and permissions (`roles:manage`, step-up): everyone
/// holding it gets the new permissions at once.
#[utoipa::path(put, path = "/api/roles/{name}", request_body = RoleDefinition,
    params(("name" = String, Path, description = "the custom role")),
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `roles:manage` or a permission the role names; `reauth_required`: step up first", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such custom role (built-in roles cannot change)", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a permission or the description is not acceptable", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn change_role(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
    ApiJson(definition): ApiJson<RoleDefinition>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let permissions = checked_permissions(&principal, &definition)?;
    let now = state.clock.now();
    let row = CustomRoleRow {
        name: name.clone(),
        description: definition.description.trim().to_owned(),
        permissions: stored(&permissions),
        created_at: now,
        updated_at: now,
    };
    let work = UnitOfWork::begin(&state).await?;
    if !update_custom_role(work.db(), &row).await? {
        return Err(ApiError::NotFound);
    }
    audit_change(work, &principal, &client, &name, "changed", &permissions).await?;
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}

/// Deletes a custom role nobody holds (`roles:manage`, step-up).
#[utoipa::path(delete, path = "/api/roles/{name}",
    params(("name" = String, Path, description = "the custom role")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `roles:manage`; `reauth_required`: step up first", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such custom role", body = ErrorResponse),
        (status = 409, description = "`conflict`: someone still holds it", body = ErrorResponse),
    ))]
pub(super) async fn delete_role(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let work = UnitOfWork::begin(&state).await?;
    if !delete_custom_role(work.db(), &name).await.map_err(|e| ApiError::from_refusal(e, ""))? {
        return Err(ApiError::NotFound);
    }
    audit_change(work, &principal, &client, &name, "deleted", &PermissionSet::default()).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

async fn audit_change(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    change: &str,
    permissions: &PermissionSet,
) -> Result<(), ApiError> {
    work.record(
        AuditEvent::success(AuditAction::RoleChanged)
            .by(principal, client)
            .target(format!("role:{name}"))
            .detail("change", change)
            .detail("permissions", names(permissions)),
    );
    work.commit().await.map_err(Into::into)
}
