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

/// What a new session's holder is told about it besides the session itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub stage: SessionStage,
    /// Signed in, but the roles require a second factor the account does not have yet.
    pub owes_enrolment: bool,
    /// While the second factor is owed: the methods the account can finish with.
    pub second_factors: Option<Vec<&'static str>>,
}

/// Where `session` stands: full (and whether an enrolment is owed) or waiting for a second
/// factor (and which).
pub async fn standing(
    state: &crate::AppState,
    session: &StartedSession,
) -> Result<Standing, crate::accounts::AccountError> {
    let user_id = session.row.user_id;
    let stage = SessionStage::parse(&session.row.stage)
        .ok_or(crate::accounts::AccountError::UnreadableRow("sessions.stage"))?;
    Ok(match stage {
        SessionStage::Full => {
            let roles = rampart_store::roles::roles_of_user(&state.db, user_id).await?;
            let owes_enrolment = crate::mfa::owes_enrolment(state, user_id, &roles).await?;
            Standing { stage, owes_enrolment, second_factors: None }
        }
        SessionStage::MfaPending => Standing {
            stage,
            owes_enrolment: false,
            second_factors: Some(crate::mfa::factors_of(state, user_id).await?.methods()),
        },
    })
}
