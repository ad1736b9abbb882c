//! `POST /api/me/email`: the caller asks for their address to change. A link goes to the new
//! address and a notice to the current one; the address changes only when the link is used
//! (`POST /api/auth/email/confirm`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::Email;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{
    ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Outcome, StatusResponse, UNAUTHENTICATED,
};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::accounts::email_change::{EmailChangeError, request_email_change};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailChangeRequest {
    /// The new address.
    #[schema(format = Email, max_length = 254)]
    email: String,
}

/// Asks for the caller's address to change: needs a re-authentication within
/// `sessions.reauth_window_secs`. Always 202 with one body, whether or not the new address
/// belongs to another account (then nothing is sent).
#[utoipa::path(
    post,
    path = "/api/me/email",
    request_body = EmailChangeRequest,
    responses(
        (status = 202, description = "`{\"status\":\"check_your_email\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `forbidden`: an \
            API key cannot change an address; or `csrf_rejected`", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type, the address is malformed, or it is the current one", body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn change_my_email(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<EmailChangeRequest>,
) -> Result<(StatusCode, Json<StatusResponse>), ApiError> {
    let email = Email::parse(&request.email)
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    request_email_change(&state, &principal, &client, &email).await.map_err(email_change_error)?;
    Ok((StatusCode::ACCEPTED, Json(StatusResponse::new(Outcome::CheckYourEmail))))
}

pub(crate) fn email_change_error(error: EmailChangeError) -> ApiError {
    match error {
        EmailChangeError::Unchanged => ApiError::Unprocessable(error.to_string()),
        EmailChangeError::InvalidLink => ApiError::InvalidToken,
        EmailChangeError::NoAccount => ApiError::Unauthenticated,
        EmailChangeError::Throttled { retry_after_secs } => {
            ApiError::RateLimited { retry_after_secs }
        }
        EmailChangeError::Refused(refused) => refused.into(),
        EmailChangeError::Account(account) => account.into(),
    }
}
