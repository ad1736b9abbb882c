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
    /// The text names the key's source (file or setting), never the key.
    #[error("{0}")]
    MasterKey(String),
    /// The error's own text comes after (`{:#}` prints the chain): not repeated here.
    #[error("database")]
    Database(#[from] StoreError),
    /// Connecting to or migrating the database at `at` (its host and name or its file, never
    /// a credential) failed.
    #[error("database {at}")]
    Connect {
        at: String,
        #[source]
        source: StoreError,
    },
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

/// What can be checked of `settings` without writing anything (today: a master key given in the
/// settings): `serve` runs it before it creates the data directory.
pub fn check_before_creating(settings: &Settings) -> Result<(), BootError> {
    master_key::configured(&settings.storage).map(drop)
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
    check_before_creating(&settings)?;
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
    // Accounts made before look-alike addresses were refused get their skeleton index; an
    // error here weakens that one check, it does not stop the server.
    match crate::accounts::backfill_email_skeletons(&db, &keyring).await {
        Ok(report) if report.indexed + report.look_alikes > 0 => tracing::info!(
            indexed = report.indexed,
            look_alikes = report.look_alikes,
            "accounts: look-alike index filled in"
        ),
        Ok(_) => {}
        Err(error) => {
            tracing::warn!(error = %error, "accounts: could not fill in the look-alike index")
        }
    }
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
    let at = |url: &str| {
        let at = database_location(url);
        move |source| BootError::Connect { at, source }
    };
    let url = settings.database_url();
    match &settings.database.migration_url {
        // Least privilege: the schema's owner migrates, then only the runtime role works.
        Some(migration_url) => {
            let migration_url = migration_url.expose_secret();
            let owner = Db::connect(migration_url, &pool).await.map_err(at(migration_url))?;
            owner.migrate().await.map_err(at(migration_url))?;
            owner.close().await;
            Db::connect(url.expose_secret(), &pool).await.map_err(at(url.expose_secret()))
        }
        None => {
            let db =
                Db::connect(url.expose_secret(), &pool).await.map_err(at(url.expose_secret()))?;
            db.migrate().await.map_err(at(url.expose_secret()))?;
            Ok(db)
        }
    }
}

/// Where a database URL points, for an error message: the host, port and database name of a
/// PostgreSQL URL (no user, password or options), or the file of a SQLite one.
fn database_location(url: &str) -> String {
    if url.starts_with("sqlite:") {
        return instance_lock::sqlite_file(url)
            .map_or_else(|| "in memory".to_owned(), |file| file.display().to_string());
    }
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}:{}{}",
            parsed.host_str().unwrap_or("?"),
            parsed.port().unwrap_or(5432),
            parsed.path()
        ),
        Err(_) => "(an unreadable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{BootError, database_location};
    use rampart_store::StoreError;

    #[test]
    fn a_database_error_names_where_once_and_never_the_credentials() {
        let at = database_location(
            "postgres://rampart:hunter2@db.internal:5433/rampart?sslmode=verify-full",
        );
        assert_eq!(at, "db.internal:5433/rampart");
        assert_eq!(
            database_location("sqlite:/var/lib/rampart/rampart.db?mode=rwc"),
            "/var/lib/rampart/rampart.db"
        );
        let error = BootError::Connect { at, source: StoreError::BadUrl("x") };
        let shown = format!("{:#}", anyhow_like(&error));
        assert!(shown.starts_with("database db.internal:5433/rampart: "), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(shown.matches("valid sqlite").count(), 1, "said once: {shown}");
    }

    /// The chain as the command line prints it: each error, then its source.
    fn anyhow_like(error: &(dyn std::error::Error + 'static)) -> String {
        let mut shown = error.to_string();
        let mut source = error.source();
        while let Some(next) = source {
            shown.push_str(": ");
            shown.push_str(&next.to_string());
            source = next.source();
        }
        shown
    }
}
