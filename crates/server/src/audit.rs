//! The one function every feature calls to record a security event.
//!
//! Call sites build an [`AuditEvent`] (action from the OWASP vocabulary in
//! `rampart_domain::audit`, outcome, actor, target, details) and call [`record`]. Until the audit
//! issue adds the hash chain and signed checkpoints, events go to a plain table; the call sites
//! will not change. Recording is part of the action: if the event cannot be written, the request
//! fails (fail closed) rather than act unrecorded.
//!
//! Details never hold secrets: no password, token, code or key, and no e-mail address (the
//! target is an account id).

use rampart_domain::{AuditAction, Outcome};
use rampart_store::StoreError;
use rampart_store::audit::{AuditRow, insert_audit_event};
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
}

/// Writes `event` to the audit trail.
pub async fn record(state: &AppState, event: AuditEvent) -> Result<(), StoreError> {
    let row = AuditRow {
        at: state.clock.now(),
        action: event.action.as_str().to_owned(),
        outcome: event.outcome.as_str().to_owned(),
        actor_user_id: event.actor,
        ip: event.client.as_ref().map(|client| client.ip.to_string()),
        user_agent: event.client.map(|client| client.user_agent),
        session_hash: event.session_hash,
        target: event.target,
        details: Value::Object(event.details).to_string(),
    };
    insert_audit_event(&state.db, &row).await
}
