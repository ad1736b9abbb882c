//! `/api/me/mfa/totp`: add an authenticator app (POST: a new secret as an `otpauth://` URI and a
//! QR code, waiting for its first code at `/confirm`) or remove it (DELETE). Both need a recent
//! re-authentication; removal is refused while the account's roles require a second factor and
//! it is the only one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::factor_changes::{FactorKind, factor_removed, may_remove};
use crate::accounts::find_account_by_id;
use crate::client::ClientContext;
use crate::mfa::{factors_of, remove_totp, start_totp_enrolment};
use crate::routes::responses::{ErrorResponse, StatusResponse, UNAUTHENTICATED};
use crate::sessions::{Enrolling, Principal};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

pub(super) const TOTP: FactorKind = ("totp", "An authenticator app");

/// What to put into the authenticator app. Shown once; confirm with a code next.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TotpEnrolmentResponse {
    /// `otpauth://totp/…`: what the QR code holds.
    otpauth_uri: String,
    /// The secret in base32, for typing in by hand.
    secret: String,
    /// The QR code of `otpauth_uri`, as an SVG document.
    qr_svg: String,
}

/// Starts adding an authenticator app (TOTP: SHA-1, 6 digits, 30 s).
///
/// A new secret replaces one still waiting for confirmation. Needs a re-authentication within
/// `sessions.reauth_window_secs` (sign-in counts). Open to accounts that still owe a second
/// factor.
#[utoipa::path(
    post,
    path = "/api/me/mfa/totp",
    responses(
        (status = 201, description = "scan `qr_svg` (or type `secret`), then confirm a code at \
            `POST /api/me/mfa/totp/confirm`", body = TotpEnrolmentResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            or `forbidden`: an API key cannot add a factor", body = ErrorResponse),
        (status = 409, description = "`conflict`: an authenticator app is enrolled already; \
            remove it first", body = ErrorResponse),
    ),
)]
pub(super) async fn start_totp(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
) -> Result<(StatusCode, Json<TotpEnrolmentResponse>), ApiError> {
    principal.session_id()?;
    principal.require_step_up(&state)?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let enrolment = start_totp_enrolment(&state, &account).await?.ok_or_else(|| {
        ApiError::Conflict("an authenticator app is enrolled already: remove it first".into())
    })?;
    let body = TotpEnrolmentResponse {
        otpauth_uri: enrolment.uri.to_string(),
        secret: enrolment.secret.to_string(),
        qr_svg: enrolment.qr_svg,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

/// Removes the authenticator app.
///
/// Needs a re-authentication within `sessions.reauth_window_secs`. With no second factor left,
/// the recovery codes go too. The holder is e-mailed.
#[utoipa::path(
    delete,
    path = "/api/me/mfa/totp",
    responses(
        (status = 200, description = "`{\"status\":\"removed\"}`", body = StatusResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            `mfa_enrolment_required`; or `forbidden`: an API key cannot remove a factor",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no authenticator app is enrolled",
            body = ErrorResponse),
        (status = 409, description = "`conflict`: your roles require a second factor and this \
            is the only one", body = ErrorResponse),
    ),
)]
pub(super) async fn remove_my_totp(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
) -> Result<Json<StatusResponse>, ApiError> {
    principal.session_id()?;
    principal.require_step_up(&state)?;
    let factors = factors_of(&state, principal.user_id).await?;
    if !factors.totp {
        return Err(ApiError::NotFound);
    }
    may_remove(&state, &principal, &factors)?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let work = UnitOfWork::begin(&state).await?;
    remove_totp(work.db(), principal.user_id).await?;
    factor_removed(work, &principal, &client, &account, &factors, TOTP, None).await
}
