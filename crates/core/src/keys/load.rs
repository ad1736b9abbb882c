use rampart_crypto::{DataKey, Keyring, MasterKey, Purpose, unwrap_data_key, wrap_data_key};
use rampart_domain::{Clock, Random};
use rampart_store::Db;
use rampart_store::keys::{StoredKey, insert_key, list_keys};

use super::KeysError;

/// Unwraps every stored data key with `master`, creating version 1 of any purpose that has none
/// (all of them on first start). A key that does not unwrap means the wrong master key: the start
/// is refused before anything is written.
pub async fn load_or_create_keyring(
    db: &Db,
    master: &MasterKey,
    random: &dyn Random,
    clock: &dyn Clock,
) -> Result<Keyring, KeysError> {
    let stored = list_keys(db).await?;
    let mut keyring = unwrap_all(master, &stored)?;

    for purpose in Purpose::ALL {
        if keyring.current_version(purpose).is_some() {
            continue;
        }
        let key = DataKey::generate(random)?;
        let row = StoredKey {
            purpose: purpose.name().to_owned(),
            version: 1,
            wrapped: wrap_data_key(master, purpose, 1, &key, random)?,
            created_at: clock.now(),
        };
        if insert_key(db, &row).await? {
            keyring.insert(purpose, 1, key);
        } else {
            // Another instance made it first: use theirs.
            keyring = unwrap_all(master, &list_keys(db).await?)?;
        }
    }
    Ok(keyring)
}

/// Unwraps every stored data key with `master`, creating nothing: what a restore checks the
/// restored keys with.
pub async fn load_keyring(db: &Db, master: &MasterKey) -> Result<Keyring, KeysError> {
    unwrap_all(master, &list_keys(db).await?)
}

pub fn unwrap_all(master: &MasterKey, stored: &[StoredKey]) -> Result<Keyring, KeysError> {
    let mut keyring = Keyring::new();
    for row in stored {
        let (purpose, version) = identify(row)?;
        keyring.insert(purpose, version, unwrap_data_key(master, purpose, version, &row.wrapped)?);
    }
    Ok(keyring)
}

pub(super) fn identify(row: &StoredKey) -> Result<(Purpose, u32), KeysError> {
    let purpose = Purpose::parse(&row.purpose)
        .ok_or_else(|| KeysError::Corrupt(format!("purpose {:?}", row.purpose)))?;
    let version = u32::try_from(row.version)
        .map_err(|_| KeysError::Corrupt(format!("{purpose} version {}", row.version)))?;
    Ok((purpose, version))
}
