//! The answer to each step of sign-in and to re-authentication: the new session, delivered the
//! way the client asked — as the `__Host-` cookie (browsers; the default) or in the body (API
//! clients that send `Authorization: Bearer`). Never both: a token in a body is readable by
//! scripts, a cookie is not.
//!
//! `stage` says what the session is good for: `mfa_pending` only for `POST
//! /api/auth/login/mfa`; `full` for the API — unless `mfa_enrolment_required`, in which case only
//! enrolment is open until a second factor exists.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rampart_domain::SessionStage;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use rampart_core::sessions::{Standing, StartedSession, standing};

use crate::caller::cookie::session_cookie;
use crate::caller::csrf_token_for;
use crate::{ApiError, AppState};

/// How the new session is delivered: `cookie` (browsers; the default) or `token` in the body
/// (for `Authorization: Bearer`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SessionDelivery {
    #[default]
    Cookie,
    Token,
}

/// What a session is good for.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StageView {
    /// The password was right: send the second factor to `POST /api/auth/login/mfa` with this
    /// session, within `mfa.pending_ttl_secs`. Nothing else accepts it.
    MfaPending,
    Full,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionResponse {
    user_id: Uuid,
    session_id: Uuid,
    stage: StageView,
    /// How the holder proved who they are: `password`, `password+totp`,
    /// `password+recovery_code`, `password+passkey` or `passkey`.
    assurance: String,
    /// The account's roles require a second factor and it has none: only enrolment
    /// (`POST /api/me/mfa/totp`) and signing out are open until one is confirmed.
    mfa_enrolment_required: bool,
    /// With `stage: mfa_pending`: how the sign-in may complete — `totp` and `recovery_code` at
    /// `POST /api/auth/login/mfa`, `passkey` at `POST /api/auth/login/passkey/start`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    second_factors: Option<Vec<&'static str>>,
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

/// The body and, for `cookie` delivery, the `Set-Cookie` header of a new session.
pub(crate) async fn session_parts(
    state: &AppState,
    session: &StartedSession,
    delivery: SessionDelivery,
) -> Result<(SessionResponse, Option<HeaderValue>), ApiError> {
    let token = session.token.expose();
    let Standing { stage, owes_enrolment: owes, second_factors } = standing(state, session).await?;
    let body = SessionResponse {
        user_id: session.row.user_id,
        session_id: session.row.id,
        stage: match stage {
            SessionStage::Full => StageView::Full,
            SessionStage::MfaPending => StageView::MfaPending,
        },
        assurance: session.row.assurance.clone(),
        mfa_enrolment_required: owes,
        second_factors,
        expires_at: session.row.expires_at,
        idle_timeout_secs: state.settings.sessions.idle_timeout_secs,
        csrf_token: (delivery == SessionDelivery::Cookie).then(|| csrf_token_for(token)),
        token: (delivery == SessionDelivery::Token).then(|| token.to_owned()),
    };
    let cookie = (delivery == SessionDelivery::Cookie).then(|| session_cookie_of(session));
    Ok((body, cookie))
}

/// The `Set-Cookie` value of a new session, living as long as the session may (the pages set
/// the same one).
pub(crate) fn session_cookie_of(session: &StartedSession) -> HeaderValue {
    let max_age = (session.row.expires_at - session.row.created_at).whole_seconds();
    session_cookie(session.token.expose(), max_age)
}

/// The whole answer for a new session.
pub(crate) async fn session_response(
    state: &AppState,
    session: &StartedSession,
    delivery: SessionDelivery,
) -> Result<Response, ApiError> {
    let (body, cookie) = session_parts(state, session, delivery).await?;
    Ok(with_cookie(Json(body).into_response(), cookie))
}

pub(crate) fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
