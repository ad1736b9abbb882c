//! `POST /api/me/mfa/totp/confirm`: the first code from the app proves it holds the secret. The
//! authenticator is then a second factor (its step counts as used), the holder is e-mailed, the
//! first recovery codes are shown once, and a new session — signed in with both factors —
//! replaces the current one.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use rampart_domain::{Assurance, AuditAction, TotpCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::recovery_codes::new_recovery_codes;
use super::totp::AUTHENTICATOR_APP;
use crate::accounts::{Notice, find_account_by_id, notify};
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;
use crate::mfa::{confirm_totp, factors_of};
use crate::routes::openapi::{BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON};
use crate::routes::session_response::{
    SessionDelivery, SessionResponse, session_parts, with_cookie,
};
use crate::sessions::{Enrolling, Grant, start_session};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfirmTotpRequest {
    /// The 6 digits the app shows now.
    #[schema(value_type = String, max_length = 16)]
    code: SecretString,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// The new session, and the recovery codes when this is the account's first set.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TotpConfirmedResponse {
    /// Ten single-use codes for when the app is lost, shown this once (absent when the account
    /// already has unused ones). Only their hashes are kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    recovery_codes: Option<Vec<String>>,
    /// The session that replaces the current one, signed in with both factors.
    session: SessionResponse,
}

/// Confirms the authenticator app with its first code.
///
/// Needs a re-authentication within `sessions.reauth_window_secs` (sign-in counts). Open to
/// accounts that still owe a second factor: this is how they stop owing it.
#[utoipa::path(
    post,
    path = "/api/me/mfa/totp/confirm",
    request_body = ConfirmTotpRequest,
    security(("session_cookie" = [], "csrf_token" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "enrolled; the new session is delivered as at sign-in",
            body = TotpConfirmedResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`: no valid session came with the request; \
            or `invalid_code`: no enrolment is waiting, or the code is wrong or its step was used",
            body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            or `forbidden`: an API key cannot add a factor", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn confirm_my_totp(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    client: ClientContext,
    ApiJson(request): ApiJson<ConfirmTotpRequest>,
) -> Result<Response, ApiError> {
    let session_id = principal.session_id()?;
    principal.require_step_up(&state)?;
    let code = TotpCode::parse(request.code.expose_secret()).ok_or(ApiError::InvalidCode)?;
    let account =
        find_account_by_id(&state, principal.user_id).await?.ok_or(ApiError::Unauthenticated)?;
    if !confirm_totp(&state, account.id, &code).await? {
        let failed = AuditEvent::failure(AuditAction::AuthnMfaFail)
            .by(&principal, &client)
            .target(format!("user:{}", account.id))
            .detail("method", "totp")
            .detail("during", "enrolment");
        record(&state, failed).await?;
        return Err(ApiError::InvalidCode);
    }
    record(
        &state,
        AuditEvent::success(AuditAction::AuthnMfaEnrolled)
            .by(&principal, &client)
            .target(format!("user:{}", account.id))
            .detail("method", "totp"),
    )
    .await?;
    notify(&state, &account, Notice::FactorAdded { factor: AUTHENTICATOR_APP }, &client).await?;
    let recovery_codes = if factors_of(&state, account.id).await?.recovery_codes_left == 0 {
        Some(new_recovery_codes(&state, &principal, &client).await?)
    } else {
        None
    };
    let grant = Grant::Full(Assurance::PasswordAndTotp);
    let session = start_session(&state, account.id, &client, Some(session_id), grant).await?;
    let (session_body, cookie) = session_parts(&state, &session, request.session).await?;
    let body = TotpConfirmedResponse { recovery_codes, session: session_body };
    Ok(with_cookie(Json(body).into_response(), cookie))
}
