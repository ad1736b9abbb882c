//! `POST /api/auth/verify-email`: the token from the verification e-mail proves the address.

use axum::Json;
use axum::extract::State;
use rampart_domain::AuditAction;
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::users::mark_email_verified;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::consume_link;
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyEmailRequest {
    token: SecretString,
}

pub(super) async fn verify_email(
    State(state): State<AppState>,
    client: ClientContext,
    ApiJson(request): ApiJson<VerifyEmailRequest>,
) -> Result<Json<Value>, ApiError> {
    let user_id = consume_link(&state, request.token.expose_secret(), TokenPurpose::VerifyEmail)
        .await?
        .flatten()
        .ok_or(ApiError::InvalidToken)?;
    mark_email_verified(&state.db, user_id, state.clock.now()).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::AuthnEmailVerified).client(&client).own_account(user_id),
    )
    .await?;
    Ok(Json(json!({ "status": "email_verified" })))
}
