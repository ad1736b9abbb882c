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
use rampart_core::mfa::PublicKeyCredential;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::routes::me::PasskeyChallengeResponse;
use crate::routes::responses::{BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON};
use crate::routes::session_response::{SessionDelivery, SessionResponse, session_response};
use rampart_core::sessions::{log_in_with_passkey, start_passkey_login};

use crate::caller::{Client, MaybeSignedIn, Pending};
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
    pending: Option<Pending>,
) -> Result<Json<PasskeyChallengeResponse>, ApiError> {
    let pending = pending.map(|Pending(pending)| pending);
    Ok(Json(start_passkey_login(&state, pending.as_ref()).await?.into()))
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
    pending: Option<Pending>,
    MaybeSignedIn(current): MaybeSignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<PasskeyFinishRequest>,
) -> Result<Response, ApiError> {
    let pending = pending.map(|Pending(pending)| pending);
    let session = log_in_with_passkey(
        &state,
        pending.as_ref(),
        current.as_ref(),
        &client,
        request.challenge_id,
        &request.credential,
    )
    .await?;
    session_response(&state, &session, request.session).await
}
