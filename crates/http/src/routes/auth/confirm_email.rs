//! `POST /api/auth/email/confirm`: the token from the link sent to a new address makes it the
//! account's address (the former one is told). Public: the link may be opened anywhere.

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
use rampart_core::accounts::email_change::confirm_email_change;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfirmEmailRequest {
    /// From the link in the e-mail to the new address (after `#token=`).
    #[schema(value_type = String)]
    token: SecretString,
}

/// Makes the new address the account's, with the token from the link sent to it.
#[utoipa::path(
    post,
    path = "/api/auth/email/confirm",
    request_body = ConfirmEmailRequest,
    responses(
        (status = 200, description = "`{\"status\":\"email_changed\"}`", body = StatusResponse),
        (status = 400, description = INVALID_TOKEN, body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        (status = 429, description = "`rate_limited`: too many unusable links from this client",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "seconds to wait before trying again"))),
        JsonBodyErrors,
    ),
)]
pub(super) async fn confirm_email(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<ConfirmEmailRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    confirm_email_change(&state, request.token.expose_secret(), &client)
        .await
        .map_err(crate::routes::me::email_change_error)?;
    Ok(Json(StatusResponse::new(Outcome::EmailChanged)))
}
