//! Disabling an account ends its sessions and stops its password and API keys at once (every
//! credential check reads the account's status); enabling lets it sign in again.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{
    ErrorResponse, NOT_A_UUID, NOT_PERMITTED, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, AppState};
use rampart_core::accounts::administration::enable_account;
use rampart_core::incident::Actor;
use rampart_core::incident::containment::Containment;

/// `{"status":"disabled","sessions_ended":…}`
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DisabledUserResponse {
    status: Outcome,
    sessions_ended: u64,
}

/// Disables an account: its sessions end, its password and API keys stop working.
#[utoipa::path(
    post,
    path = "/api/users/{id}/disable",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the account is disabled", body = DisabledUserResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
        (status = 409, description = "`conflict`: callers cannot disable their own account",
            body = ErrorResponse),
    ),
)]
pub(super) async fn disable_user(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(user_id): Path<Uuid>,
) -> Result<Json<DisabledUserResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    if user_id == principal.user_id {
        return Err(ApiError::Conflict("you cannot disable your own account".into()));
    }
    // The same act as the incident containment `disable_user`, outside any incident.
    let how = Containment { actor: Actor::Api(&principal, &client), incident: None, reason: "" };
    let report = rampart_core::incident::containment::disable_user(&state, user_id, how).await?;
    Ok(Json(DisabledUserResponse {
        status: Outcome::Disabled,
        sessions_ended: report.sessions_ended,
    }))
}

/// Enables an account again: it can sign in.
#[utoipa::path(
    post,
    path = "/api/users/{id}/enable",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "`{\"status\":\"active\"}`", body = StatusResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ),
)]
pub(super) async fn enable_user(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(user_id): Path<Uuid>,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    enable_account(&state, &principal, &client, user_id).await?;
    Ok(Json(StatusResponse::new(Outcome::Active)))
}
