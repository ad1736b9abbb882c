//! `DELETE /api/users/{id}`: an administrator erases a person's account (`users:manage`, and a
//! re-authentication within `sessions.reauth_window_secs`). Personal data goes — address,
//! password, sessions, keys, factors, grants — and the audit trail keeps the account's id.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, Outcome, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::accounts::erasure::erase_user as erase;

/// `{"status":"removed","sessions_ended":…}`
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ErasedResponse {
    status: Outcome,
    sessions_ended: u64,
}

/// Erases an account: its sessions end at once and its personal data goes; its holder is told
/// by e-mail. Not one's own (`DELETE /api/me`), not one holding more than the caller, not the
/// last owner.
#[utoipa::path(delete, path = "/api/users/{id}",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "erased", body = ErasedResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller lacks `users:manage` or holds less \
            than the account's grants give; `reauth_required`: re-authenticate first; or \
            `csrf_rejected`", body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
        (status = 409, description = "`conflict`: one's own account, or the last owner",
            body = ErrorResponse),
    ))]
pub(super) async fn erase_user(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(user_id): Path<Uuid>,
) -> Result<Json<ErasedResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    let sessions_ended = erase(&state, &principal, &client, user_id).await?;
    Ok(Json(ErasedResponse { status: Outcome::Removed, sessions_ended }))
}
