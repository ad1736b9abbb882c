//! `rampart backup verify`: is this file a complete, readable backup, the one its manifest
//! describes? Reads it to the end (every chunk's authentication, every row's shape, the counts)
//! without touching any database.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use rampart_crypto::BackupIdentities;

use super::BackupError;
use super::format::{Header, open_encrypted};
use super::manifest::{Manifest, read_manifest};
use super::restore::digest_of_file;

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub header: Header,
    pub rows: BTreeMap<String, u64>,
    pub sha256: String,
    /// The manifest beside the file, which matched (`None`: there was none).
    pub manifest: Option<Manifest>,
}

impl VerifyReport {
    pub fn row_count(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// Checks `path` with `identities`. Blocking: it reads the whole file.
pub fn verify_backup(
    path: &Path,
    identities: &BackupIdentities,
) -> Result<VerifyReport, BackupError> {
    let manifest = read_manifest(path)?;
    let (sha256, size_bytes) = digest_of_file(path)?;
    if let Some(manifest) = &manifest
        && (manifest.sha256 != sha256 || manifest.size_bytes != size_bytes)
    {
        return Err(BackupError::ManifestMismatch("its SHA-256 differs"));
    }
    let mut reader = open_encrypted(File::open(path)?, identities)?;
    while reader.next_item()?.is_some() {}
    let (header, rows) = (reader.header().clone(), reader.counts().clone());
    if let Some(manifest) = &manifest
        && (manifest.rows != rows || manifest.header != header)
    {
        return Err(BackupError::ManifestMismatch("its contents differ"));
    }
    Ok(VerifyReport { header, rows, sha256, manifest })
}
