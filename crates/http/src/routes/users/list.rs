//! `GET /api/users`: the accounts, narrowed by exact address, role, department and status, a
//! page at a time (`users:manage`). The use case is `rampart_core::accounts::directory`.

use axum::Json;
use axum::extract::State;
use rampart_domain::{Email, Permission};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::caller::SignedIn;
use crate::routes::responses::{ErrorResponse, NOT_PERMITTED, UNAUTHENTICATED};
use crate::{ApiError, ApiQuery, AppState};
use rampart_core::accounts::AccountStatus;
use rampart_core::accounts::directory::{ListedUser, UserQuery, list_users as search};
use rampart_domain::records::{CollectionName, DepartmentName};

const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct UsersQuery {
    /// Only the account with this address (exact, in any letter case).
    #[param(format = Email, max_length = 254)]
    email: Option<String>,
    /// Only holders of this role (built-in or custom).
    #[param(schema_with = crate::routes::shapes::slug_schema)]
    role: Option<String>,
    /// Only holders of a grant listing this department (grants over every department list none).
    #[param(schema_with = crate::routes::shapes::department_name_schema)]
    department: Option<String>,
    /// `active` or `disabled`.
    #[param(schema_with = status_names)]
    status: Option<String>,
    /// The `next_after` of the previous page.
    after: Option<Uuid>,
    /// Accounts per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

fn status_names() -> utoipa::openapi::schema::Object {
    crate::routes::shapes::one_of(["active", "disabled"])
}

/// One role held, and where.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct UserGrantView {
    role: String,
    /// `null`: every department.
    departments: Option<Vec<String>>,
}

/// One account.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct UserView {
    id: Uuid,
    email: String,
    /// `active` or `disabled`.
    status: &'static str,
    email_verified: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    grants: Vec<UserGrantView>,
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct UsersPage {
    users: Vec<UserView>,
    /// Pass as `after` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    next_after: Option<Uuid>,
}

/// The accounts, in id order, narrowed by the parameters given (all of them at once).
#[utoipa::path(get, path = "/api/users", params(UsersQuery),
    responses(
        (status = 200, description = "a page of accounts", body = UsersPage),
        (status = 400, description = "`bad_request`: a parameter is not of its type", body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a malformed address, an unknown status, or a \
            limit outside 1..=200", body = ErrorResponse),
    ))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    ApiQuery(query): ApiQuery<UsersQuery>,
) -> Result<Json<UsersPage>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let limit = crate::routes::paging::checked_page(query.limit, DEFAULT_LIMIT, MAX_LIMIT, None)?;
    let email = query
        .email
        .map(|email| Email::parse(&email))
        .transpose()
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let status = query
        .status
        .map(|status| AccountStatus::parse(&status))
        .map(|parsed| parsed.ok_or(ApiError::Unprocessable("status: active or disabled".into())))
        .transpose()?;
    // The names' rules, as the document states them: a role is a slug, a department a slug that
    // may hold `-` (a malformed one is refused, not answered with an empty page).
    let slug = |value: Option<String>, key: &str, parse: fn(&str) -> bool| match value {
        Some(name) if !parse(&name) => {
            Err(ApiError::Unprocessable(format!("{key}: not a {key} name")))
        }
        other => Ok(other),
    };
    let role = slug(query.role, "role", |name| CollectionName::parse(name).is_ok())?;
    let department =
        slug(query.department, "department", |name| DepartmentName::parse(name).is_ok())?;
    let filter = UserQuery { email, role, department, status };
    let (listed, more) = search(&state, &filter, query.after, limit).await?;
    let users: Vec<UserView> = listed.into_iter().map(view).collect();
    let next_after = if more { users.last().map(|user| user.id) } else { None };
    Ok(Json(UsersPage { users, next_after }))
}

fn view(listed: ListedUser) -> UserView {
    let ListedUser { account, grants } = listed;
    UserView {
        id: account.id,
        email: account.email.as_str().to_owned(),
        status: account.status.as_str(),
        email_verified: account.email_verified,
        created_at: account.created_at,
        grants: grants
            .into_iter()
            .map(|grant| UserGrantView { role: grant.role, departments: grant.departments })
            .collect(),
    }
}
