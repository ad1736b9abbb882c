//! `POST /api/auth/reauth`: the signed-in user proves who they are again — the password, and the
//! second factor when the account has one — for changes that need a recent check (password,
//! factors, recovery codes, later roles and keys). A new session replaces the current one, with a
//! fresh `authenticated_at`.

use axum::extract::State;
use axum::response::Response;
use rampart_domain::{Assurance, AuditAction, Password};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::login::signed_in_account;
use crate::accounts::{Account, find_account_by_id, sign_in};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::{SecondFactor, check_second_factor, count_code_failure, factors_of};
use crate::routes::responses::{Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Throttled};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::sessions::{Enrolling, Grant, Principal, start_session};
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReauthRequest {
    /// At most 1024 bytes of UTF-8.
    #[schema(value_type = String, max_length = 1024)]
    password: SecretString,
    /// With a second factor: the 6 digits the authenticator app shows now. Without one: leave
    /// it out (or `null`).
    #[schema(value_type = Option<String>, max_length = 16)]
    code: Option<SecretString>,
    /// With a second factor, instead of `code`: one of the recovery codes (both are refused as
    /// a wrong code).
    #[schema(value_type = Option<String>, max_length = 64)]
    recovery_code: Option<SecretString>,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Proves who you are again: a new session with a fresh authentication time replaces this one.
///
/// The password counts against the same throttle as sign-in. An account with a second factor
/// must also give `code` or `recovery_code`; wrong codes count against the session, and the
/// fifth ends it.
#[utoipa::path(
    post,
    path = "/api/auth/reauth",
    request_body = ReauthRequest,
    responses(
        (status = 200, description = "the new session, delivered as at sign-in",
            body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`: no valid session came with the request; \
            `invalid_credentials`: the password is wrong; or `invalid_code`: the second factor \
            is wrong or was used already", body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`; or `forbidden`: an API key cannot re-authenticate", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type, or the account has a second factor and neither `code` nor \
            `recovery_code` came", body = ErrorResponse),
        Throttled,
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn reauth(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    client: ClientContext,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Response, ApiError> {
    let session_id = principal.session_id()?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    let password = Password::for_sign_in(request.password.expose_secret())
        .ok_or(ApiError::InvalidCredentials)?;
    // The same throttled path as sign-in: re-authentication is no way around the counters.
    signed_in_account(sign_in(&state, &account.email, password, &client).await?)?;
    let assurance = second_factor(&state, &principal, &account, &client, &request).await?;
    let mut work = UnitOfWork::begin(&state).await?;
    let session =
        start_session(&work, account.id, &client, Some(session_id), Grant::Full(assurance)).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnReauth)
            .client(&client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("session:{}", session.row.id))
            .detail("assurance", assurance.as_str()),
    );
    work.commit().await?;
    session_response(&state, &session, request.session).await
}

/// The second half of a re-authentication: nothing for an account without a second factor,
/// else a right and unused code.
async fn second_factor(
    state: &AppState,
    principal: &Principal,
    account: &Account,
    client: &ClientContext,
    request: &ReauthRequest,
) -> Result<Assurance, ApiError> {
    if !factors_of(state, account.id).await?.any() {
        return Ok(Assurance::Password);
    }
    let factor = SecondFactor::from_fields(request.code.as_ref(), request.recovery_code.as_ref())
        .ok_or_else(|| {
        ApiError::Unprocessable(
            "this account has a second factor: give `code` or `recovery_code` too".into(),
        )
    })?;
    match check_second_factor(state, account, client, principal.token_hash(), &factor).await? {
        Some(assurance) => Ok(assurance),
        None => {
            count_code_failure(state, principal.session_id()?, account.id, client).await?;
            Err(ApiError::InvalidCode)
        }
    }
}
