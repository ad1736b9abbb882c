use std::sync::Arc;

use rampart_domain::{Clock, Random};
use rampart_store::Db;

use crate::config::Settings;
use crate::hashing::HashingPool;
use crate::keys::LiveKeyring;

/// What every handler may reach: the database, the settings, and the sources of time and
/// randomness (parameters, so that tests never sleep and can pin a value). Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    /// The data keys, unwrapped and kept current: field encryption, blind indexes, pepper,
    /// signing. Take `keyring.current()` for each operation.
    pub keyring: LiveKeyring,
    pub settings: Arc<Settings>,
    /// Where passwords are hashed and verified (never on the async runtime's threads).
    pub hashing: HashingPool,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    /// Queues e-mail ([`crate::mail::enqueue`]) and wakes the delivery worker.
    pub mailer: crate::mail::Mailer,
    /// This instance's Prometheus metrics (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
    /// Wakes the alert delivery worker and the live feeds when this instance raises an alert.
    pub alert_signals: crate::alerts::AlertSignals,
}

impl AppState {
    /// Whether the database answers now (`GET /readyz`).
    pub async fn database_answers(&self) -> Result<(), rampart_store::StoreError> {
        self.db.ping().await
    }
}
