//! `/api/me/mfa/recovery-codes`: how many are left (GET), or a new set of ten that revokes the
//! old one (POST; needs a recent re-authentication, and a second factor to recover).

use axum::Json;
use axum::extract::State;
use rampart_core::mfa::own_factors::{own_recovery_codes_left, regenerate_own_recovery_codes};
use serde::Serialize;
use utoipa::ToSchema;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};

/// The caller's unused recovery codes, counted.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RecoveryCodesLeftResponse {
    left: i64,
}

/// How many recovery codes are unused.
#[utoipa::path(
    get,
    path = "/api/me/mfa/recovery-codes",
    responses(
        (status = 200, description = "the count", body = RecoveryCodesLeftResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`mfa_enrolment_required`: enrol a second factor first",
            body = ErrorResponse),
    ),
)]
pub(super) async fn count_my_recovery_codes(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Json<RecoveryCodesLeftResponse>, ApiError> {
    Ok(Json(RecoveryCodesLeftResponse { left: own_recovery_codes_left(&state, &principal).await? }))
}

/// A new set of recovery codes, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RecoveryCodesResponse {
    /// Ten single-use codes (`xxxx-xxxx-…`, 128 random bits each). Only their hashes are kept.
    recovery_codes: Vec<String>,
}

/// Replaces the recovery codes with ten new ones; the old ones stop working at once.
///
/// Needs a re-authentication within `sessions.reauth_window_secs`. The holder is e-mailed.
#[utoipa::path(
    post,
    path = "/api/me/mfa/recovery-codes",
    responses(
        (status = 200, description = "the new codes", body = RecoveryCodesResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; \
            `mfa_enrolment_required`; `forbidden`: an API key cannot; or `csrf_rejected`",
            body = ErrorResponse),
        (status = 409, description = "`conflict`: the account has no second factor to recover",
            body = ErrorResponse),
    ),
)]
pub(super) async fn regenerate_my_recovery_codes(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Json<RecoveryCodesResponse>, ApiError> {
    let recovery_codes = regenerate_own_recovery_codes(&state, &principal, &client).await?;
    Ok(Json(RecoveryCodesResponse { recovery_codes }))
}
