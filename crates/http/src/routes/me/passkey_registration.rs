//! Registering a passkey: `POST /api/me/passkeys/options` starts the ceremony (options for
//! `navigator.credentials.create`), `POST /api/me/passkeys` finishes it with the browser's
//! answer and a name. Both need a recent re-authentication; both are open to accounts that
//! still owe a second factor. The first factor brings recovery codes and, like every added
//! factor, a new session signed in with both factors.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rampart_core::mfa::RegisterPublicKeyCredential;
use rampart_core::mfa::own_factors::{register_own_passkey, start_own_passkey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::factor_changes::{FactorAddedResponse, factor_added_parts};
use super::passkeys::PasskeyView;
use crate::caller::{Client, Enrolling};
use crate::routes::responses::{
    BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, UNAUTHENTICATED,
};
use crate::routes::session_response::{SessionDelivery, with_cookie};
use crate::{ApiError, ApiJson, AppState};

/// A ceremony to pass to the browser.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PasskeyChallengeResponse {
    /// Send back with the browser's answer; single use, valid for `mfa.challenge_ttl_secs`.
    challenge_id: Uuid,
    /// `{"publicKey":{…}}` for `navigator.credentials.create()` / `.get()` (binary fields are
    /// base64url).
    #[schema(value_type = Object)]
    options: serde_json::Value,
}

impl From<rampart_core::mfa::Started> for PasskeyChallengeResponse {
    fn from(started: rampart_core::mfa::Started) -> Self {
        Self { challenge_id: started.challenge_id, options: started.options }
    }
}

/// Starts registering a passkey.
#[utoipa::path(
    post,
    path = "/api/me/passkeys/options",
    responses(
        (status = 200, description = "the options for `navigator.credentials.create()`",
            body = PasskeyChallengeResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            or `forbidden`: an API key cannot add a factor", body = ErrorResponse),
    ),
)]
pub(super) async fn passkey_options(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
) -> Result<Json<PasskeyChallengeResponse>, ApiError> {
    Ok(Json(start_own_passkey(&state, &principal).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterPasskeyRequest {
    challenge_id: Uuid,
    /// 1 to 100 characters once surrounding spaces are trimmed, e.g. "work laptop".
    #[schema(schema_with = crate::routes::shapes::title_schema)]
    name: String,
    /// What `navigator.credentials.create()` gave (binary fields base64url).
    #[schema(schema_with = crate::routes::shapes::new_credential_schema)]
    credential: RegisterPublicKeyCredential,
    #[serde(default)]
    #[schema(default = "cookie")]
    session: SessionDelivery,
}

/// The new passkey, the recovery codes when these are the first, and the new session.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PasskeyRegisteredResponse {
    passkey: PasskeyView,
    #[serde(flatten)]
    added: FactorAddedResponse,
}

/// Finishes registering a passkey.
#[utoipa::path(
    post,
    path = "/api/me/passkeys",
    request_body = RegisterPasskeyRequest,
    responses(
        (status = 201, description = "registered; the new session is delivered as at sign-in",
            body = PasskeyRegisteredResponse,
            headers(("Set-Cookie" = String, description = "the session cookie (`session: cookie`)"))),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = "`unauthenticated`; or `passkey_rejected`: the challenge \
            is unknown, used or expired, or the answer does not verify", body = ErrorResponse),
        (status = 403, description = "`reauth_required`: re-authenticate first; `csrf_rejected`; \
            or `forbidden`: an API key cannot add a factor", body = ErrorResponse),
        (status = 409, description = "`conflict`: this passkey is registered already",
            body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
        JsonBodyErrors,
    ),
)]
pub(super) async fn register_passkey(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    Client(client): Client,
    ApiJson(request): ApiJson<RegisterPasskeyRequest>,
) -> Result<Response, ApiError> {
    let (row, added) = register_own_passkey(
        &state,
        &principal,
        &client,
        (request.challenge_id, &request.name),
        &request.credential,
    )
    .await?;
    let (added, cookie) = factor_added_parts(&state, added, request.session).await?;
    let body = PasskeyRegisteredResponse { passkey: PasskeyView::from(&row), added };
    Ok(with_cookie((StatusCode::CREATED, Json(body)).into_response(), cookie))
}
