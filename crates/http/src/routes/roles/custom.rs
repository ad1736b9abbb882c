//! `/api/roles[/{name}]`: built-in roles listed with the custom ones, which are created, changed
//! and deleted (`roles:manage`, and step-up for a change). The rules are the use cases'
//! (`access/custom_roles.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::access::custom_roles::{
    RoleSummary, all_roles, change_role as change, create_role as create, delete_role as delete,
    names,
};

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

impl From<RoleSummary> for RoleView {
    fn from(role: RoleSummary) -> Self {
        Self {
            permissions: names(&role.permissions),
            name: role.name,
            description: role.description,
            built_in: role.built_in,
        }
    }
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
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<RoleView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    Ok(Json(all_roles(&state).await?.into_iter().map(RoleView::from).collect()))
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<NewRoleRequest>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let NewRoleRequest { name, description, permissions } = request;
    let role = create(&state, &principal, &client, &name, &description, &permissions).await?;
    Ok((StatusCode::CREATED, Json(RoleView::from(role))))
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
    ApiJson(definition): ApiJson<RoleDefinition>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    let RoleDefinition { description, permissions } = definition;
    change(&state, &principal, &client, &name, &description, &permissions).await?;
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    principal.require_step_up(&state)?;
    delete(&state, &principal, &client, &name).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}
