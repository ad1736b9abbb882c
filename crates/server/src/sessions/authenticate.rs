//! The middleware that turns a presented credential into a [`Principal`].
//!
//! `Authorization: Bearer` wins over the cookie. A token that is unknown, expired, revoked, or
//! whose account is disabled leaves the request anonymous: public routes still work (signing in
//! with a stale cookie), every other route answers 401. A database fault answers 500 rather
//! than letting the request through unauthenticated checks (fail closed).
//!
//! A session still waiting for its second factor becomes a [`PendingSignIn`], not a principal:
//! every route but `POST /api/auth/login/mfa` treats its holder as signed out.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rampart_crypto::token_hash;
use rampart_domain::{Assurance, AuditAction, SessionStage};
use rampart_store::StoreError;
use rampart_store::sessions::{
    SessionRow, delete_session, find_session_by_token_hash, touch_session,
};
use time::Duration;

use super::cookie::{bearer_token, clearing_cookie, session_token_from_cookies};
use super::principal::{Credential, PendingSignIn, Presented, Principal};
use crate::accounts::active_user_grants;
use crate::api_keys::{API_KEY_PREFIX, resolve_api_key};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::owes_enrolment;
use crate::unit_of_work::record;
use crate::{ApiError, AppState, ErrorBody};

/// Who a presented credential turned out to be.
enum Caller {
    Principal(Principal),
    Pending(PendingSignIn),
}

/// `last_seen_at` is written at most this often per session: the idle timeout is exact to
/// within this much, and a busy client does not write on every request.
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

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
    let client = ClientContext::of_request(&parts, &state.settings.server.trusted_proxies);
    let resolved = if token.starts_with(API_KEY_PREFIX) && presented == Presented::Bearer {
        resolve_api_key(&state, &token, &client).await.map(|key| key.map(Caller::Principal))
    } else {
        resolve_session(&state, &token, presented).await
    };
    match resolved {
        Ok(Some(Caller::Pending(pending))) => {
            parts.extensions.insert(pending);
            next.run(Request::from_parts(parts, body)).await
        }
        Ok(Some(Caller::Principal(principal))) => {
            match crate::incident::lockdown::lockdown_state(&state.db).await {
                Ok(lockdown) if !lockdown.active => {}
                Ok(_) if crate::incident::lockdown::may_act_during_lockdown(&principal) => {}
                Ok(_) => return refuse_during_lockdown(&state, &principal).await,
                Err(error) => return ApiError::from(error).into_response(),
            }
            let attempted = format!("{} {}", parts.method, parts.uri.path());
            parts.extensions.insert(principal.clone());
            let response = next.run(Request::from_parts(parts, body)).await;
            if response.status() == StatusCode::FORBIDDEN {
                let code =
                    response.extensions().get::<ErrorBody>().map_or("forbidden", |body| body.code);
                audit_denial(&state, &principal, &client, attempted, code).await;
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
        Err(error) => ApiError::internal(error).into_response(),
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

/// Every denial of a signed-in caller is an `authz_fail` event (the response is already decided;
/// a failure to record it is logged).
async fn audit_denial(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    attempted: String,
    code: &'static str,
) {
    let event = AuditEvent::failure(AuditAction::AuthzFail)
        .client(client)
        .actor(principal.user_id)
        .session(principal.token_hash())
        .target(attempted)
        .detail("code", code);
    if let Err(error) = record(state, event).await {
        tracing::error!(error = %error, "an authorization failure could not be audited");
    }
}

async fn resolve_session(
    state: &AppState,
    token: &str,
    presented: Presented,
) -> Result<Option<Caller>, StoreError> {
    let hash = token_hash(token);
    let Some(session) = find_session_by_token_hash(&state.db, &hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    if !is_live(state, &session, now) {
        delete_session(&state.db, session.id, None).await?;
        return Ok(None);
    }
    let Some(grants) = active_user_grants(state, session.user_id).await? else {
        return Ok(None);
    };
    let (Some(stage), Some(assurance)) =
        (SessionStage::parse(&session.stage), Assurance::parse(&session.assurance))
    else {
        // Not a row Rampart wrote: the session grants nothing, and the operator hears of it.
        tracing::error!(session_id = %session.id, "a session row has an unknown stage or assurance; refused");
        return Ok(None);
    };
    if stage == SessionStage::MfaPending {
        let pending = PendingSignIn {
            session_id: session.id,
            user_id: session.user_id,
            token_hash: hash,
            presented,
        };
        return Ok(Some(Caller::Pending(pending)));
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        touch_session(&state.db, session.id, now).await?;
    }
    let roles = grants.roles();
    let owes_enrolment = owes_enrolment(state, session.user_id, &roles).await?;
    Ok(Some(Caller::Principal(Principal {
        user_id: session.user_id,
        roles,
        permissions: grants.permissions(),
        grants,
        credential: Credential::Session {
            id: session.id,
            token_hash: hash,
            authenticated_at: session.authenticated_at,
            assurance,
            expires_at: session.expires_at,
            presented,
        },
        owes_enrolment,
    })))
}

/// Lockdown is on and the caller may not act: a session ends for good (on every instance: it is
/// a row of the shared database), an API key is refused until lockdown is off.
async fn refuse_during_lockdown(state: &AppState, principal: &Principal) -> Response {
    if let Credential::Session { id, .. } = &principal.credential
        && let Err(error) = delete_session(&state.db, *id, None).await
    {
        return ApiError::from(error).into_response();
    }
    ApiError::Lockdown.into_response()
}

/// Within both the absolute and the idle timeout.
pub(crate) fn is_live(state: &AppState, session: &SessionRow, now: time::OffsetDateTime) -> bool {
    now < session.expires_at && now - session.last_seen_at < state.settings.sessions.idle_timeout()
}
