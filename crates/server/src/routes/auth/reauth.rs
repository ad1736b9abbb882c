//! `POST /api/auth/reauth`: the signed-in user proves their password again, for changes that
//! need a recent check (password, later factors and roles). A new session replaces the current
//! one, with a fresh `authenticated_at`.

use axum::extract::State;
use axum::response::Response;
use rampart_domain::{AuditAction, Password};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use super::login::signed_in_account;
use super::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::accounts::{find_account_by_id, sign_in};
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::routes::openapi::{
    BODY_MISFIT, Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Throttled,
};
use crate::sessions::{Principal, start_session};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReauthRequest {
    /// At most 1024 bytes of UTF-8.
    #[schema(value_type = String, max_length = 1024)]
    password: SecretString,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Proves the password again: a new session with a fresh authentication time replaces this one.
///
/// Counts against the same throttle as sign-in.
#[utoipa::path(
    post,
    path = "/api/auth/reauth",
    request_body = ReauthRequest,
    security(("session_cookie" = [], "csrf_token" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "the new session, delivered as at sign-in",
            body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`: no valid session came with the request; \
            or `invalid_credentials`: the password is wrong", body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`; or `forbidden`: an API key cannot re-authenticate", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        Throttled,
        Busy,
        JsonBodyErrors,
    ),
)]
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
    signed_in_account(sign_in(&state, &account.email, password, &client).await?)?;
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
