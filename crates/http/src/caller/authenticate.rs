//! The middleware that turns a presented credential into a caller on the request.
//!
//! `Authorization: Bearer` wins over the cookie. Who the token names is decided by
//! `rampart_core::sessions::resolve_caller`; a token that names nobody leaves the request
//! anonymous (public routes still work, every other route answers 401) and a dead cookie is
//! cleared. A database fault fails the request rather than letting it through unauthenticated
//! checks (fail closed).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rampart_core::sessions::{
    Caller, Presented, admit_during_lockdown, record_denial, resolve_caller,
};

use super::address;
use super::cookie::{bearer_token, clearing_cookie, session_token_from_cookies};
use crate::{ApiError, AppState, ErrorBody};

pub(crate) async fn authenticate(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some((token, presented)) = presented_token(request.headers()) else {
        return next.run(request).await;
    };
    let token = token.to_owned();
    let (mut parts, body) = request.into_parts();
    let client = address::of_request(&parts, &state.settings.server.trusted_proxies);
    match resolve_caller(&state, &token, presented, &client).await {
        Ok(Some(Caller::Pending(pending))) => {
            parts.extensions.insert(pending);
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(Some(Caller::Principal(principal))) => {
            match admit_during_lockdown(&state, &principal).await {
                Ok(true) => {}
                Ok(false) => return ApiError::Lockdown.into_response(),
                Err(error) => return ApiError::from(error).into_response(),
            }
            let attempted = format!("{} {}", parts.method, parts.uri.path());
            parts.extensions.insert(principal.clone());
            let response = next.run(Request::from_parts(parts, body)).await;
            if response.status() == StatusCode::FORBIDDEN {
                let code =
                    response.extensions().get::<ErrorBody>().map_or("forbidden", |body| body.code);
                record_denial(&state, &principal, &client, attempted, code).await;
            }
            response
        }
        Ok(None) => {
            let mut response = next.run(Request::from_parts(parts, body)).await;
            if presented == Presented::Cookie {
                // A dead cookie is of no use to the browser: tell it to drop it.
                response.headers_mut().append(header::SET_COOKIE, clearing_cookie());
            }
            response
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// The credential a request presents, and how: `Authorization: Bearer` wins over the cookie.
pub(crate) fn presented_token(headers: &HeaderMap) -> Option<(&str, Presented)> {
    match (bearer_token(headers), session_token_from_cookies(headers)) {
        (Some(token), _) => Some((token, Presented::Bearer)),
        (None, Some(token)) => Some((token, Presented::Cookie)),
        (None, None) => None,
    }
}
