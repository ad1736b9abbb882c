//! `/api/users/{id}/factors`: an administrator (`users:manage`) sees which second factors a user
//! has, and — when the user has lost them — resets them all (DELETE, with a recent
//! re-authentication of the administrator's own): the authenticator app, the passkeys and the
//! recovery codes go, the user's sessions end, and they are e-mailed. If their roles require a second factor,
//! their next sign-in reaches only enrolment.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::{AuditAction, Permission};
use rampart_store::passkeys::delete_passkeys;
use rampart_store::recovery_codes::delete_recovery_codes;
use rampart_store::sessions::delete_sessions;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::{Notice, find_account_by_id, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::{factors_of, remove_totp};
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, NOT_PERMITTED, UNAUTHENTICATED};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

/// A user's second factors.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FactorsResponse {
    /// An authenticator app is enrolled and confirmed.
    totp: bool,
    passkeys: i64,
    recovery_codes_left: i64,
}

/// Which second factors a user has.
#[utoipa::path(
    get,
    path = "/api/users/{id}/factors",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "the user's factors", body = FactorsResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = NOT_PERMITTED, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
    ),
)]
pub(super) async fn list_user_factors(
    State(state): State<AppState>,
    principal: Principal,
    Path(user_id): Path<Uuid>,
) -> Result<Json<FactorsResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    find_account_by_id(&state, user_id).await?.ok_or(ApiError::NotFound)?;
    let factors = factors_of(&state, user_id).await?;
    Ok(Json(FactorsResponse {
        totp: factors.totp,
        passkeys: factors.passkeys,
        recovery_codes_left: factors.recovery_codes_left,
    }))
}

/// How a reset went.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FactorsResetResponse {
    /// `factors_reset`
    status: crate::routes::responses::Outcome,
    sessions_ended: u64,
}

/// Resets a user's second factors (lost phone): all of them go, their sessions end, they are
/// e-mailed and must enrol again.
///
/// Needs `users:manage` and the caller's own re-authentication within
/// `sessions.reauth_window_secs`. Not for one's own account.
#[utoipa::path(
    delete,
    path = "/api/users/{id}/factors",
    params(("id" = Uuid, Path, description = "the user")),
    responses(
        (status = 200, description = "reset", body = FactorsResetResponse),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; or as for any \
            `users:manage` route: `forbidden`, `csrf_rejected`, `mfa_enrolment_required`",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such user", body = ErrorResponse),
        (status = 409, description = "`conflict`: remove your own factors from `/api/me`",
            body = ErrorResponse),
    ),
)]
pub(super) async fn reset_user_factors(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(user_id): Path<Uuid>,
) -> Result<Json<FactorsResetResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    principal.require_step_up(&state)?;
    if user_id == principal.user_id {
        return Err(ApiError::Conflict("manage your own factors under /api/me/mfa".into()));
    }
    let account = find_account_by_id(&state, user_id).await?.ok_or(ApiError::NotFound)?;
    let mut work = UnitOfWork::begin(&state).await?;
    let had_totp = remove_totp(work.db(), user_id).await?;
    let passkeys = delete_passkeys(work.db(), user_id, None).await?;
    let codes = delete_recovery_codes(work.db(), user_id).await?;
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnMfaRemoved)
            .by(&principal, &client)
            .target(format!("user:{user_id}"))
            .detail("reason", "admin_reset")
            .detail("totp", had_totp)
            .detail("passkeys", passkeys)
            .detail("recovery_codes", codes)
            .detail("sessions_ended", ended),
    );
    notify(&mut work, &account, Notice::FactorsReset, &client).await?;
    work.commit().await?;
    Ok(Json(FactorsResetResponse {
        status: crate::routes::responses::Outcome::FactorsReset,
        sessions_ended: ended,
    }))
}
