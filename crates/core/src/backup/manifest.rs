//! The manifest beside each backup (`NAME.manifest.json`, plaintext): what is inside without
//! decrypting it, and the SHA-256 of the encrypted file, so a copy can be checked anywhere
//! (`sha256sum`) and a restore refuses a file that is not the one the manifest describes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::BackupError;
use super::files::write_private_file;
use super::format::Header;

pub(crate) const MANIFEST_FORMAT: &str = "rampart-backup-manifest";

/// The audit chain's head in the snapshot: where the restored trail must end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    /// Lowercase hex SHA-256.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The encrypted file's name (in the same directory).
    pub file: String,
    /// Lowercase hex SHA-256 of the encrypted file.
    pub sha256: String,
    pub size_bytes: u64,
    /// The backup's first line, repeated: version, schema, engine, when.
    pub header: Header,
    pub audit_head: AuditHead,
    pub row_count: u64,
    pub rows: BTreeMap<String, u64>,
    /// The age public keys it was encrypted to (which private key a restore needs).
    pub recipients: Vec<String>,
}

/// `rampart-….age` → `rampart-….manifest.json`.
pub fn manifest_path(backup: &Path) -> PathBuf {
    backup.with_extension("manifest.json")
}

pub(crate) fn write_manifest(backup: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    write_private_file(&manifest_path(backup), &manifest_text(manifest)?)
}

/// What [`write_manifest`] puts in the file: pretty JSON and a newline.
pub(crate) fn manifest_text(manifest: &Manifest) -> Result<Vec<u8>, BackupError> {
    let mut text = serde_json::to_vec_pretty(manifest).map_err(BackupError::encode)?;
    text.push(b'\n');
    Ok(text)
}

/// The manifest beside `backup`, if there is one.
pub fn read_manifest(backup: &Path) -> Result<Option<Manifest>, BackupError> {
    let path = manifest_path(backup);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    parse_manifest(&text).map(Some)
}

/// A manifest file's contents (which anyone who can write the backup directory controls).
pub(crate) fn parse_manifest(text: &[u8]) -> Result<Manifest, BackupError> {
    let manifest: Manifest = serde_json::from_slice(text)
        .map_err(|_| BackupError::Format("the manifest is not a Rampart backup manifest"))?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(BackupError::Format("the manifest is not a Rampart backup manifest"));
    }
    Ok(manifest)
}

/// Every backup in `directory` that has a manifest, oldest first.
pub fn list_backups(directory: &Path) -> Result<Vec<(PathBuf, Manifest)>, BackupError> {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error.into()),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|extension| extension == "age")
            && let Some(manifest) = read_manifest(&path)?
        {
            found.push((path, manifest));
        }
    }
    found.sort_by_key(|(_, manifest)| manifest.header.created_at);
    Ok(found)
}
