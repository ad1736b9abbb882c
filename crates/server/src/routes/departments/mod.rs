//! `/api/departments`: the departments that grants and records are scoped to (`roles:manage`;
//! everyone else sees their own departments in `GET /api/me`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::records::DepartmentName;
use rampart_domain::{AuditAction, Permission};
use rampart_store::departments::{
    DepartmentRow, delete_department as delete_row, insert_department, list_departments,
    update_department_title,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

use super::{Access, RouteTable};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

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

/// A display title (`rampart_domain::title`), or 422 saying what one must be.
fn checked_title(title: &str) -> Result<String, ApiError> {
    rampart_domain::title::checked_title(title)
        .ok_or_else(|| ApiError::Unprocessable(rampart_domain::title::TITLE_RULE.into()))
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
    principal: Principal,
) -> Result<Json<Vec<DepartmentView>>, ApiError> {
    principal.require(Permission::RolesManage)?;
    let rows = list_departments(&state.db).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| DepartmentView {
                name: row.name,
                title: row.title,
                created_at: row.created_at,
            })
            .collect(),
    ))
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
    principal: Principal,
    client: ClientContext,
    ApiJson(body): ApiJson<NewDepartment>,
) -> Result<(StatusCode, Json<DepartmentView>), ApiError> {
    principal.require(Permission::RolesManage)?;
    let name = DepartmentName::parse(&body.name)
        .map_err(|problem| ApiError::Unprocessable(format!("name: {problem}")))?;
    let row = DepartmentRow {
        name: name.as_str().to_owned(),
        title: checked_title(&body.title)?,
        created_at: state.clock.now(),
    };
    let work = UnitOfWork::begin(&state).await?;
    insert_department(work.db(), &row)
        .await
        .map_err(|error| ApiError::from_refusal(error, "a department with this name exists"))?;
    audit_change(work, &principal, &client, &row.name, "created").await?;
    Ok((
        StatusCode::CREATED,
        Json(DepartmentView { name: row.name, title: row.title, created_at: row.created_at }),
    ))
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
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<DepartmentTitle>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    let work = UnitOfWork::begin(&state).await?;
    if !update_department_title(work.db(), &name, &checked_title(&body.title)?).await? {
        return Err(ApiError::NotFound);
    }
    audit_change(work, &principal, &client, &name, "renamed").await?;
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
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::RolesManage)?;
    let work = UnitOfWork::begin(&state).await?;
    if !delete_row(work.db(), &name).await.map_err(|error| ApiError::from_refusal(error, ""))? {
        return Err(ApiError::NotFound);
    }
    audit_change(work, &principal, &client, &name, "deleted").await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}

async fn audit_change(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    change: &str,
) -> Result<(), ApiError> {
    work.record(
        AuditEvent::success(AuditAction::DepartmentChanged)
            .by(principal, client)
            .target(format!("department:{name}"))
            .detail("change", change),
    );
    work.commit().await.map_err(Into::into)
}
