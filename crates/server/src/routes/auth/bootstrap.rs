//! `POST /api/auth/bootstrap`: the one-time link printed by the first `rampart serve` creates the
//! first owner. Single use, expires after `accounts.bootstrap_link_ttl_secs`, refused once an
//! owner exists.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::{Email, Password};
use rampart_store::one_time_tokens::TokenPurpose;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::{BootstrapError, consume_link, create_owner, password_context};
use crate::client::ClientContext;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BootstrapRequest {
    token: SecretString,
    email: String,
    password: SecretString,
}

pub(super) async fn bootstrap(
    State(state): State<AppState>,
    client: ClientContext,
    ApiJson(request): ApiJson<BootstrapRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // Validate before using up the link, so a typo does not cost the operator a restart.
    let email = Email::parse(&request.email)
        .map_err(|error| ApiError::Unprocessable(format!("email: {error}")))?;
    let password =
        Password::new(request.password.expose_secret(), &password_context(&state, &email))
            .map_err(|rejected| ApiError::Unprocessable(format!("password: {rejected}")))?;
    consume_link(&state, request.token.expose_secret(), TokenPurpose::Bootstrap)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    let owner =
        create_owner(&state, &email, password, &client).await.map_err(|error| match error {
            BootstrapError::OwnerExists => ApiError::InvalidToken,
            BootstrapError::Account(error) => error.into(),
        })?;
    Ok((StatusCode::CREATED, Json(json!({ "status": "owner_created", "user_id": owner.id }))))
}
