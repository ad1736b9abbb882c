//! The keyring's life: made on first start, loaded and checked against the master key on every
//! start, rotated by `rampart keys rotate`, re-wrapped by `rampart keys rotate-master`.
//! The formats are in `docs/crypto.md`; the cryptography itself is in `rampart_crypto`.

mod background;
mod live;
mod load;
mod reencrypt;
mod rotate;
mod settle;
mod status;

pub use background::reencrypt_step;
pub(crate) use background::start as start_background_reencryption;
pub use live::LiveKeyring;
pub use load::{load_keyring, load_or_create_keyring, unwrap_all};
pub use reencrypt::{RETIRE_GRACE, ReencryptReport, reencrypt};
pub use rotate::{rotate_and_record, rotate_data_keys, rotate_master_key};
pub use settle::{settle_remaining, settle_time, wait_for_every_instance};
pub use status::{KeyVersionStatus, PurposeStatus, key_status};

use rampart_crypto::CryptoError;
use rampart_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error(
        "the master key does not match this database: it cannot unwrap the stored data keys. \
         Use the master key this database was created with (storage.master_key_file, or \
         master.key in the data directory); nothing was changed"
    )]
    WrongMasterKey,
    #[error("the keys table holds a key Rampart does not know: {0}")]
    Corrupt(String),
    #[error("another instance rotated the {0} key at the same time; run the rotation again")]
    ConcurrentRotation(&'static str),
    #[error(transparent)]
    Crypto(CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CryptoError> for KeysError {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::Decrypt => Self::WrongMasterKey,
            other => Self::Crypto(other),
        }
    }
}
