//! `POST /api/auth/bootstrap`: the one-time link printed by the first `rampart serve` creates the
//! first owner. Single use, expires after `accounts.bootstrap_link_ttl_secs`, refused once an
//! owner exists.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::{Email, Password};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use rampart_core::accounts::{
    BootstrapError, TokenPurpose, create_owner, password_context, peek_link,
};

use crate::caller::Client;
use crate::routes::responses::{
    Busy, ErrorResponse, INVALID_TOKEN, JsonBodyErrors, Outcome, PASSWORD_REFUSED,
};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BootstrapRequest {
    /// From the link `rampart serve` printed (after `#`).
    #[schema(value_type = String)]
    token: SecretString,
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    password: SecretString,
}

/// `{"status":"owner_created","user_id":…}`
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OwnerCreatedResponse {
    status: Outcome,
    user_id: Uuid,
}

/// Creates the first owner with the one-time link printed at the first start (single use,
/// 15 minutes, only while no owner exists).
#[utoipa::path(
    post,
    path = "/api/auth/bootstrap",
    request_body = BootstrapRequest,
    responses(
        (status = 201, description = "the owner exists and can sign in", body = OwnerCreatedResponse),
        (status = 400, description = INVALID_TOKEN, body = ErrorResponse),
        (status = 409, description = "`conflict`: an account with this address exists",
            body = ErrorResponse),
        (status = 422, description = PASSWORD_REFUSED, body = ErrorResponse),
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn bootstrap(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<BootstrapRequest>,
) -> Result<(StatusCode, Json<OwnerCreatedResponse>), ApiError> {
    // Validate before using up the link, so a typo does not cost the operator a restart.
    let email = Email::parse(&request.email)
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let password =
        Password::new(request.password.expose_secret(), &password_context(&state, &email))
            .map_err(|rejected| ApiError::Unprocessable(format!("password: {rejected}")))?;
    // A link that cannot work is refused before any password is hashed.
    let token = request.token.expose_secret();
    peek_link(&state, token, TokenPurpose::Bootstrap).await?.ok_or(ApiError::InvalidToken)?;
    let owner =
        create_owner(&state, Some(token), &email, password, &client).await.map_err(|error| {
            match error {
                BootstrapError::OwnerExists | BootstrapError::InvalidLink => ApiError::InvalidToken,
                BootstrapError::Account(error) => error.into(),
            }
        })?;
    let created = OwnerCreatedResponse { status: Outcome::OwnerCreated, user_id: owner.id };
    Ok((StatusCode::CREATED, Json(created)))
}
