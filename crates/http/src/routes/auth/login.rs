//! `POST /api/auth/login`: e-mail and password → a new session: a full one, or — when the
//! account has a second factor — a pending one, good only for `POST /api/auth/login/mfa`.
//!
//! Unknown address, wrong password, disabled or unverified account: 401 with one body. Too many
//! failures for the address or from the client: 429 + `Retry-After`, same body. Hashing
//! saturated: 503 + `Retry-After`. See `rampart_core::sessions::log_in_with_password`
//! for the flow and `rampart_core::accounts::sign_in` for the decision.

use axum::extract::State;
use axum::response::Response;
use rampart_core::sessions::log_in_with_password;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::{Client, MaybeSignedIn};
use crate::routes::responses::{
    BODY_MISFIT, Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Throttled,
};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// At most 1024 bytes of UTF-8 (a longer one is nobody's password).
    #[schema(value_type = String, max_length = 1024)]
    password: SecretString,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Signs in with e-mail and password: a new session.
///
/// A wrong password, an unknown, disabled or unverified account: one answer (401), after the
/// same work. A session the client already held for this account is ended. An account with a
/// second factor gets a session at `stage: mfa_pending`, good for nothing but
/// `POST /api/auth/login/mfa` for `mfa.pending_ttl_secs` (5 minutes).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in (`stage: full`), or the second factor is owed \
            (`stage: mfa_pending`); with `session: cookie` the session is in the \
            `__Host-rampart_session` cookie and `csrf_token` is in the body, with `session: \
            token` the body holds `token`", body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`invalid_credentials`: the address or the password is \
            wrong (or the account cannot sign in)", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        Throttled,
        Busy,
        JsonBodyErrors,
    ),
)]
pub(super) async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    MaybeSignedIn(current): MaybeSignedIn,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let session =
        log_in_with_password(&state, &request.email, &request.password, &client, current.as_ref())
            .await?;
    session_response(&state, &session, request.session).await
}
