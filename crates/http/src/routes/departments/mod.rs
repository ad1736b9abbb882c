//! `/api/departments`: the departments that grants and records are scoped to (`roles:manage`;
//! everyone else sees their own departments in `GET /api/me`). The rules are the use cases'
//! (`access/departments.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_core::access::departments::DepartmentRow;
use rampart_domain::Permission;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

use super::{Access, RouteTable};
use crate::caller::{Client, SignedIn};
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::access::departments::{
    all_departments, create_department, delete_department, retitle_department,
};

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::RolesManage);
    RouteTable::new()
        .get("/api/departments", manage, list)
        .post("/api/departments", manage, create)
        .patch("/api/departments/{name}", manage, rename)
        .delete("/api/departments/{name}", manage, delete)
}

#[derive(OpenApi)]
#[openapi(paths(list, create, rename, delete))]
pub(super) struct Api;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DepartmentView {
    name: String,
    title: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewDepartment {
    /// A slug: lower-case letters, digits, `-` and `_`, starting with a letter.
    #[schema(schema_with = crate::routes::shapes::department_name_schema)]
    name: String,
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    title: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DepartmentTitle {
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    title: String,
}

impl From<DepartmentRow> for DepartmentView {
    fn from(row: DepartmentRow) -> Self {
        Self { name: row.name, title: row.title, created_at: row.created_at }
    }
}

/// Every department (`roles:manage`).
#[utoipa::path(get, path = "/api/departments",
    responses(
        (status = 200, description = "the departments, by name", body = Vec<DepartmentView>),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
    ))]
pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    Ok(Json(all_departments(&state).await?.into_iter().map(DepartmentView::from).collect()))
}

/// Adds a department (`roles:manage`).
#[utoipa::path(post, path = "/api/departments", request_body = NewDepartment,
    responses(
        (status = 201, description = "created", body = DepartmentView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
        (status = 409, description = "`conflict`: the name is taken", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the name or title is not acceptable", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(body): ApiJson<NewDepartment>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    principal.require(Permission::RolesManage)?;
    let row = create_department(&state, &principal, &client, &body.name, &body.title).await?;
    Ok((StatusCode::CREATED, Json(DepartmentView::from(row))))
}

/// Changes a department's title (`roles:manage`); its name never changes.
#[utoipa::path(patch, path = "/api/departments/{name}", request_body = DepartmentTitle,
    params(("name" = String, Path, description = "the department")),
    responses(
        (status = 200, description = "`{\"status\":\"ok\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such department", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: the title is not acceptable", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn rename(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<DepartmentTitle>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    retitle_department(&state, &principal, &client, &name, &body.title).await?;
    Ok(Json(StatusResponse::new(Outcome::Ok)))
}

/// Deletes a department no grant and no record refers to (`roles:manage`).
#[utoipa::path(delete, path = "/api/departments/{name}",
    params(("name" = String, Path, description = "the department")),
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `roles:manage`", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such department", body = ErrorResponse),
        (status = 409, description = "`conflict`: grants or records still refer to it", body = ErrorResponse),
    ))]
pub(super) async fn delete(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    delete_department(&state, &principal, &client, &name).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}
