//! `/api/me/mfa/recovery-codes`: how many are left (GET), or a new set of ten that revokes the
//! old one (POST; needs a recent re-authentication, and a second factor to recover).

use axum::Json;
use axum::extract::State;
use rampart_domain::AuditAction;
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{Notice, find_account_by_id, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::{factors_of, issue_recovery_codes};
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
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
    principal: Principal,
) -> Result<Json<RecoveryCodesLeftResponse>, ApiError> {
    let factors = factors_of(&state, principal.user_id).await?;
    Ok(Json(RecoveryCodesLeftResponse { left: factors.recovery_codes_left }))
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
    principal: Principal,
    client: ClientContext,
) -> Result<Json<RecoveryCodesResponse>, ApiError> {
    principal.session_id()?;
    principal.require_step_up(&state)?;
    if !factors_of(&state, principal.user_id).await?.any() {
        return Err(ApiError::Conflict("add a second factor first".into()));
    }
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let mut work = UnitOfWork::begin(&state).await?;
    let recovery_codes = new_recovery_codes(&mut work, &principal, &client).await?;
    notify(&mut work, &account, Notice::RecoveryCodesRegenerated, &client).await?;
    work.commit().await?;
    Ok(Json(RecoveryCodesResponse { recovery_codes }))
}

/// A new set of recovery codes for the caller, with their event, in `work`; as the strings to
/// show once (after the unit has committed).
pub(super) async fn new_recovery_codes(
    work: &mut UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
) -> Result<Vec<String>, ApiError> {
    let codes = issue_recovery_codes(work, principal.user_id).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnRecoveryCodesGenerated)
            .by(principal, client)
            .target(format!("user:{}", principal.user_id)),
    );
    Ok(codes.iter().map(|code| code.to_string()).collect())
}
