//! `rampart incident verify-bundle DIR`: every file's SHA-256 against the manifest, no file
//! missing or added, the manifest's signature with the key it names, and that key one of the
//! keys the caller trusts (the installation's audit keys, or the one given with `--public-key`):
//! a bundle forged and signed with a key of its own is caught by the last check.

use std::collections::BTreeSet;
use std::path::Path;

use rampart_crypto::{bundle_signature_is_valid, sha256_hex};

use super::manifest::{BUNDLE_FORMAT, MANIFEST_FILE, SignedManifest};

/// What a bundle that verifies says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCheck {
    pub files: usize,
    pub since: String,
    pub until: String,
    pub key_version: u32,
    pub audit_head_seq: i64,
}

/// The first problem found, named for the person checking.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleProblem {
    #[error("{MANIFEST_FILE} is missing: this is not a forensics bundle")]
    NoManifest,
    #[error("{MANIFEST_FILE} is not a Rampart forensics bundle manifest")]
    BadManifest,
    #[error("{0} is listed in the manifest but missing")]
    Missing(String),
    #[error("{0} was altered: its SHA-256 does not match the manifest")]
    Altered(String),
    #[error("{0} is not listed in the manifest: it was added after the bundle was signed")]
    Extra(String),
    #[error("the manifest's signature does not verify: the manifest was altered")]
    BadSignature,
    #[error(
        "the bundle is signed by key {0}, which is not a trusted audit key (not this \
         installation's, nor the --public-key given)"
    )]
    UntrustedKey(String),
    #[error("the bundle cannot be read: {0}")]
    Io(String),
}

impl From<std::io::Error> for BundleProblem {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error.kind().to_string())
    }
}

/// Checks the bundle in `directory`; `trusted` are the Ed25519 public keys it may be signed by.
pub fn verify_bundle(directory: &Path, trusted: &[[u8; 32]]) -> Result<BundleCheck, BundleProblem> {
    let signed = SignedManifest::read(directory)?
        .ok_or(BundleProblem::NoManifest)?
        .map_err(|_| BundleProblem::BadManifest)?;
    let manifest = &signed.manifest;
    if manifest.format != BUNDLE_FORMAT {
        return Err(BundleProblem::BadManifest);
    }
    for (name, entry) in &manifest.files {
        // A name is a plain file name: never a path out of the bundle.
        if name.contains('/') || name == MANIFEST_FILE || name.starts_with('.') {
            return Err(BundleProblem::BadManifest);
        }
        let bytes = match std::fs::read(directory.join(name)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(BundleProblem::Missing(name.clone()));
            }
            Err(error) => return Err(error.into()),
        };
        if sha256_hex(&bytes) != entry.sha256 || bytes.len() as u64 != entry.size_bytes {
            return Err(BundleProblem::Altered(name.clone()));
        }
    }
    let mut present = BTreeSet::new();
    for entry in std::fs::read_dir(directory)? {
        present.insert(entry?.file_name().to_string_lossy().into_owned());
    }
    if let Some(extra) = present
        .iter()
        .find(|name| name.as_str() != MANIFEST_FILE && !manifest.files.contains_key(name.as_str()))
    {
        return Err(BundleProblem::Extra(extra.clone()));
    }
    let public = hex::decode(&manifest.signing_key.public_key)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or(BundleProblem::BadManifest)?;
    let signature = hex::decode(&signed.signature).map_err(|_| BundleProblem::BadSignature)?;
    let canonical = manifest.canonical().map_err(|_| BundleProblem::BadManifest)?;
    if manifest.signing_key.algorithm != "ed25519"
        || !bundle_signature_is_valid(&public, &canonical, &signature)
    {
        return Err(BundleProblem::BadSignature);
    }
    if !trusted.contains(&public) {
        return Err(BundleProblem::UntrustedKey(manifest.signing_key.public_key.clone()));
    }
    Ok(BundleCheck {
        files: manifest.files.len(),
        since: manifest.since.clone(),
        until: manifest.until.clone(),
        key_version: manifest.signing_key.version,
        audit_head_seq: manifest.audit_head.seq,
    })
}
