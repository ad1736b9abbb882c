//! One action, one transaction: a use case's changes, its audit events and its outbox mail
//! commit together or not at all, on both engines.
//!
//! ```text
//! let mut work = UnitOfWork::begin(state).await?;
//! rampart_store::records::insert_record(work.db(), &row, &lookups).await?;
//! work.record(AuditEvent::success(AuditAction::RecordCreated).by(principal, client));
//! work.commit().await?;      // events appended last, then one COMMIT
//! ```
//!
//! The events are appended to the hash chain at [`UnitOfWork::commit`], as the unit's last
//! statements: the chain head's row lock (PostgreSQL) is then held for the appends and the commit
//! only, as long as the separate append transaction held it before; on SQLite the unit holds the
//! database's one write lock from its start anyway (`BEGIN IMMEDIATE`). Why this and not a
//! separate chaining writer: `docs/crypto.md`, "Audit events and the action they record".
//!
//! After the commit, and only then, the detection rules see the events (an alert they raise is
//! an action of its own) and the mail worker is woken. Dropped without a commit — an error
//! returned half-way through a use case — the unit rolls back: neither the change nor its events
//! remain.

use rampart_store::{StoreError, Transaction};

use crate::AppState;
use crate::audit::{self, AuditEvent};

/// See the module documentation.
#[derive(Debug)]
pub struct UnitOfWork<'s> {
    state: &'s AppState,
    transaction: Transaction,
    events: Vec<AuditEvent>,
    mail_queued: bool,
}

impl<'s> UnitOfWork<'s> {
    /// Opens the unit's transaction. Do slow work (password hashing, network calls) before: on
    /// SQLite every other writer waits while a unit is open.
    pub async fn begin(state: &'s AppState) -> Result<Self, StoreError> {
        let transaction = state.db.begin().await?;
        Ok(Self { state, transaction, events: Vec::new(), mail_queued: false })
    }

    pub fn state(&self) -> &'s AppState {
        self.state
    }

    /// What the unit's store calls run on.
    pub fn db(&self) -> &Transaction {
        &self.transaction
    }

    /// Records `event` with the action: it is written at [`UnitOfWork::commit`], in the same
    /// transaction as the change.
    pub fn record(&mut self, event: AuditEvent) {
        self.events.push(event);
    }

    /// The unit put a message in the outbox: the delivery worker is woken after the commit.
    pub(crate) fn mail_queued(&mut self) {
        self.mail_queued = true;
    }

    /// Appends the recorded events to the audit chain and commits everything. Then (the action
    /// being durable) counts the events, runs the detection rules over them and wakes the mail
    /// worker.
    pub async fn commit(self) -> Result<(), StoreError> {
        let Self { state, transaction, events, mail_queued } = self;
        for event in &events {
            if let Err(error) = audit::append(state, &transaction, event).await {
                if matches!(error, StoreError::AuditChainBroken(_)) {
                    crate::alerts::check_chain_soon(state);
                }
                return Err(error);
            }
        }
        transaction.commit().await?;
        if mail_queued {
            state.mailer.wake();
        }
        for event in &events {
            state.metrics.audit_event(event.action().as_str(), event.outcome().as_str());
        }
        for event in &events {
            crate::alerts::observe(state, event).await;
        }
        Ok(())
    }
}

/// Records `event` as an action of its own: a refusal, a failed sign-in, a read of sensitive
/// data — events that change nothing else. If the event cannot be written the caller fails
/// (fail closed) rather than act unrecorded.
pub async fn record(state: &AppState, event: AuditEvent) -> Result<(), StoreError> {
    let mut work = UnitOfWork::begin(state).await?;
    work.record(event);
    work.commit().await
}
