//! The master key (key-encryption key): 32 random bytes that wrap every data key.
//!
//! It lives in `master.key` (raw bytes, mode 0600), or comes from a setting as 64 hex digits. The
//! bytes are zeroized on drop and never printed: `Debug` shows `[redacted]`.

use std::fmt;

use rampart_domain::{Random, RandomUnavailable};
use zeroize::Zeroizing;

pub const MASTER_KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("a master key must be exactly {MASTER_KEY_LEN} bytes, found {0}")]
    WrongLength(usize),
    #[error("a master key given as text must be {} hexadecimal digits", MASTER_KEY_LEN * 2)]
    NotHex,
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
}

pub struct MasterKey(Zeroizing<[u8; MASTER_KEY_LEN]>);

impl MasterKey {
    pub fn generate(random: &dyn Random) -> Result<Self, MasterKeyError> {
        let mut key = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        random.fill(key.as_mut())?;
        Ok(Self(key))
    }

    /// The raw contents of a `master.key` file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MasterKeyError> {
        let array: [u8; MASTER_KEY_LEN] =
            bytes.try_into().map_err(|_| MasterKeyError::WrongLength(bytes.len()))?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// A key given as text (environment variable or `*_FILE`): hexadecimal, surrounding white
    /// space ignored.
    pub fn from_hex(text: &str) -> Result<Self, MasterKeyError> {
        let mut key = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        hex::decode_to_slice(text.trim(), key.as_mut()).map_err(|_| MasterKeyError::NotHex)?;
        Ok(Self(key))
    }

    pub fn expose_bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn debug_output_never_shows_the_key() {
        let key = MasterKey::from_hex(&"ab".repeat(32)).unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "MasterKey([redacted])");
        assert!(!shown.to_lowercase().contains("abab"));
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(matches!(MasterKey::from_bytes(&[0; 31]), Err(MasterKeyError::WrongLength(31))));
        assert!(matches!(MasterKey::from_hex("abcd"), Err(MasterKeyError::NotHex)));
        assert!(matches!(MasterKey::from_hex(&"zz".repeat(32)), Err(MasterKeyError::NotHex)));
    }

    #[test]
    fn hex_and_bytes_give_the_same_key() {
        let generated = MasterKey::generate(&OsRandom).unwrap();
        let text = hex::encode(generated.expose_bytes());
        let parsed = MasterKey::from_hex(&format!(" {text}\n")).unwrap();
        assert_eq!(parsed.expose_bytes(), generated.expose_bytes());
    }
}
