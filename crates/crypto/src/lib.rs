//! Rampart's keys and cryptography.
//!
//! Where a byte is made secret or random, it happens here, and nowhere else:
//! - [`OsRandom`]: the operating system's randomness;
//! - [`MasterKey`]: the key-encryption key from `master.key`;
//! - [`Keyring`]: versioned data keys per [`Purpose`], wrapped under the master key;
//! - field encryption ([`Keyring::encrypt_field`]) and blind indexes ([`Keyring::blind_index`]);
//! - password hashing ([`PasswordHasher`]: Argon2id with the keyring's pepper);
//! - [`NewToken`]: session tokens, API keys and one-time links (only their hash is stored);
//! - [`TotpSecret`]: TOTP authenticators (RFC 6238), checked to the step they match;
//! - [`LocalCertificates`]: the built-in TLS listener's certificate;
//! - backups: the age format to X25519 recipients ([`BackupRecipients`], [`BackupIdentities`]);
//! - [`webhook_signature`]: the HMAC on every alert webhook;
//! - the audit trail's hash chain and signed checkpoints ([`ChainedEvent`], [`ChainVerifier`]).
//!
//! The formats are documented in `docs/crypto.md`. No HTTP, no SQL.

mod aead;
mod audit_chain;
mod backup_file;
mod blind_index;
mod error;
mod field;
mod keyring;
mod local_tls;
mod master_key;
mod os_random;
mod password_hash;
mod token;
mod totp;
mod webhook;

pub use audit_chain::{
    ChainBreak, ChainSummary, ChainVerifier, ChainedEvent, CheckpointSigner,
    Finding as ChainFinding, GENESIS_HASH, LinkedRow, Lookup as ChainLookup, SegmentStart,
    bundle_signature_is_valid, checkpoint_signature_is_valid, link_hash, sha256_hex,
};
pub use backup_file::{BackupCryptoError, BackupIdentities, BackupRecipients, Digesting};
pub use blind_index::{BLIND_INDEX_LEN, BlindIndex};
pub use error::CryptoError;
pub use field::{FieldContext, field_key_version};
pub use keyring::{DataKey, Keyring, Purpose, unwrap_data_key, wrap_data_key};
pub use local_tls::{LocalCertificates, TlsCertError};
pub use master_key::{MASTER_KEY_LEN, MasterKey, MasterKeyError};
pub use os_random::OsRandom;
pub use password_hash::{HashParams, PasswordHasher, Verification};
pub use token::{NewToken, derived_token, token_hash};
pub use totp::{TOTP_SECRET_LEN, TotpSecret};
pub use webhook::webhook_signature;
