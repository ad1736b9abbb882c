//! Backups and restores: encrypted, portable, verifiable copies of the whole database.
//!
//! - `create.rs`: `rampart backup create` and the schedule: a consistent snapshot of either
//!   engine while the server runs, written as JSON lines (`format.rs`) encrypted with age to the
//!   configured recipients, plus a manifest (`manifest.rs`) with the file's SHA-256;
//! - `verify.rs`: `rampart backup verify`: digest, decryption and structure, without a database;
//! - `restore.rs`: `rampart restore` into a fresh database of either engine (SQLite → PostgreSQL
//!   is how a site moves to several instances), then the audit chain is verified;
//! - `drill.rs`: `rampart drill restore`: the newest backup restored into a scratch database,
//!   timed (RTO) and aged (RPO), recorded as metrics and in the audit trail;
//! - `schedule.rs`: what `serve` does by itself: scheduled backups with retention, and the
//!   `backup_stale` alert.
//!
//! The rows travel through `rampart_store::backup`; the encryption is `rampart_crypto`'s.

mod create;
mod drill;
pub(crate) mod files;
pub(crate) mod format;
pub(crate) mod manifest;
mod restore;
mod schedule;
mod verify;

pub use create::{BackupReport, create_backup};
pub use drill::{DrillReport, drill_restore};
pub use format::Header;
pub use manifest::{AuditHead, Manifest, list_backups, manifest_path, read_manifest};
pub use restore::{RestoreReport, restore_backup};
pub(crate) use schedule::start as start_schedule;
pub use schedule::{check_backup_age, prune_backups, run_scheduled_backup};
pub use verify::{VerifyReport, verify_backup};

use rampart_crypto::BackupCryptoError;
use rampart_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Crypto(#[from] BackupCryptoError),
    #[error("the backup file is not valid: {0}")]
    Format(&'static str),
    #[error("the backup could not be encoded: {0}")]
    Encode(String),
    #[error("backup file: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the backup was made at schema version {backup} and this Rampart is at {current}: \
         restore it with the Rampart version that made it ({made_by}), then upgrade"
    )]
    SchemaMismatch { backup: i64, current: i64, made_by: String },
    #[error(
        "the file does not match its manifest ({0}): it is not the backup the manifest describes"
    )]
    ManifestMismatch(&'static str),
    #[error(
        "the master key cannot unwrap this backup's data keys: restore with the master key of \
         the installation that made it; nothing was kept"
    )]
    WrongMasterKey,
    #[error(
        "the restored audit trail does not verify ({0}): the backup is not trustworthy; nothing was kept"
    )]
    AuditBroken(String),
    #[error("no backup with a manifest in {0}")]
    NoBackup(String),
    #[error("the backup task stopped unexpectedly")]
    TaskFailed,
}

impl BackupError {
    fn encode(error: serde_json::Error) -> Self {
        Self::Encode(error.to_string())
    }
}
