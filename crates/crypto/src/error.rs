use rampart_domain::RandomUnavailable;

use crate::Purpose;

/// Everything that can go wrong in `crypto`. No variant carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// Wrong key, tampered bytes, or a value moved to another row or field.
    #[error("decryption failed: wrong key, or the value was altered or moved")]
    Decrypt,
    #[error("the encrypted value is malformed")]
    Malformed,
    #[error("no {purpose} key with version {version} in the keyring")]
    UnknownKeyVersion { purpose: Purpose, version: u32 },
    #[error("the keyring has no {0} key")]
    MissingPurpose(Purpose),
    #[error(transparent)]
    Random(#[from] RandomUnavailable),
}
