//! `DELETE /api/me`: the caller deletes their own account (a session re-authenticated within
//! `sessions.reauth_window_secs`). Its personal data goes; the audit trail keeps its id.

use axum::Json;
use axum::extract::State;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, Outcome, StatusResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::accounts::erasure::delete_own_account;

/// Deletes the caller's account: address, password, sessions, keys, factors and grants go; the
/// holder is told by e-mail. The last owner cannot.
#[utoipa::path(delete, path = "/api/me",
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `forbidden`: an \
            API key cannot delete an account; or `csrf_rejected`", body = ErrorResponse),
        (status = 409, description = "`conflict`: the last owner cannot be deleted", body = ErrorResponse),
    ))]
pub(super) async fn delete_my_account(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Json<StatusResponse>, ApiError> {
    delete_own_account(&state, &principal, &client).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}
