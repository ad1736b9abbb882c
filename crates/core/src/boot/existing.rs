use std::path::PathBuf;
use std::sync::Arc;

use rampart_crypto::{MasterKey, OsRandom};
use rampart_store::Db;
use rampart_store::installation::find_installation;

use super::{BootError, connect_and_migrate, master_key};
use crate::AppState;
use crate::config::Settings;
use crate::hashing::HashingPool;
use crate::keys::{LiveKeyring, load_or_create_keyring};
use rampart_domain::{Clock, Random, SystemClock};

/// What the key-management commands work on: an existing installation's database and master
/// key. Nothing is created: no data directory, no key, no installation.
#[derive(Debug)]
pub struct ExistingInstallation {
    pub db: Db,
    pub master_key: MasterKey,
    /// `master.key` in the data directory, when the key came from there (not from a setting).
    pub master_key_file: Option<PathBuf>,
}

impl ExistingInstallation {
    pub async fn open(settings: &Settings) -> Result<Self, BootError> {
        let db = Self::open_database(settings).await?;
        let (master_key, _) = master_key::load_or_create(&settings.storage, &OsRandom, false)?;
        let master_key_file = settings
            .storage
            .master_key
            .is_none()
            .then(|| settings.storage.data_dir.join(master_key::MASTER_KEY_FILE));
        Ok(Self { db, master_key, master_key_file })
    }

    /// The installation's database alone, without its master key: what `rampart doctor` reads,
    /// which must still run (and say so) when the key file is too open to be loaded.
    pub async fn open_database(settings: &Settings) -> Result<Db, BootError> {
        if settings.database.url.is_none() && !settings.storage.data_dir.join("rampart.db").exists()
        {
            return Err(BootError::NoInstallation);
        }
        let db = connect_and_migrate(settings).await?;
        if find_installation(&db).await?.is_none() {
            return Err(BootError::NoInstallation);
        }
        Ok(db)
    }

    /// What the library's account functions need, for commands that act like the server
    /// (`rampart user create-owner`): the keys unwrapped, one hashing thread, the outbox.
    pub async fn into_app_state(self, settings: Settings) -> Result<AppState, BootError> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let random: Arc<dyn Random> = Arc::new(OsRandom);
        let keyring =
            load_or_create_keyring(&self.db, &self.master_key, random.as_ref(), clock.as_ref())
                .await?;
        Ok(AppState {
            db: self.db,
            keyring: LiveKeyring::new(keyring),
            hashing: HashingPool::start(1, 1),
            mailer: crate::mail::Mailer::new(&settings)?,
            settings: Arc::new(settings),
            clock,
            random,
            metrics: crate::metrics::Metrics::new(),
            alert_signals: crate::alerts::AlertSignals::default(),
            refusals: crate::accounts::RefusalTally::default(),
        })
    }
}

/// What `rampart restore` writes into: the configured database, migrated and without an
/// installation, and the master key that must open the backup's data keys (from the settings or
/// `master.key` in the data directory; never created here: a restore needs the key the backup's
/// installation had).
#[derive(Debug)]
pub struct RestoreTarget {
    pub db: Db,
    pub master_key: MasterKey,
}

impl RestoreTarget {
    pub async fn open(settings: &Settings) -> Result<Self, BootError> {
        let (master_key, _) = master_key::load_or_create(&settings.storage, &OsRandom, false)?;
        let db = connect_and_migrate(settings).await?;
        if find_installation(&db).await?.is_some() {
            return Err(BootError::AlreadyInstalled);
        }
        Ok(Self { db, master_key })
    }
}
