//! `POST /sign-out`: ends the caller's session through the API's use case
//! (`rampart_core::sessions::log_out`, audited), clears the cookie, and shows the sign-in page.
//! A form in every signed-in page's header; its CSRF token is checked by `middleware/csrf.rs`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rampart_core::sessions::log_out;

use super::SIGN_IN_PAGE;
use super::page::see_other;
use crate::caller::cookie::clearing_cookie;
use crate::caller::{Client, Enrolling};
use crate::{ApiError, AppState};

pub(super) async fn sign_out(
    State(state): State<AppState>,
    Enrolling(principal): Enrolling,
    Client(client): Client,
) -> Response {
    if let Err(error) = log_out(&state, &principal, &client).await {
        return ApiError::from(error).into_response();
    }
    let mut response = see_other(SIGN_IN_PAGE);
    response.headers_mut().insert(header::SET_COOKIE, clearing_cookie());
    response
}
