//! The audit trail: the one function every feature calls to record a security event, and the
//! tamper evidence around it.
//!
//! Call sites build an [`AuditEvent`] (action from the OWASP vocabulary in
//! `rampart_domain::audit`, outcome, actor, target, details) and hand it to the action's unit of
//! work ([`crate::unit_of_work::UnitOfWork::record`]), which appends it in the same transaction
//! as the change; an event that changes nothing else is recorded alone
//! ([`crate::unit_of_work::record`]). Recording is part of the action: if the event cannot be
//! written, neither is the change, and the request fails (fail closed) rather than act
//! unrecorded.
//!
//! - `chain.rs`: each event is a link of a hash chain, with Ed25519-signed checkpoints;
//! - `verify.rs`: `rampart audit verify`, naming the first entry altered, deleted, inserted or
//!   reordered;
//! - `segment.rs`: `rampart audit new-segment`, the way back after a break (until then every
//!   action that must be audited is refused);
//! - `worker.rs`: checkpoints on a timer, and retention (the hourly full verification, which
//!   raises an alert, is `alerts/chain_check.rs`);
//! - `ocsf.rs`: the export format for SIEMs;
//! - `csp_report.rs`: a browser's report that a page broke its Content-Security-Policy.
//!
//! Details never hold secrets: no password, token, code or key, and no e-mail address (the
//! target is an account id).

mod chain;
pub mod csp_report;
mod ocsf;
mod search;
mod segment;
mod verify;
mod worker;

pub use chain::{append_event, checkpoint_now, truncate_to_micros};
pub use ocsf::{export_events, to_ocsf};
pub use search::{AuditFilter, AuditRow, search_events};
pub use segment::{SegmentError, StartedSegment, start_new_segment};
pub use verify::{ClosedSegment, Verification, closed_segments, verify_chain};
pub use worker::apply_retention;
pub(crate) use worker::start as start_worker;

/// What can stop the audit trail's own operations (checkpoints, verification, retention).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the audit key cannot be used: {0}")]
    Crypto(#[from] rampart_crypto::CryptoError),
    #[error("could not write the export: {0}")]
    Io(#[from] std::io::Error),
}

use rampart_domain::{AuditAction, Outcome};
use rampart_store::audit::AuditEntry;
use rampart_store::{Executor, StoreError, Transaction};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::AppState;
use crate::client::ClientContext;
use crate::sessions::Principal;

#[derive(Debug, Clone)]
pub struct AuditEvent {
    action: AuditAction,
    outcome: Outcome,
    actor: Option<Uuid>,
    client: Option<ClientContext>,
    session_hash: Option<String>,
    target: Option<String>,
    details: Map<String, Value>,
}

impl AuditEvent {
    pub fn success(action: AuditAction) -> Self {
        Self::new(action, Outcome::Success)
    }

    pub fn failure(action: AuditAction) -> Self {
        Self::new(action, Outcome::Failure)
    }

    fn new(action: AuditAction, outcome: Outcome) -> Self {
        Self {
            action,
            outcome,
            actor: None,
            client: None,
            session_hash: None,
            target: None,
            details: Map::new(),
        }
    }

    /// Who acted (the signed-in user, or the account a sign-in was for).
    pub fn actor(mut self, user_id: Uuid) -> Self {
        self.actor = Some(user_id);
        self
    }

    /// A signed-in caller acting: who, through which session, from where.
    pub fn by(self, principal: &Principal, client: &ClientContext) -> Self {
        self.client(client).actor(principal.user_id).session(principal.token_hash())
    }

    /// An event about one account, acted on by its own holder (or by someone trying to be).
    pub fn own_account(self, user_id: Uuid) -> Self {
        self.actor(user_id).target(format!("user:{user_id}"))
    }

    /// Where the request came from.
    pub fn client(mut self, client: &ClientContext) -> Self {
        self.client = Some(client.clone());
        self
    }

    /// The session acted through, as the first 16 bytes of its token's hash in hex: enough to
    /// tie events together, useless to sign in with.
    pub fn session(mut self, token_hash: &[u8]) -> Self {
        self.session_hash = Some(hex::encode(&token_hash[..token_hash.len().min(16)]));
        self
    }

    /// What was acted on, e.g. `user:<id>`, `session:<id>`, `api_key:<id>`.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    pub fn action(&self) -> AuditAction {
        self.action
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    pub(crate) fn actor_id(&self) -> Option<Uuid> {
        self.actor
    }

    pub(crate) fn ip(&self) -> Option<std::net::IpAddr> {
        self.client.as_ref().map(|client| client.ip)
    }

    pub(crate) fn target_name(&self) -> Option<&str> {
        self.target.as_deref()
    }

    pub(crate) fn detail_bool(&self, key: &str) -> Option<bool> {
        self.details.get(key).and_then(Value::as_bool)
    }

    pub(crate) fn detail_str(&self, key: &str) -> Option<&str> {
        self.details.get(key).and_then(Value::as_str)
    }
}

/// Appends `event` as the last statement of `transaction` and commits: what the unit of work
/// does, for the two writers beneath it — retention here, and an alert being raised — which run
/// no detection (no rule looks at them, and an alert never sets off another).
pub(crate) async fn commit_with(
    state: &AppState,
    transaction: Transaction,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    append(state, &transaction, event).await?;
    transaction.commit().await?;
    state.metrics.audit_event(event.action.as_str(), event.outcome.as_str());
    Ok(())
}

/// Appends `event` to the chain through `db` — in practice the unit of work of the action it
/// records ([`crate::unit_of_work::UnitOfWork::commit`]), so the two commit together.
pub(crate) async fn append(
    state: &AppState,
    db: &impl Executor,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let event = event.clone();
    let entry = AuditEntry {
        at: truncate_to_micros(state.clock.now()),
        action: event.action.as_str().to_owned(),
        outcome: event.outcome.as_str().to_owned(),
        actor_user_id: event.actor,
        ip: event.client.as_ref().map(|client| client.ip.to_string()),
        user_agent: event.client.map(|client| client.user_agent),
        session_hash: event.session_hash,
        target: event.target,
        details: Value::Object(event.details).to_string(),
    };
    let keyring = state.keyring.current();
    append_event(db, &keyring, state.settings.audit.checkpoint_every, &entry).await?;
    Ok(())
}
