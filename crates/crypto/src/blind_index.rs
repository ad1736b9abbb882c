//! Blind indexes: equality lookups over encrypted values without decrypting them.
//!
//! `digest = HMAC-SHA-256(blind-index key, framed("rampart-blind-index-v1", context, value))`,
//! truncated to its first 16 bytes (128 bits: collisions among a database's values are
//! negligible, and a short digest tells an attacker no more than a long one). `context` names
//! what is indexed (`users.email`, `customers.tax_id`), so equal values in different places have
//! unrelated digests. The caller normalises the value first (e.g. the e-mail newtype).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::aead::framed;
use crate::{CryptoError, Keyring, Purpose};

pub const BLIND_INDEX_LEN: usize = 16;

/// A blind index digest with the key version that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlindIndex {
    pub version: u32,
    pub digest: [u8; BLIND_INDEX_LEN],
}

impl Keyring {
    /// The digest to store with a new or updated value (newest key).
    pub fn blind_index(&self, context: &str, normalized: &[u8]) -> Result<BlindIndex, CryptoError> {
        let (version, _) = self.current(Purpose::BlindIndex)?;
        self.blind_index_with(version, context, normalized)
    }

    /// The digests to look for: one per key version present, so that lookups keep working while
    /// a rotation rebuilds the stored digests.
    pub fn blind_indexes_for_lookup(
        &self,
        context: &str,
        normalized: &[u8],
    ) -> Result<Vec<BlindIndex>, CryptoError> {
        self.versions(Purpose::BlindIndex)
            .into_iter()
            .map(|version| self.blind_index_with(version, context, normalized))
            .collect()
    }

    fn blind_index_with(
        &self,
        version: u32,
        context: &str,
        normalized: &[u8],
    ) -> Result<BlindIndex, CryptoError> {
        let key = self.key(Purpose::BlindIndex, version)?;
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose_bytes())
            .map_err(|_| CryptoError::Malformed)?;
        mac.update(&framed(&[b"rampart-blind-index-v1", context.as_bytes(), normalized]));
        let full = mac.finalize().into_bytes();
        let mut digest = [0u8; BLIND_INDEX_LEN];
        digest.copy_from_slice(&full[..BLIND_INDEX_LEN]);
        Ok(BlindIndex { version, digest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataKey, OsRandom};

    fn keyring(versions: &[u32]) -> Keyring {
        let mut keyring = Keyring::new();
        for version in versions {
            keyring.insert(Purpose::BlindIndex, *version, DataKey::generate(&OsRandom).unwrap());
        }
        keyring
    }

    #[test]
    fn equal_values_match_and_contexts_separate_them() {
        let keyring = keyring(&[1]);
        let a = keyring.blind_index("users.email", b"ada@example.com").unwrap();
        let b = keyring.blind_index("users.email", b"ada@example.com").unwrap();
        let other_value = keyring.blind_index("users.email", b"bob@example.com").unwrap();
        let other_context = keyring.blind_index("customers.email", b"ada@example.com").unwrap();
        assert_eq!(a, b);
        assert_ne!(a.digest, other_value.digest);
        assert_ne!(a.digest, other_context.digest);
    }

    #[test]
    fn during_a_rotation_lookups_cover_every_version() {
        let keyring = keyring(&[1, 2]);
        let stored_before = keyring.blind_index_with(1, "users.email", b"ada@example.com").unwrap();
        let new = keyring.blind_index("users.email", b"ada@example.com").unwrap();

        let candidates =
            keyring.blind_indexes_for_lookup("users.email", b"ada@example.com").unwrap();

        assert_eq!(new.version, 2);
        assert!(candidates.contains(&stored_before) && candidates.contains(&new));
    }
}
