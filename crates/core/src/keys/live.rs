//! The keyring a running server uses, kept current while other instances or the CLI rotate keys.
//!
//! Each instance re-reads the small `keys` table every `keys.reload_interval_secs` and, when the
//! set of versions changed, unwraps it again and swaps the keyring in. So after
//! `rampart keys rotate`, every instance writes with the new version within that interval,
//! without a restart.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rampart_crypto::{Keyring, MasterKey, Purpose};
use rampart_store::Db;
use rampart_store::keys::list_keys;

use super::KeysError;
use super::load::{identify, unwrap_all};

/// A shared, swappable keyring. Cheap to clone; readers get a consistent snapshot.
#[derive(Debug, Clone)]
pub struct LiveKeyring {
    current: Arc<RwLock<Arc<Keyring>>>,
}

impl LiveKeyring {
    pub fn new(keyring: Keyring) -> Self {
        Self { current: Arc::new(RwLock::new(Arc::new(keyring))) }
    }

    /// The keyring in force now. Hold the snapshot for one operation, not across requests.
    pub fn current(&self) -> Arc<Keyring> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn replace(&self, keyring: Keyring) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keyring);
    }

    /// Re-reads the stored keys; swaps the keyring in when versions were added or removed.
    /// Returns whether it changed.
    pub async fn refresh(&self, db: &Db, master: &MasterKey) -> Result<bool, KeysError> {
        let stored = list_keys(db).await?;
        let stored_versions =
            stored.iter().map(identify).collect::<Result<BTreeSet<(Purpose, u32)>, _>>()?;
        if stored_versions == versions_of(&self.current()) {
            return Ok(false);
        }
        self.replace(unwrap_all(master, &stored)?);
        Ok(true)
    }

    /// Refreshes every `interval` until the task is dropped. Failures are logged and retried:
    /// the keyring in force stays usable meanwhile.
    pub async fn keep_current(self, db: Db, master: MasterKey, interval: Duration) {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.refresh(&db, &master).await {
                Ok(true) => {
                    tracing::info!(versions = ?versions_of(&self.current()), "keyring reloaded")
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::error!(error = %error, "keyring reload failed; keeping the keys in force")
                }
            }
        }
    }
}

fn versions_of(keyring: &Keyring) -> BTreeSet<(Purpose, u32)> {
    Purpose::ALL
        .into_iter()
        .flat_map(|purpose| keyring.versions(purpose).into_iter().map(move |v| (purpose, v)))
        .collect()
}
