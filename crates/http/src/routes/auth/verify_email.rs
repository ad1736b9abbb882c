//! `POST /api/auth/verify-email`: the token from the verification e-mail proves the address.

use axum::Json;
use axum::extract::State;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::Client;
use crate::routes::responses::{
    BODY_MISFIT, ErrorResponse, INVALID_TOKEN, JsonBodyErrors, Outcome, StatusResponse,
};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::accounts::verify_email as verify_email_link;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyEmailRequest {
    /// From the link in the verification e-mail (after `#token=`).
    #[schema(value_type = String)]
    token: SecretString,
}

/// Proves the address with the token from the verification e-mail.
#[utoipa::path(
    post,
    path = "/api/auth/verify-email",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "`{\"status\":\"email_verified\"}`", body = StatusResponse),
        (status = 400, description = INVALID_TOKEN, body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn verify_email(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<VerifyEmailRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    verify_email_link(&state, request.token.expose_secret(), &client)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    Ok(Json(StatusResponse::new(Outcome::EmailVerified)))
}
