//! `POST /api/invitations/accept`: the token of the invitation link and a new password make the
//! invited account (address verified, exactly the invited grants) and sign it in. If its roles
//! require a second factor, the session answers `mfa_enrolment_required: true` and reaches only
//! enrolment until one is confirmed, as any such user's does.

use axum::extract::State;
use axum::response::Response;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::Client;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, PASSWORD_REFUSED};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use crate::{ApiError, ApiJson, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AcceptInvitationRequest {
    /// From the link in the invitation e-mail (after `#token=`).
    #[schema(value_type = String)]
    token: SecretString,
    /// At least 12 characters and at most 1024 bytes of UTF-8, and not easy to guess.
    #[schema(value_type = String, min_length = 12, max_length = 1024)]
    password: SecretString,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// Accepts an invitation: creates the account with the invited roles and signs it in.
///
/// Works whether public registration is on or off. A link that is unknown, used, revoked or
/// expired — or that can no longer make an account for any other reason — answers 400
/// `invalid_token`; each such answer counts against the client, and a client with too many is
/// refused for a while (429).
#[utoipa::path(
    post,
    path = "/api/invitations/accept",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "the account exists and is signed in (`stage: full`; \
            `mfa_enrolment_required` when its roles require a second factor); with `session: \
            cookie` the session is in the `__Host-rampart_session` cookie and `csrf_token` in the \
            body, with `session: token` the body holds `token`", body = SessionResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = "`invalid_token`: the link is unknown, used, revoked or \
            expired; or `malformed_json`: the body is not JSON", body = ErrorResponse),
        (status = 409, description = "`conflict`: a role or department of the invitation is gone, \
            or its inviter may no longer give it: ask for a new invitation", body = ErrorResponse),
        (status = 422, description = PASSWORD_REFUSED, body = ErrorResponse),
        (status = 429, description = "`rate_limited`: too many unusable links from this client",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "seconds to wait before trying again"))),
        (status = 503, description = "`busy`: the server is busy hashing passwords; or \
            `lockdown`: no account is made while a security incident is handled",
            body = ErrorResponse,
            headers(("Retry-After" = u64, description = "seconds to wait before trying again"))),
        JsonBodyErrors,
    ),
)]
pub(super) async fn accept_invitation(
    State(state): State<AppState>,
    Client(client): Client,
    ApiJson(request): ApiJson<AcceptInvitationRequest>,
) -> Result<Response, ApiError> {
    let (token, password) = (request.token.expose_secret(), request.password.expose_secret());
    let session =
        rampart_core::accounts::invitations::accept_invitation(&state, token, password, &client)
            .await?;
    session_response(&state, &session, request.session).await
}
