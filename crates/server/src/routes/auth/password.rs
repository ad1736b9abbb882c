//! Passwords: forgotten (`forgot` mails a link), reset with the link, changed while signed in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_domain::{AuditAction, Email, Password};
use rampart_store::one_time_tokens::TokenPurpose;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::accounts::{
    self, AccountStatus, NewPasswordError, Notice, consume_link, find_account_by_email,
    find_account_by_id, issue_link, notify,
};
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForgotPasswordRequest {
    email: String,
}

/// `POST /api/auth/password/forgot`: always 202 with one body, known address or not. Works while
/// the address is throttled or its password locked: the link is the way back in.
pub(super) async fn forgot_password(
    State(state): State<AppState>,
    client: ClientContext,
    ApiJson(request): ApiJson<ForgotPasswordRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let accepted = (StatusCode::ACCEPTED, Json(json!({ "status": "check_your_email" })));
    let Ok(email) = Email::parse(&request.email) else { return Ok(accepted) };
    let account = find_account_by_email(&state, &email).await?;
    let Some(account) = account.filter(|a| a.status == AccountStatus::Active) else {
        return Ok(accepted);
    };
    let link = issue_link(&state, TokenPurpose::PasswordReset, Some(account.id)).await?;
    let notice = Notice::PasswordResetLink { token: link.expose().to_owned() };
    notify(&state, &account, notice, &client).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::AuthnPasswordResetRequest)
            .client(&client)
            .own_account(account.id),
    )
    .await?;
    Ok(accepted)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetPasswordRequest {
    token: SecretString,
    password: SecretString,
}

/// `POST /api/auth/password/reset`: a new password with the e-mailed token. Ends every session
/// and signs nobody in.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    client: ClientContext,
    ApiJson(request): ApiJson<ResetPasswordRequest>,
) -> Result<Json<Value>, ApiError> {
    let user_id = consume_link(&state, request.token.expose_secret(), TokenPurpose::PasswordReset)
        .await?
        .flatten()
        .ok_or(ApiError::InvalidToken)?;
    let account = find_account_by_id(&state, user_id)
        .await?
        .filter(|a| a.status == AccountStatus::Active)
        .ok_or(ApiError::InvalidToken)?;
    accounts::reset_password(&state, &account, request.password.expose_secret(), &client)
        .await
        .map_err(new_password_error)?;
    Ok(Json(json!({ "status": "password_reset" })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChangePasswordRequest {
    current_password: SecretString,
    new_password: SecretString,
    /// End every other session of the account (default: yes).
    #[serde(default = "yes")]
    sign_out_other_sessions: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/auth/password/change`: needs the current password and a re-authentication within
/// `sessions.reauth_window_secs`.
pub(super) async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<Value>, ApiError> {
    let session_id = principal.session_id()?;
    principal.require_recent_authentication(
        state.clock.now(),
        state.settings.sessions.reauth_window(),
    )?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let current = Password::for_sign_in(request.current_password.expose_secret());
    let confirmed = match current {
        Some(current) => accounts::check_password(&state, &account.email, current).await?.is_some(),
        None => false,
    };
    if !confirmed {
        record(
            &state,
            AuditEvent::failure(AuditAction::AuthnPasswordChange)
                .client(&client)
                .actor(account.id)
                .session(principal.token_hash())
                .detail("reason", "wrong_current_password"),
        )
        .await?;
        return Err(ApiError::InvalidCredentials);
    }
    let keep = request.sign_out_other_sessions.then_some(session_id);
    accounts::change_password(
        &state,
        &account,
        request.new_password.expose_secret(),
        keep,
        &client,
    )
    .await
    .map_err(new_password_error)?;
    Ok(Json(json!({ "status": "password_changed" })))
}

pub(super) fn new_password_error(error: NewPasswordError) -> ApiError {
    match error {
        NewPasswordError::Rejected(rejected) => {
            ApiError::Unprocessable(format!("password: {rejected}"))
        }
        NewPasswordError::Account(error) => error.into(),
    }
}
