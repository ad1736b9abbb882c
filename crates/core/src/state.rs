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
    /// Sign-ins refused to blocked clients, counted here and audited once a minute per client.
    pub refusals: crate::accounts::RefusalTally,
}

/// How long `GET /readyz` waits for the database: a load balancer must hear "not ready" fast.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

/// Below this much room on the file system holding SQLite's database, the instance is not ready:
/// a write of any size may fail (small ones can still fit in pages SQLite already holds, so a
/// heartbeat alone would not tell).
const READY_MIN_FREE_BYTES: u64 = 1 << 20;

/// Why the instance is not ready to serve.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the database did not answer within {READY_WITHIN:?}")]
    Timeout,
    #[error("the disk holding the database is full ({free} bytes left)")]
    DiskFull { free: u64 },
    /// Unreachable, read-only, or its disk is full.
    #[error("the database cannot take a write: {0}")]
    Store(#[from] rampart_store::StoreError),
}

impl AppState {
    /// Whether the database answers and takes a write now, within one second (`GET /readyz`):
    /// a heartbeat row (`job_progress` "readiness") is written and committed, so a read-only
    /// database is not ready, not only one that does not answer `SELECT 1`; and on SQLite, the
    /// disk holding the database has room left.
    pub async fn ready(&self) -> Result<(), NotReady> {
        let probe = async {
            let heartbeat = rampart_store::jobs::JobProgressRow {
                name: "readiness".to_owned(),
                cursor: String::new(),
                checked: 0,
                updated: 0,
                updated_at: self.clock.now(),
            };
            rampart_store::jobs::save_job_progress(&self.db, &heartbeat).await
        };
        tokio::time::timeout(READY_WITHIN, probe).await.map_err(|_| NotReady::Timeout)??;
        if let Some(free) = self.free_bytes_for_database()
            && free < READY_MIN_FREE_BYTES
        {
            return Err(NotReady::DiskFull { free });
        }
        Ok(())
    }

    /// Room left on the file system holding the SQLite database (`None`: PostgreSQL, whose disk
    /// is the server's, or a file system that does not say).
    fn free_bytes_for_database(&self) -> Option<u64> {
        let file = self.db.sqlite_path()?;
        let directory = file.parent()?;
        let stats = rustix::fs::statvfs(directory).ok()?;
        Some(stats.f_bavail.saturating_mul(stats.f_frsize))
    }
}
