//! A new session at each step of sign-in.

use rampart_crypto::NewToken;
use rampart_domain::{Assurance, SessionStage};
use rampart_store::StoreError;
use rampart_store::sessions::{SessionRow, delete_session, insert_session};
use uuid::Uuid;

use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

/// Session tokens carry 256 random bits.
const SESSION_TOKEN_BYTES: usize = 32;

/// What a new session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// The password was right and a second factor is owed: good only for
    /// `POST /api/auth/login/mfa`, for `mfa.pending_ttl_secs`.
    PendingSecondFactor,
    /// Signed in, proved this way.
    Full(Assurance),
}

#[derive(Debug)]
pub struct StartedSession {
    /// The token, for the cookie or the response body; never stored.
    pub token: NewToken,
    pub row: SessionRow,
}

/// Starts a session for `user_id`. The session the client presented (`replacing`), if any, ends
/// at the same time: a new token at every step of sign-in and at re-authentication, so a token
/// planted before sign-in (session fixation) or seen before it is worthless after. Part of
/// `work`'s action (the sign-in step that earned it, with its events).
pub async fn start_session(
    work: &UnitOfWork<'_>,
    user_id: Uuid,
    client: &ClientContext,
    replacing: Option<Uuid>,
    grant: Grant,
) -> Result<StartedSession, StoreError> {
    let state = work.state();
    let now = state.clock.now();
    let token = NewToken::generate(state.random.as_ref(), "", SESSION_TOKEN_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for a session token"))?;
    let (stage, assurance, lifetime) = match grant {
        Grant::PendingSecondFactor => {
            (SessionStage::MfaPending, Assurance::Password, state.settings.mfa.pending_ttl())
        }
        Grant::Full(assurance) => {
            (SessionStage::Full, assurance, state.settings.sessions.absolute_timeout())
        }
    };
    let row = SessionRow {
        id: Uuid::new_v4(),
        token_hash: token.hash().to_vec(),
        user_id,
        created_at: now,
        last_seen_at: now,
        expires_at: now + lifetime,
        authenticated_at: now,
        ip: client.ip.to_string(),
        user_agent: client.user_agent.clone(),
        stage: stage.as_str().to_owned(),
        assurance: assurance.as_str().to_owned(),
        mfa_failures: 0,
    };
    insert_session(work.db(), &row).await?;
    if let Some(old) = replacing {
        delete_session(work.db(), old, Some(user_id)).await?;
    }
    Ok(StartedSession { token, row })
}
