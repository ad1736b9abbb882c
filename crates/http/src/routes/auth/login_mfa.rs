//! `POST /api/auth/login/mfa`: the second step of sign-in. The pending session from
//! `POST /api/auth/login` (cookie or bearer) and a TOTP code or a recovery code → a full session
//! with a new token; the pending one ends. Wrong codes count against the pending session, and
//! the fifth ends it: sign-in starts over with the password (and its throttle).

use axum::extract::State;
use axum::response::Response;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::routes::responses::{ErrorResponse, JsonBodyErrors, MALFORMED_JSON};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use rampart_core::mfa::SecondFactor;
use rampart_core::sessions::finish_with_second_factor;

use crate::caller::{Client, Pending};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginMfaRequest {
    /// The 6 digits the authenticator app shows now. Give this or `recovery_code`, not both
    /// (both are refused as a wrong code).
    #[schema(value_type = Option<String>, max_length = 16)]
    code: Option<SecretString>,
    /// One of the recovery codes (`xxxx-xxxx-…`); each works once.
    #[schema(value_type = Option<String>, max_length = 64)]
    recovery_code: Option<SecretString>,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Completes a sign-in with the second factor: a full session replaces the pending one.
///
/// Needs the pending session `POST /api/auth/login` answered with `stage: mfa_pending` (cookie,
/// or `Authorization: Bearer` with its token). A TOTP code's 30-second step is accepted once per
/// account; a recovery code once ever (its holder is e-mailed). After `mfa.max_code_failures`
/// (5) wrong codes the pending sign-in ends.
#[utoipa::path(
    post,
    path = "/api/auth/login/mfa",
    request_body = LoginMfaRequest,
    responses(
        (status = 200, description = "signed in (`stage: full`), delivered as at sign-in",
            body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`: no pending sign-in came with the \
            request (none, expired, or ended by too many wrong codes); or `invalid_code`: the \
            code is wrong or its step was used already", body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: a field is missing, unknown or of the \
            wrong type, or neither `code` nor `recovery_code` was given", body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn login_mfa(
    State(state): State<AppState>,
    Pending(pending): Pending,
    Client(client): Client,
    ApiJson(request): ApiJson<LoginMfaRequest>,
) -> Result<Response, ApiError> {
    let factor = SecondFactor::from_fields(request.code.as_ref(), request.recovery_code.as_ref())
        .ok_or_else(|| ApiError::Unprocessable("give `code` or `recovery_code`".into()))?;
    let session = finish_with_second_factor(&state, &pending, &client, &factor).await?;
    session_response(&state, &session, request.session).await
}
