//! `POST /api/auth/verify-email`: the token from the verification e-mail proves the address.

use axum::Json;
use axum::extract::State;
use rampart_domain::AuditAction;
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::users::mark_email_verified;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::consume_link;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::routes::responses::{
    BODY_MISFIT, ErrorResponse, INVALID_TOKEN, JsonBodyErrors, Outcome, StatusResponse,
};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, ApiJson, AppState};

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
    client: ClientContext,
    ApiJson(request): ApiJson<VerifyEmailRequest>,
) -> Result<Json<StatusResponse>, ApiError> {
    let mut work = UnitOfWork::begin(&state).await?;
    let user_id = consume_link(&work, request.token.expose_secret(), TokenPurpose::VerifyEmail)
        .await?
        .flatten()
        .ok_or(ApiError::InvalidToken)?;
    mark_email_verified(work.db(), user_id, state.clock.now()).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnEmailVerified).client(&client).own_account(user_id),
    );
    work.commit().await?;
    Ok(Json(StatusResponse::new(Outcome::EmailVerified)))
}
