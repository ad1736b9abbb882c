//! `/api/me/mfa/totp`: add an authenticator app (POST: a new secret as an `otpauth://` URI and a
//! QR code, waiting for its first code at `/confirm`) or remove it (DELETE). Both need a recent
//! re-authentication; removal is refused while the account's roles require a second factor and
//! it is the only one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_core::mfa::own_factors::{remove_own_totp, start_own_totp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::caller::{Client, Enrolling, SignedIn};
use crate::routes::responses::{ErrorResponse, Outcome, StatusResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};

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
    let enrolment = start_own_totp(&state, &principal).await?;
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
    SignedIn(principal): SignedIn,
    Client(client): Client,
) -> Result<Json<StatusResponse>, ApiError> {
    remove_own_totp(&state, &principal, &client).await?;
    Ok(Json(StatusResponse::new(Outcome::Removed)))
}
