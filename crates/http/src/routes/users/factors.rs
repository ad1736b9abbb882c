//! `/api/users/{id}/factors`: an administrator (`users:manage`) sees which second factors a user
//! has, and — when the user has lost them — resets them all (DELETE, with a recent
//! re-authentication of the administrator's own): the authenticator app, the passkeys and the
//! recovery codes go, the user's sessions end, and they are e-mailed. If their roles require a second factor,
//! their next sign-in reaches only enrolment.

use axum::Json;
use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{ErrorResponse, NOT_A_UUID, NOT_PERMITTED, UNAUTHENTICATED};
use crate::{ApiError, AppState};
use rampart_core::accounts::administration::reset_factors;
use rampart_core::accounts::find_account_by_id;
use rampart_core::mfa::factors_of;

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
    SignedIn(principal): SignedIn,
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(user_id): Path<Uuid>,
) -> Result<Json<FactorsResetResponse>, ApiError> {
    principal.require(Permission::UsersManage)?;
    principal.require_step_up(&state)?;
    let ended = reset_factors(&state, &principal, &client, user_id).await?;
    Ok(Json(FactorsResetResponse {
        status: crate::routes::responses::Outcome::FactorsReset,
        sessions_ended: ended,
    }))
}
