//! `POST /api/auth/reauth`: the signed-in user proves their password again, for changes that
//! need a recent check (password, later factors and roles). A new session replaces the current
//! one, with a fresh `authenticated_at`.

use axum::extract::State;
use axum::response::Response;
use rampart_domain::{AuditAction, Password, retry_after_secs};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::session_response::{SessionDelivery, session_response};
use crate::accounts::{SignInOutcome, find_account_by_id, sign_in};
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::sessions::{Principal, start_session};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReauthRequest {
    password: SecretString,
    #[serde(default)]
    session: SessionDelivery,
}

pub(super) async fn reauth(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Response, ApiError> {
    let session_id = principal.session_id()?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let password = Password::for_sign_in(request.password.expose_secret())
        .ok_or(ApiError::InvalidCredentials)?;
    // The same throttled path as sign-in: re-authentication is no way around the counters.
    match sign_in(&state, &account.email, password, &client).await? {
        SignInOutcome::SignedIn(_) => {}
        SignInOutcome::Failed => return Err(ApiError::InvalidCredentials),
        SignInOutcome::Throttled(wait) => {
            return Err(ApiError::Throttled { retry_after_secs: retry_after_secs(wait) });
        }
    }
    let session = start_session(&state, account.id, &client, Some(session_id)).await?;
    record(
        &state,
        AuditEvent::success(AuditAction::AuthnReauth)
            .client(&client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("session:{}", session.row.id)),
    )
    .await?;
    Ok(session_response(&state, &session, request.session))
}
