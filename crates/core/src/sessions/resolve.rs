//! How a presented token becomes a caller: a [`Principal`], a [`PendingSignIn`], or nobody.
//!
//! The HTTP crate's authentication middleware reads the token off the request (cookie or
//! `Authorization: Bearer`) and asks here. A token that is unknown, expired, revoked, or whose
//! account is disabled is nobody: public routes still work, every other route answers 401. A
//! session still waiting for its second factor is a [`PendingSignIn`], not a principal.

use rampart_crypto::token_hash;
use rampart_domain::{Assurance, AuditAction, SessionStage};
use rampart_store::StoreError;
use rampart_store::sessions::{
    SessionRow, delete_session, find_session_by_token_hash, touch_session,
};
use time::Duration;

use super::principal::{Credential, PendingSignIn, Presented, Principal};
use crate::AppState;
use crate::accounts::active_user_grants;
use crate::api_keys::{API_KEY_PREFIX, resolve_api_key};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::incident::lockdown::{lockdown_state, may_act_during_lockdown};
use crate::mfa::owes_enrolment;
use crate::unit_of_work::record;

/// Who a presented credential turned out to be.
#[derive(Debug, Clone)]
pub enum Caller {
    Principal(Principal),
    Pending(PendingSignIn),
}

/// `last_seen_at` is written at most this often per session: the idle timeout is exact to
/// within this much, and a busy client does not write on every request.
const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// The caller a token names, or `None`. `rk_` API keys count only as bearer tokens.
pub async fn resolve_caller(
    state: &AppState,
    token: &str,
    presented: Presented,
    client: &ClientContext,
) -> Result<Option<Caller>, StoreError> {
    if token.starts_with(API_KEY_PREFIX) && presented == Presented::Bearer {
        Ok(resolve_api_key(state, token, client).await?.map(Caller::Principal))
    } else {
        resolve_session(state, token, presented).await
    }
}

/// Whether `principal` may act now: always, unless lockdown is on and they may not act during
/// it (incident managers signed in with a strong second factor may). A session refused here
/// ends for good (on every instance: it is a row of the shared database); an API key is refused
/// until lockdown is off.
pub async fn admit_during_lockdown(
    state: &AppState,
    principal: &Principal,
) -> Result<bool, StoreError> {
    if !lockdown_state(state).await?.active || may_act_during_lockdown(principal) {
        return Ok(true);
    }
    if let Credential::Session { id, .. } = &principal.credential {
        delete_session(&state.db, *id, None).await?;
    }
    Ok(false)
}

/// Every denial of a signed-in caller is an `authz_fail` event naming what was attempted and
/// the refusal's code (the answer is already decided; a failure to record it is logged).
pub async fn record_denial(
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
    if now - session.last_seen_at >= TOUCH_INTERVAL
        && let Err(error) = touch_session(&state.db, session.id, now).await
    {
        // The read goes on: a database that cannot write (full disk, read-only) must not sign
        // everybody out. The idle timeout counts from the last touch that worked.
        tracing::warn!(error = %error, "a session's last-seen time could not be written");
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

/// Those of `sessions` within both timeouts now.
pub(crate) fn live_only(state: &AppState, sessions: Vec<SessionRow>) -> Vec<SessionRow> {
    let now = state.clock.now();
    sessions.into_iter().filter(|session| is_live(state, session, now)).collect()
}

/// Within both the absolute and the idle timeout.
fn is_live(state: &AppState, session: &SessionRow, now: time::OffsetDateTime) -> bool {
    now < session.expires_at && now - session.last_seen_at < state.settings.sessions.idle_timeout()
}
