//! Opening the pool on either engine (connection settings, migrations) and closing it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Db, Engine};
use crate::StoreError;

/// Connection-pool settings (the `database.*` section of the configuration).
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long SQLite waits for a lock held by another connection before giving up.
    pub busy_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl Db {
    /// Connects to `url`: `sqlite:PATH` (created if missing; WAL, foreign keys, busy timeout) or
    /// `postgres://…` (TLS with `sslmode=verify-full&sslrootcert=CA.pem`).
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, StoreError> {
        match Engine::of_url(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("not a valid sqlite: URL"))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(settings.busy_timeout)
                    // Sorts and temporary tables in memory, never in /var/tmp or /tmp: the
                    // sandbox of `serve` leaves only the database's own directory writable.
                    .pragma("temp_store", "memory");
                let pool = SqlitePoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Unavailable)?;
                Ok(Self::Sqlite(pool))
            }
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|_| StoreError::BadUrl("not a valid postgres:// URL"))?;
                let pool = PgPoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Unavailable)?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the migrations of `migrations/<engine>/` that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("../../migrations/sqlite").run(pool).await,
            Self::Postgres(pool) => sqlx::migrate!("../../migrations/postgres").run(pool).await,
        }
        .map_err(StoreError::Migrate)
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
        .map_err(StoreError::Unavailable)
    }

    /// The file of a SQLite database (`None` on PostgreSQL, and for an in-memory SQLite).
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Sqlite(pool) => {
                let path = pool.connect_options().get_filename().to_path_buf();
                (!path.as_os_str().is_empty() && path != std::path::Path::new(":memory:"))
                    .then_some(path)
            }
            Self::Postgres(_) => None,
        }
    }

    /// SQLite: copies the write-ahead log into the database and truncates it to nothing, so the
    /// `-wal` file does not stay as large as its largest burst of writes. A reader in progress
    /// may keep it from finishing; the next call tries again. PostgreSQL: nothing to do.
    pub async fn truncate_wal(&self) -> Result<(), StoreError> {
        if let Self::Sqlite(pool) = self {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
        Ok(())
    }

    /// Closes every connection; later queries fail with [`StoreError::Unavailable`].
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
