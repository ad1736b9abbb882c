//! `POST /api/auth/logout`: ends the caller's session, on every instance at once (the row goes).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use rampart_core::sessions::log_out;

use crate::caller::cookie::clearing_cookie;
use crate::caller::{Client, Enrolling};
use crate::{ApiError, AppState};

/// Ends the caller's session.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    responses(
        (status = 204, description = "signed out; the cookie is cleared",
            headers(("Set-Cookie" = String, description = "clears the session cookie"))),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`csrf_rejected`: a cookie request without our origin or \
            `X-CSRF-Token`; or `forbidden`: an API key has no session to end", body = ErrorResponse),
    ),
)]
pub(super) async fn logout(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    Client(client): Client,
) -> Result<Response, ApiError> {
    log_out(&state, &principal, &client).await?;
    Ok(([(header::SET_COOKIE, clearing_cookie())], StatusCode::NO_CONTENT).into_response())
}
