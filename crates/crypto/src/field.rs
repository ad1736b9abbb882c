//! Field encryption: a sensitive value bound to the row and field it belongs to.
//!
//! Format (binary): `0x01 (format) || key version (u32 BE) || nonce (24) || ciphertext || tag (16)`.
//! Associated data: `framed("rampart-field", header, table, row id, field)`, so a ciphertext copied
//! to another row, field or table, or given another key version, fails to decrypt.

use rampart_domain::Random;
use zeroize::Zeroizing;

use crate::aead::{self, framed};
use crate::{CryptoError, Keyring, Purpose};

const FORMAT_V1: u8 = 1;
const HEADER_LEN: usize = 5;

/// Where an encrypted value lives: what it is bound to.
#[derive(Debug, Clone, Copy)]
pub struct FieldContext<'a> {
    /// The table, or for business records the collection.
    pub table: &'a str,
    pub row_id: &'a str,
    pub field: &'a str,
}

fn header(version: u32) -> [u8; HEADER_LEN] {
    let v = version.to_be_bytes();
    [FORMAT_V1, v[0], v[1], v[2], v[3]]
}

fn aad(header: &[u8], context: &FieldContext<'_>) -> Vec<u8> {
    framed(&[
        b"rampart-field",
        header,
        context.table.as_bytes(),
        context.row_id.as_bytes(),
        context.field.as_bytes(),
    ])
}

/// The key version an encrypted value was written with (what re-encryption looks for).
pub fn field_key_version(sealed: &[u8]) -> Option<u32> {
    match sealed {
        [FORMAT_V1, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

impl Keyring {
    /// Encrypts `plaintext` for `context` with the newest field key.
    pub fn encrypt_field(
        &self,
        context: &FieldContext<'_>,
        plaintext: &[u8],
        random: &dyn Random,
    ) -> Result<Vec<u8>, CryptoError> {
        let (version, key) = self.current(Purpose::Fields)?;
        let header = header(version);
        let sealed = aead::seal(key.expose_bytes(), &aad(&header, context), plaintext, random)?;
        let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
        out.extend_from_slice(&header);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value written by [`Keyring::encrypt_field`] for the same `context`.
    pub fn decrypt_field(
        &self,
        context: &FieldContext<'_>,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let version = field_key_version(sealed).ok_or(CryptoError::Malformed)?;
        let key = self.key(Purpose::Fields, version)?;
        let (header, body) = sealed.split_at(HEADER_LEN);
        aead::open(key.expose_bytes(), &aad(header, context), body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataKey, OsRandom};

    fn keyring_with_versions(versions: &[u32]) -> Keyring {
        let mut keyring = Keyring::new();
        for version in versions {
            keyring.insert(Purpose::Fields, *version, DataKey::generate(&OsRandom).unwrap());
        }
        keyring
    }

    const EMAIL: FieldContext<'static> =
        FieldContext { table: "users", row_id: "u1", field: "email" };

    #[test]
    fn a_value_decrypts_in_its_own_place_only() {
        let keyring = keyring_with_versions(&[1]);
        let sealed = keyring.encrypt_field(&EMAIL, b"ada@example.com", &OsRandom).unwrap();

        assert_eq!(keyring.decrypt_field(&EMAIL, &sealed).unwrap().as_slice(), b"ada@example.com");
        for moved in [
            FieldContext { row_id: "u2", ..EMAIL },
            FieldContext { field: "phone", ..EMAIL },
            FieldContext { table: "customers", ..EMAIL },
        ] {
            assert!(matches!(keyring.decrypt_field(&moved, &sealed), Err(CryptoError::Decrypt)));
        }
    }

    #[test]
    fn the_plaintext_does_not_appear_in_the_ciphertext_and_each_encryption_differs() {
        let keyring = keyring_with_versions(&[1]);
        let a = keyring.encrypt_field(&EMAIL, b"ada@example.com", &OsRandom).unwrap();
        let b = keyring.encrypt_field(&EMAIL, b"ada@example.com", &OsRandom).unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(3).any(|w| w == b"ada"));
    }

    #[test]
    fn new_writes_use_the_newest_version_and_old_versions_still_decrypt() {
        let mut keyring = keyring_with_versions(&[1]);
        let old = keyring.encrypt_field(&EMAIL, b"old", &OsRandom).unwrap();
        keyring.insert(Purpose::Fields, 2, DataKey::generate(&OsRandom).unwrap());

        let new = keyring.encrypt_field(&EMAIL, b"new", &OsRandom).unwrap();

        assert_eq!(field_key_version(&old), Some(1));
        assert_eq!(field_key_version(&new), Some(2));
        assert_eq!(keyring.decrypt_field(&EMAIL, &old).unwrap().as_slice(), b"old");
    }

    #[test]
    fn a_changed_version_header_is_refused() {
        let keyring = keyring_with_versions(&[1, 2]);
        let mut sealed = keyring.encrypt_field(&EMAIL, b"x", &OsRandom).unwrap();
        sealed[4] = 1; // claim version 1
        assert!(keyring.decrypt_field(&EMAIL, &sealed).is_err());
    }
}
