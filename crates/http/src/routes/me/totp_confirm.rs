//! `POST /api/me/mfa/totp/confirm`: the first code from the app proves it holds the secret. The
//! authenticator is then a second factor (its step counts as used), the holder is e-mailed, the
//! first recovery codes are shown once, and a new session — signed in with both factors —
//! replaces the current one.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use rampart_core::mfa::own_factors::confirm_own_totp;
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::factor_changes::{FactorAddedResponse, factor_added_parts};
use crate::caller::{Client, Enrolling};
use crate::routes::responses::{BODY_MISFIT, ErrorResponse, JsonBodyErrors, MALFORMED_JSON};
use crate::routes::session_response::{SessionDelivery, with_cookie};
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

/// Confirms the authenticator app with its first code.
///
/// Needs a re-authentication within `sessions.reauth_window_secs` (sign-in counts). Open to
/// accounts that still owe a second factor: this is how they stop owing it.
#[utoipa::path(
    post,
    path = "/api/me/mfa/totp/confirm",
    request_body = ConfirmTotpRequest,
    responses(
        (status = 200, description = "enrolled; the new session is delivered as at sign-in",
            body = FactorAddedResponse,
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
    Client(client): Client,
    ApiJson(request): ApiJson<ConfirmTotpRequest>,
) -> Result<Response, ApiError> {
    let added = confirm_own_totp(&state, &principal, &client, &request.code).await?;
    let (body, cookie) = factor_added_parts(&state, added, request.session).await?;
    Ok(with_cookie(Json(body).into_response(), cookie))
}
