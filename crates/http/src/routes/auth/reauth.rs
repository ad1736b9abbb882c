//! `POST /api/auth/reauth`: the signed-in user proves who they are again — the password, and the
//! second factor when the account has one — for changes that need a recent check (password,
//! factors, recovery codes, later roles and keys). A new session replaces the current one, with a
//! fresh `authenticated_at`.

use axum::extract::State;
use axum::response::Response;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::routes::responses::{Busy, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, Throttled};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use rampart_core::mfa::SecondFactor;
use rampart_core::sessions::reauthenticate;

use crate::caller::{Client, Enrolling};
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
    Client(client): Client,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Response, ApiError> {
    let factor = SecondFactor::from_fields(request.code.as_ref(), request.recovery_code.as_ref());
    let session =
        reauthenticate(&state, &principal, &client, &request.password, factor.as_ref()).await?;
    session_response(&state, &session, request.session).await
}
