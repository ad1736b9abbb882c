//! `rampart incident report --since --until DIR`: the forensics bundle of a time window, for the
//! people assessing an incident (and for whoever they must show it to).
//!
//! - `window.rs`: the window, and its audit events page by page;
//! - `audit_slice.rs`: the events as OCSF lines, and what the next two files gather from them;
//! - `sign_ins.rs`: sign-ins grouped by IP address and by device (user agent);
//! - `sensitive_reads.rs`: which principal read which sensitive records, when;
//! - `version.rs`: this build's version, schema, engine and every dependency (embedded
//!   `Cargo.lock`);
//! - `manifest.rs`: SHA-256 of every file, signed with the audit key;
//! - `write.rs`: the bundle directory (a new one, owner-only files);
//! - `verify.rs`: `rampart incident verify-bundle DIR`.
//!
//! Nothing in a bundle is a secret: the audit events hold account ids, never addresses, and the
//! configuration is the redacted one of `rampart config show`. A bundle still says who did what,
//! so its files are readable by their owner only. Format: `docs/forensics.md`.

mod audit_slice;
mod manifest;
mod sensitive_reads;
mod sign_ins;
mod verify;
mod version;
mod window;
mod write;

pub use manifest::SignedManifest;
pub use manifest::{BundleManifest, FileEntry, MANIFEST_FILE, SigningKey};
pub(crate) use sensitive_reads::read_records;
pub use verify::{BundleCheck, BundleProblem, verify_bundle};
pub use window::Window;
pub(crate) use window::events_in;
pub use write::{ReportSummary, write_report};

use rampart_store::StoreError;

use crate::audit::AuditError;
use crate::backup::BackupError;

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0} already exists and is not empty: a bundle goes into a new directory")]
    NotEmpty(String),
    #[error("--until must be later than --since")]
    EmptyWindow,
    #[error("bundle file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the bundle could not be encoded: {0}")]
    Encode(String),
    #[error("the audit key cannot sign the bundle: {0}")]
    Crypto(#[from] rampart_crypto::CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

impl From<serde_json::Error> for ReportError {
    fn from(error: serde_json::Error) -> Self {
        Self::Encode(error.to_string())
    }
}

impl From<BackupError> for ReportError {
    fn from(error: BackupError) -> Self {
        match error {
            BackupError::Io(error) => Self::Io(error),
            other => Self::Encode(other.to_string()),
        }
    }
}
