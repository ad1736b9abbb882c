//! Passwords: forgotten (`forgot` mails a link), reset with the link, changed while signed in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::Email;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{
    BODY_MISFIT, Busy, ErrorResponse, INVALID_TOKEN, JsonBodyErrors, MALFORMED_JSON, Outcome,
    PASSWORD_REFUSED, StatusResponse,
};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::accounts::{self, change_own_password};
use rampart_core::client::ClientContext;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ForgotPasswordRequest {
    /// Any string: one that is not an account's address gets the same answer.
    email: String,
}

/// Mails a password-reset link (10 minutes, single use) to the address, if it has an account.
///
/// Always 202 with one body, known address or not. Works while the address is throttled or its
/// password locked: the link is the way back in.
#[utoipa::path(
    post,
    path = "/api/auth/password/forgot",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "`{\"status\":\"check_your_email\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn forgot_password(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<ForgotPasswordRequest>,
) -> Result<(StatusCode, Json<StatusResponse>), ApiError> {
    ask_for_reset(&state, &request.email, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(StatusResponse::new(Outcome::CheckYourEmail))))
}

/// A reset link asked for `email`, as this route and the `/forgot-password` page take it: the
/// same outcome whether or not the address has an account (a malformed one included).
pub(crate) async fn ask_for_reset(
    state: &AppState,
    email: &str,
    client: &ClientContext,
) -> Result<(), ApiError> {
    let Ok(email) = Email::parse(email) else { return Ok(()) };
    accounts::request_password_reset(state, &email, client).await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetPasswordRequest {
    /// From the link in the reset e-mail (after `#token=`).
    #[schema(value_type = String)]
    token: SecretString,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    password: SecretString,
}

/// Sets a new password with the e-mailed token. Ends every session and signs nobody in.
#[utoipa::path(
    post,
    path = "/api/auth/password/reset",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "`{\"status\":\"password_reset\"}`", body = StatusResponse),
        (status = 400, description = INVALID_TOKEN, body = ErrorResponse),
        (status = 422, description = PASSWORD_REFUSED, body = ErrorResponse),
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<ResetPasswordRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    let (link, password) = (request.token.expose_secret(), request.password.expose_secret());
    accounts::reset_password(&state, link, password, &client).await?;
    Ok(Json(StatusResponse::new(Outcome::PasswordReset)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangePasswordRequest {
    /// At most 1024 bytes of UTF-8.
    #[schema(value_type = String, max_length = 1024)]
    current_password: SecretString,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    new_password: SecretString,
    /// End every other session of the account (default: yes).
    #[serde(default = "yes")]
    #[schema(default = true)]
    sign_out_other_sessions: bool,
}

fn yes() -> bool {
    true
}

/// Changes the password: needs the current one, and a re-authentication (`POST
/// /api/auth/reauth`) within `sessions.reauth_window_secs` (10 minutes by default).
#[utoipa::path(
    post,
    path = "/api/auth/password/change",
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "`{\"status\":\"password_changed\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`: no valid session came with the request; \
            or `invalid_credentials`: `current_password` is wrong", body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`: \
            a cookie request without our origin or `X-CSRF-Token`; or `forbidden`: an API key \
            cannot change a password", body = ErrorResponse),
        (status = 422, description = PASSWORD_REFUSED, body = ErrorResponse),
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn change_password(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    change_own_password(
        &state,
        &principal,
        &client,
        request.current_password.expose_secret(),
        request.new_password.expose_secret(),
        request.sign_out_other_sessions,
    )
    .await?;
    Ok(Json(StatusResponse::new(Outcome::PasswordChanged)))
}
