//! `POST /api/auth/login/passkey/{start,finish}`: signing in with a passkey.
//!
//! With a pending sign-in (the password was right), the passkey is the second factor: the
//! ceremony allows only that user's passkeys, and success turns the pending session into a full
//! one (`password+passkey`). Without one, it is a passwordless sign-in: any discoverable passkey
//! of this site, user verification required, gives a full session (`passkey`) — and, for a
//! caller already signed in as that user, serves as a re-authentication (a new token, a fresh
//! authentication time).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use rampart_domain::{Assurance, AuditAction};
use rampart_store::sessions::delete_session;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use webauthn_rs::prelude::PublicKeyCredential;

use super::login::signed_in;
use crate::accounts::{AccountStatus, find_account_by_id};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::{
    count_code_failure, finish_passwordless, finish_second_factor, start_passwordless,
    start_second_factor,
};
use crate::routes::me::PasskeyChallengeResponse;
use crate::routes::responses::{BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::sessions::{Grant, PendingSignIn, Principal, start_session};
use crate::unit_of_work::{UnitOfWork, record};
use crate::{ApiError, ApiJson, AppState};

/// Starts a passkey sign-in: the options for `navigator.credentials.get()`.
///
/// With the pending session of `POST /api/auth/login`: a second-factor check for that account.
/// Without: a passwordless sign-in (discoverable passkeys, user verification required).
#[utoipa::path(
    post,
    path = "/api/auth/login/passkey/start",
    responses(
        (status = 200, description = "the ceremony", body = PasskeyChallengeResponse),
        (status = 401, description = "`passkey_rejected`: the pending sign-in's account has no \
            passkey", body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`", body = ErrorResponse),
    ),
)]
pub(super) async fn passkey_start(
    State(state): State<AppState>,
    pending: Option<PendingSignIn>,
) -> Result<Json<PasskeyChallengeResponse>, ApiError> {
    let started = match pending {
        Some(pending) => {
            start_second_factor(&state, pending.user_id).await?.ok_or(ApiError::PasskeyRejected)?
        }
        None => start_passwordless(&state).await?,
    };
    Ok(Json(started.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyFinishRequest {
    /// From `POST /api/auth/login/passkey/start`.
    challenge_id: Uuid,
    /// What `navigator.credentials.get()` gave (binary fields base64url).
    #[schema(schema_with = crate::routes::shapes::credential_schema)]
    credential: PublicKeyCredential,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Finishes a passkey sign-in: a full session with a new token.
#[utoipa::path(
    post,
    path = "/api/auth/login/passkey/finish",
    request_body = PasskeyFinishRequest,
    responses(
        (status = 200, description = "signed in (`stage: full`), delivered as at sign-in",
            body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`passkey_rejected`: the challenge is unknown, used, \
            expired or another's, or the answer does not verify; or `unauthenticated`: the \
            pending sign-in ended", body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn passkey_finish(
    State(state): State<AppState>,
    pending: Option<PendingSignIn>,
    current: Option<Principal>,
    client: ClientContext,
    ApiJson(request): ApiJson<PasskeyFinishRequest>,
) -> Result<Response, ApiError> {
    let (user_id, replacing, assurance) = match pending {
        Some(pending) => (
            second_factor(&state, &pending, &client, &request).await?,
            None,
            Assurance::PasswordAndPasskey,
        ),
        None => {
            let user_id = passwordless(&state, &client, &request).await?;
            let replacing =
                current.filter(|p| p.user_id == user_id).and_then(|p| p.session_id().ok());
            (user_id, replacing, Assurance::Passkey)
        }
    };
    let account = find_account_by_id(&state, user_id).await?.ok_or(ApiError::PasskeyRejected)?;
    let grant = Grant::Full(assurance);
    crate::incident::lockdown::allow_sign_in(&state, user_id, grant, &client).await?;
    let mut work = UnitOfWork::begin(&state).await?;
    let session = start_session(&work, user_id, &client, replacing, grant).await?;
    signed_in(&mut work, &account, &client, &session).await?;
    work.commit().await?;
    session_response(&state, &session, request.session).await
}

/// The passkey as the second factor of a pending sign-in, which it ends.
async fn second_factor(
    state: &AppState,
    pending: &PendingSignIn,
    client: &ClientContext,
    request: &PasskeyFinishRequest,
) -> Result<Uuid, ApiError> {
    let accepted =
        finish_second_factor(state, pending.user_id, request.challenge_id, &request.credential)
            .await?;
    let event = if accepted {
        AuditEvent::success(AuditAction::AuthnMfaSuccess)
    } else {
        AuditEvent::failure(AuditAction::AuthnMfaFail)
    };
    let event = event.client(client).own_account(pending.user_id).session(&pending.token_hash);
    record(state, event.detail("method", "passkey")).await?;
    if !accepted {
        count_code_failure(state, pending.session_id, pending.user_id, client).await?;
        return Err(ApiError::PasskeyRejected);
    }
    if !delete_session(&state.db, pending.session_id, Some(pending.user_id)).await? {
        return Err(ApiError::Unauthenticated);
    }
    Ok(pending.user_id)
}

/// A passwordless sign-in: the account whose passkey answered, if it may sign in.
async fn passwordless(
    state: &AppState,
    client: &ClientContext,
    request: &PasskeyFinishRequest,
) -> Result<Uuid, ApiError> {
    let user_id = finish_passwordless(state, request.challenge_id, &request.credential).await?;
    let account = match user_id {
        Some(user_id) => find_account_by_id(state, user_id).await?,
        None => None,
    };
    let usable = account.filter(|a| a.status == AccountStatus::Active && a.email_verified);
    let Some(account) = usable else {
        let mut event = AuditEvent::failure(AuditAction::AuthnLoginFail)
            .client(client)
            .detail("method", "passkey")
            .detail("reason", "passkey_rejected");
        if let Some(user_id) = user_id {
            event = event.own_account(user_id);
        }
        record(state, event).await?;
        return Err(ApiError::PasskeyRejected);
    };
    record(
        state,
        AuditEvent::success(AuditAction::AuthnLoginSuccess)
            .client(client)
            .own_account(account.id)
            .detail("method", "passkey"),
    )
    .await?;
    Ok(account.id)
}
