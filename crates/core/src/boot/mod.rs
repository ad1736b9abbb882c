//! Opening an installation: from settings to an [`AppState`], before anything is served.
//!
//! [`open`] prepares what every way in needs and that can fail (the private data directory, the
//! database and its migrations, the installation claim, the master key, the data keys, the
//! outbox), so that a failure stops the start with a clear message. The HTTP crate adds TLS and
//! listeners on top; the command line opens an [`ExistingInstallation`] or a [`RestoreTarget`].

mod existing;
mod instance_lock;
mod master_key;

use std::path::PathBuf;
use std::sync::Arc;

use rampart_crypto::MasterKey;
use rampart_domain::{Clock, Random};
use rampart_store::installation::{InstallationRecord, claim_installation, find_installation};
use rampart_store::{Db, PoolSettings, StoreError};
use secrecy::ExposeSecret;

use crate::AppState;
use crate::config::Settings;
use crate::hashing::HashingPool;
use crate::keys::{KeysError, LiveKeyring, load_or_create_keyring};

pub use existing::{ExistingInstallation, RestoreTarget};
pub use instance_lock::InstanceLock;
pub(crate) use master_key::MASTER_KEY_FILE;

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error("{path}: {problem}")]
    Filesystem { path: PathBuf, problem: String },
    #[error(transparent)]
    PrivateFile(#[from] crate::private_files::PrivateFileError),
    #[error("master key: {0}")]
    MasterKey(String),
    #[error("database: {0}")]
    Database(#[from] StoreError),
    #[error("keys: {0}")]
    Keys(#[from] KeysError),
    #[error(
        "no Rampart installation in this database yet: start `rampart serve` once to create it"
    )]
    NoInstallation,
    #[error(
        "this database already holds a Rampart installation: a restore writes only into a fresh \
         database (a new SQLite file, or an empty PostgreSQL database given with --into)"
    )]
    AlreadyInstalled,
    #[error("e-mail: {0}")]
    Mail(#[from] crate::mail::MailError),
    #[error(
        "another `rampart serve` is using this SQLite database (it holds {lock}): stop it first; \
         to run several instances, share a PostgreSQL database instead"
    )]
    AlreadyServing { lock: PathBuf },
}

/// An installation opened for serving.
#[derive(Debug)]
pub struct Opened {
    pub state: AppState,
    /// Kept to unwrap keys that other instances add while this one runs.
    pub master_key: MasterKey,
    pub created_data_dir: bool,
    pub created_master_key: bool,
    /// With SQLite: this process's hold on the database; keep it while serving.
    pub instance_lock: Option<InstanceLock>,
}

/// Opens (creating on first start) the installation `settings` describe: the data directory
/// (0700), the database (migrated), the installation claim, the master key (made only for a
/// database never claimed), the data keys, the hashing pool and the outbox.
pub async fn open(
    settings: Settings,
    clock: Arc<dyn Clock>,
    random: Arc<dyn Random>,
) -> Result<Opened, BootError> {
    // What can be checked without writing is checked first: a bad key creates nothing.
    master_key::configured(&settings.storage)?;
    let created_data_dir = crate::private_files::prepare_private_dir(&settings.storage.data_dir)?;
    let instance_lock = InstanceLock::take(&settings)?;
    let db = connect_and_migrate(&settings).await?;
    let installation = find_installation(&db).await?;
    let (master_key, created_master_key) =
        master_key::load_or_create(&settings.storage, random.as_ref(), installation.is_none())?;
    if installation.is_none() {
        let record =
            InstallationRecord { installation_id: uuid::Uuid::new_v4(), created_at: clock.now() };
        claim_installation(&db, &record).await?;
    }
    let keyring = load_or_create_keyring(&db, &master_key, random.as_ref(), clock.as_ref()).await?;
    let hashing =
        HashingPool::start(settings.passwords.hashing_threads, settings.passwords.hashing_queue);
    let mailer = crate::mail::Mailer::new(&settings)?;
    let state = AppState {
        db,
        keyring: LiveKeyring::new(keyring),
        hashing,
        settings: Arc::new(settings),
        clock,
        random,
        mailer,
        metrics: crate::metrics::Metrics::new(),
        alert_signals: crate::alerts::AlertSignals::default(),
        refusals: crate::accounts::RefusalTally::default(),
    };
    Ok(Opened { state, master_key, created_data_dir, created_master_key, instance_lock })
}

/// Replaces `master.key` after `rampart keys rotate-master` (see [`crate::keys::rotate_master_key`]).
pub fn replace_master_key_file(path: &std::path::Path, key: &MasterKey) -> Result<(), BootError> {
    master_key::replace_key_file(path, key)
}

async fn connect_and_migrate(settings: &Settings) -> Result<Db, BootError> {
    let pool = PoolSettings {
        max_connections: settings.database.max_connections,
        acquire_timeout: std::time::Duration::from_secs(settings.database.acquire_timeout_secs),
        busy_timeout: std::time::Duration::from_millis(settings.database.busy_timeout_ms),
    };
    if settings.database.url.is_none() {
        // The default SQLite file: made 0600 before SQLite creates it 0644 (its -wal and -shm
        // files take the same mode), so the database stays private even if the directory is not.
        let path = settings.storage.data_dir.join("rampart.db");
        if !path.exists() {
            crate::private_files::write_new_private_file(&path, b"")?;
        }
    }
    match &settings.database.migration_url {
        // Least privilege: the schema's owner migrates, then only the runtime role works.
        Some(migration_url) => {
            let owner = Db::connect(migration_url.expose_secret(), &pool).await?;
            owner.migrate().await?;
            owner.close().await;
            Ok(Db::connect(settings.database_url().expose_secret(), &pool).await?)
        }
        None => {
            let db = Db::connect(settings.database_url().expose_secret(), &pool).await?;
            db.migrate().await?;
            Ok(db)
        }
    }
}
