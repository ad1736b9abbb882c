//! The keyring: versioned data keys, one set per purpose, each stored wrapped under the master key.
//!
//! ```text
//! master.key (KEK) ──wraps──▶ fields v1, v2…       field encryption (field.rs)
//!                             blind-index v1…      equality lookups (blind_index.rs)
//!                             pepper v1…           password hashing
//!                             audit v1…            audit checkpoint signatures (Ed25519 seed)
//!                             webhook v1…          webhook secrets
//! ```
//!
//! A wrapped key is `aead::seal(master, aad, key)` with
//! `aad = framed("rampart-data-key-v1", purpose, version)`: a wrapped key cannot be passed off as
//! another purpose's or version's, and a wrong master key fails to unwrap every one of them.

use std::collections::BTreeMap;
use std::fmt;

use rampart_domain::Random;
use zeroize::Zeroizing;

use crate::aead::{self, KEY_LEN, framed};
use crate::{CryptoError, MasterKey};

/// What a data key is for. Keys of one purpose are never used for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    Fields,
    BlindIndex,
    Pepper,
    Audit,
    Webhook,
}

impl Purpose {
    pub const ALL: [Purpose; 5] =
        [Self::Fields, Self::BlindIndex, Self::Pepper, Self::Audit, Self::Webhook];

    /// The name used in the database, the CLI and the logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fields => "fields",
            Self::BlindIndex => "blind-index",
            Self::Pepper => "pepper",
            Self::Audit => "audit",
            Self::Webhook => "webhook",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|purpose| purpose.name() == name)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// 32 bytes of key material, zeroized on drop, never printed.
pub struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub fn generate(random: &dyn Random) -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random.fill(key.as_mut())?;
        Ok(Self(key))
    }

    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

fn wrap_aad(purpose: Purpose, version: u32) -> Vec<u8> {
    framed(&[b"rampart-data-key-v1", purpose.name().as_bytes(), &version.to_be_bytes()])
}

/// Wraps `key` under the master key for storage.
pub fn wrap_data_key(
    master: &MasterKey,
    purpose: Purpose,
    version: u32,
    key: &DataKey,
    random: &dyn Random,
) -> Result<Vec<u8>, CryptoError> {
    aead::seal(master.expose_bytes(), &wrap_aad(purpose, version), key.expose_bytes(), random)
}

/// Unwraps a stored key. [`CryptoError::Decrypt`] means the master key is not the one that
/// wrapped it (or the stored bytes were altered).
pub fn unwrap_data_key(
    master: &MasterKey,
    purpose: Purpose,
    version: u32,
    wrapped: &[u8],
) -> Result<DataKey, CryptoError> {
    let bytes = aead::open(master.expose_bytes(), &wrap_aad(purpose, version), wrapped)?;
    let array: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| CryptoError::Malformed)?;
    Ok(DataKey(Zeroizing::new(array)))
}

/// The unwrapped data keys in force. New writes use each purpose's newest version; reads accept
/// every version still present (old versions stay until re-encryption retires them).
#[derive(Debug, Default)]
pub struct Keyring {
    keys: BTreeMap<(Purpose, u32), DataKey>,
}

impl Keyring {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, purpose: Purpose, version: u32, key: DataKey) {
        self.keys.insert((purpose, version), key);
    }

    /// The version new writes of `purpose` use: the newest present.
    pub fn current_version(&self, purpose: Purpose) -> Option<u32> {
        self.versions(purpose).last().copied()
    }

    /// Every version of `purpose` present, oldest first.
    pub fn versions(&self, purpose: Purpose) -> Vec<u32> {
        self.keys
            .range((purpose, 0)..=(purpose, u32::MAX))
            .map(|((_, version), _)| *version)
            .collect()
    }

    /// One version of one purpose's key (to re-wrap it, or to read what an old version wrote).
    pub fn data_key(&self, purpose: Purpose, version: u32) -> Result<&DataKey, CryptoError> {
        self.key(purpose, version)
    }

    pub(crate) fn key(&self, purpose: Purpose, version: u32) -> Result<&DataKey, CryptoError> {
        self.keys
            .get(&(purpose, version))
            .ok_or(CryptoError::UnknownKeyVersion { purpose, version })
    }

    /// The newest key of `purpose`, with its version.
    pub fn current(&self, purpose: Purpose) -> Result<(u32, &DataKey), CryptoError> {
        let version = self.current_version(purpose).ok_or(CryptoError::MissingPurpose(purpose))?;
        Ok((version, self.key(purpose, version)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn a_wrapped_key_unwraps_only_with_its_master_key_purpose_and_version() {
        let master = MasterKey::generate(&OsRandom).unwrap();
        let other_master = MasterKey::generate(&OsRandom).unwrap();
        let key = DataKey::generate(&OsRandom).unwrap();
        let wrapped = wrap_data_key(&master, Purpose::Fields, 1, &key, &OsRandom).unwrap();

        let unwrapped = unwrap_data_key(&master, Purpose::Fields, 1, &wrapped).unwrap();
        assert_eq!(unwrapped.expose_bytes(), key.expose_bytes());
        for (master, purpose, version) in [
            (&other_master, Purpose::Fields, 1),
            (&master, Purpose::BlindIndex, 1),
            (&master, Purpose::Fields, 2),
        ] {
            assert!(matches!(
                unwrap_data_key(master, purpose, version, &wrapped),
                Err(CryptoError::Decrypt)
            ));
        }
    }

    #[test]
    fn the_newest_version_is_current() {
        let mut keyring = Keyring::new();
        keyring.insert(Purpose::Fields, 1, DataKey::generate(&OsRandom).unwrap());
        keyring.insert(Purpose::Fields, 3, DataKey::generate(&OsRandom).unwrap());
        keyring.insert(Purpose::Pepper, 7, DataKey::generate(&OsRandom).unwrap());

        assert_eq!(keyring.current_version(Purpose::Fields), Some(3));
        assert_eq!(keyring.versions(Purpose::Fields), [1, 3]);
        assert_eq!(keyring.current_version(Purpose::Audit), None);
        assert!(format!("{keyring:?}").contains("[redacted]"));
    }

    #[test]
    fn purpose_names_round_trip() {
        for purpose in Purpose::ALL {
            assert_eq!(Purpose::parse(purpose.name()), Some(purpose));
        }
        assert_eq!(Purpose::parse("everything"), None);
    }
}
