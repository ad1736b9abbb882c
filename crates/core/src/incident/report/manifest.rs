//! `manifest.json`: what the bundle holds (every file's SHA-256 and size), the window, when it
//! was made, the audit chain's head at that moment, and the audit key that signed it.
//!
//! The signature covers the manifest's canonical bytes: the manifest without `signature`, as
//! compact JSON with the fields in the order declared here and the files sorted by name (what
//! serde writes for this struct). A verifier parses the manifest and serialises it again the
//! same way, so the layout of the file on disk (indentation) does not matter, its content does.

use std::collections::BTreeMap;
use std::path::Path;

use rampart_crypto::CheckpointSigner;
use serde::{Deserialize, Serialize};

use crate::backup::AuditHead;

pub const MANIFEST_FILE: &str = "manifest.json";
pub(crate) const BUNDLE_FORMAT: &str = "rampart-forensics-bundle";
pub(crate) const BUNDLE_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleManifest {
    pub format: String,
    pub format_version: u32,
    pub rampart_version: String,
    /// RFC 3339, as the bundle was asked for: events at or after `since`, before `until`.
    pub since: String,
    pub until: String,
    pub created_at: String,
    /// The audit chain's head when the bundle was made (it includes the `incident_report`
    /// event of this bundle): `rampart audit verify` ties the slice to the whole chain.
    pub audit_head: AuditHead,
    pub files: BTreeMap<String, FileEntry>,
    pub signing_key: SigningKey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Lowercase hex SHA-256 of the file.
    pub sha256: String,
    pub size_bytes: u64,
}

/// The key the manifest is signed with: the installation's `audit` key of that version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    /// Always `ed25519`.
    pub algorithm: String,
    pub version: u32,
    /// Lowercase hex, 32 bytes (what `rampart audit public-key` prints).
    pub public_key: String,
}

impl SigningKey {
    pub fn of(signer: &CheckpointSigner) -> Self {
        Self {
            algorithm: "ed25519".to_owned(),
            version: signer.version(),
            public_key: hex::encode(signer.public_key()),
        }
    }
}

/// The manifest as stored: its fields and, beside them, the signature of their canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedManifest {
    #[serde(flatten)]
    pub manifest: BundleManifest,
    /// Lowercase hex Ed25519 signature (64 bytes).
    pub signature: String,
}

impl BundleManifest {
    /// The bytes the signature covers.
    pub fn canonical(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Names `signer` as the signing key and signs.
    pub fn signed_by(
        mut self,
        signer: &CheckpointSigner,
    ) -> Result<SignedManifest, serde_json::Error> {
        self.signing_key = SigningKey::of(signer);
        let signature = hex::encode(signer.sign_bundle(&self.canonical()?));
        Ok(SignedManifest { manifest: self, signature })
    }
}

impl SignedManifest {
    /// The manifest file's contents (indented, for people reading it).
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut text = serde_json::to_vec_pretty(self)?;
        text.push(b'\n');
        Ok(text)
    }

    /// The manifest in `directory`; `None` when there is none, `Err` when it is not one.
    pub fn read(directory: &Path) -> std::io::Result<Option<Result<Self, serde_json::Error>>> {
        match std::fs::read(directory.join(MANIFEST_FILE)) {
            Ok(text) => Ok(Some(serde_json::from_slice(&text))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}
