//! `POST /api/auth/register`: a visitor creates a `customer` account (when
//! `accounts.registration_enabled`).
//!
//! The answer is the same 202 whether or not the address already has an account, and takes the
//! same hashing work: a new account gets a verification link; an existing one gets a note that
//! someone tried. Only a weak password or a malformed address is refused outright (422), which
//! says nothing about who is registered.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::{Email, Password};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::Client;
use crate::routes::responses::{
    Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Outcome, StatusResponse,
};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::accounts::{password_context, register as register_account};
use rampart_core::client::ClientContext;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    password: SecretString,
}

/// Creates a `customer` account and mails a verification link.
///
/// The same answer whether or not the address already has an account (its holder is told by
/// e-mail). The account can sign in once the address is verified.
#[utoipa::path(
    post,
    path = "/api/auth/register",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "`{\"status\":\"check_your_email\"}`", body = StatusResponse),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 404, description = "`not_found`: registration is off \
            (`accounts.registration_enabled`)", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type, the address is malformed, or the password is refused (the message says \
            why)", body = ErrorResponse),
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn register(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<StatusResponse>), ApiError> {
    register_visitor(&state, &request.email, &request.password, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(StatusResponse::new(Outcome::CheckYourEmail))))
}

/// A visitor's registration, as this route and the `/register` page take it: 404 while
/// registration is off, 422 for a malformed address or a refused password (which says nothing
/// about who has an account), else done (a link, or a note to the address's owner).
pub(crate) async fn register_visitor(
    state: &AppState,
    email: &str,
    password: &SecretString,
    client: &ClientContext,
) -> Result<(), ApiError> {
    if !state.settings.accounts.registration_enabled {
        return Err(ApiError::NotFound);
    }
    let email =
        Email::parse(email).map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let password = Password::new(password.expose_secret(), &password_context(state, &email))
        .map_err(|rejected| ApiError::Unprocessable(format!("password: {rejected}")))?;
    register_account(state, &email, password, client).await?;
    Ok(())
}
