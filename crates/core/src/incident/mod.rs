//! Incident response.
//!
//! - `lockdown.rs`: only incident managers with a second factor may act;
//! - `incidents.rs`: open, update and close incidents (severity, summary, status, notes);
//! - `timeline.rs`: an incident's timeline, derived from its notes, the alerts and the audit
//!   trail within its window;
//! - `containment.rs`: revoke sessions and API keys, disable accounts, force password resets,
//!   rotate keys — each audited, and so on the timeline of every incident open at the time;
//! - `report/`: the forensics bundle of a time window, signed with the audit key, and its check;
//! - `notify/`: e-mailing the people whose records a principal read, once each.
//!
//! Backups and restores are `crate::backup`; the posture checks `crate::doctor`.

pub mod containment;
pub mod incidents;
pub mod lockdown;
pub mod notify;
pub mod report;
pub mod timeline;

use rampart_domain::IncidentRefused;
use rampart_store::StoreError;

use crate::accounts::AccountError;
use crate::keys::KeysError;

/// Why an incident or containment action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("no such incident")]
    NotFound,
    #[error("no such account")]
    UnknownUser,
    #[error(transparent)]
    Refused(#[from] IncidentRefused),
    #[error("another change to the incident came first; read it again and retry")]
    Conflict,
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Keys(#[from] KeysError),
}

/// Who acts on an incident: a signed-in incident manager through the API, or the operator at
/// the command line (who has the server's shell, and so no account to name).
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Api(&'a crate::sessions::Principal, &'a crate::client::ClientContext),
    Cli,
}

impl Actor<'_> {
    pub fn user_id(self) -> Option<uuid::Uuid> {
        match self {
            Self::Api(principal, _) => Some(principal.user_id),
            Self::Cli => None,
        }
    }

    /// `event` with who acted, from where.
    pub(crate) fn stamp(self, event: crate::audit::AuditEvent) -> crate::audit::AuditEvent {
        match self {
            Self::Api(principal, client) => event.by(principal, client),
            Self::Cli => event.client(&crate::client::ClientContext::local()),
        }
    }
}
