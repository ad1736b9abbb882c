//! The answer to a successful sign-in or re-authentication: the new session, delivered the way
//! the client asked — as the `__Host-` cookie (browsers; the default) or in the body (API
//! clients that send `Authorization: Bearer`). Never both: a token in a body is readable by
//! scripts, a cookie is not.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::sessions::cookie::session_cookie;
use crate::sessions::{StartedSession, csrf_token_for};

/// How the new session is delivered: `cookie` (browsers; the default) or `token` in the body
/// (for `Authorization: Bearer`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum SessionDelivery {
    #[default]
    Cookie,
    Token,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SessionResponse {
    user_id: Uuid,
    session_id: Uuid,
    /// The absolute end of the session (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// The session ends after this many seconds without a request.
    idle_timeout_secs: u64,
    /// Send back in `X-CSRF-Token` on unsafe requests made with the cookie (`session: cookie`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    csrf_token: Option<String>,
    /// For `Authorization: Bearer` (`session: token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    token: Option<String>,
}

pub(super) fn session_response(
    state: &AppState,
    session: &StartedSession,
    delivery: SessionDelivery,
) -> Response {
    let token = session.token.expose();
    let body = SessionResponse {
        user_id: session.row.user_id,
        session_id: session.row.id,
        expires_at: session.row.expires_at,
        idle_timeout_secs: state.settings.sessions.idle_timeout_secs,
        csrf_token: (delivery == SessionDelivery::Cookie).then(|| csrf_token_for(token)),
        token: (delivery == SessionDelivery::Token).then(|| token.to_owned()),
    };
    let mut response = Json(body).into_response();
    if delivery == SessionDelivery::Cookie {
        let max_age = (session.row.expires_at - session.row.created_at).whole_seconds();
        let cookie: HeaderValue = session_cookie(token, max_age);
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
