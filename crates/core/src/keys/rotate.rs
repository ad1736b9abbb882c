use rampart_crypto::{DataKey, MasterKey, Purpose, wrap_data_key};
use rampart_domain::{Clock, Random};
use rampart_store::keys::{StoredKey, insert_key, list_keys, rewrap_keys};
use rampart_store::{Db, Executor};

use super::KeysError;
use super::load::{identify, unwrap_all};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::unit_of_work::UnitOfWork;

/// Rotates the data keys of `purposes` ([`rotate_data_keys`]) with one `key_rotated` event per
/// new version, in one unit of work: the new keys and their events commit together. `event`
/// makes the event, stamped with who rotated (the command line, or an incident manager).
pub async fn rotate_and_record(
    state: &AppState,
    master: &MasterKey,
    purposes: &[Purpose],
    event: impl Fn() -> AuditEvent,
) -> Result<Vec<(Purpose, u32)>, KeysError> {
    let mut work = UnitOfWork::begin(state).await?;
    let rotated =
        rotate_data_keys(work.db(), master, purposes, state.random.as_ref(), state.clock.as_ref())
            .await?;
    for &(purpose, version) in &rotated {
        work.record(event().detail("purpose", purpose.name()).detail("version", version));
    }
    work.commit().await?;
    Ok(rotated)
}

/// Adds a new version of each purpose in `purposes`; new writes use it from then on, older
/// versions keep decrypting. Returns the new versions.
pub async fn rotate_data_keys(
    db: &impl Executor,
    master: &MasterKey,
    purposes: &[Purpose],
    random: &dyn Random,
    clock: &dyn Clock,
) -> Result<Vec<(Purpose, u32)>, KeysError> {
    let keyring = unwrap_all(master, &list_keys(db).await?)?;
    let mut rotated = Vec::new();
    for &purpose in purposes {
        let version = keyring.current_version(purpose).unwrap_or(0) + 1;
        let key = DataKey::generate(random)?;
        let row = StoredKey {
            purpose: purpose.name().to_owned(),
            version: i64::from(version),
            wrapped: wrap_data_key(master, purpose, version, &key, random)?,
            created_at: clock.now(),
        };
        if !insert_key(db, &row).await? {
            return Err(KeysError::ConcurrentRotation(purpose.name()));
        }
        rotated.push((purpose, version));
    }
    Ok(rotated)
}

/// Re-wraps every data key under `new_master`, in one transaction. The data itself is untouched:
/// it is encrypted with the data keys, which do not change. Returns how many keys were re-wrapped.
pub async fn rotate_master_key(
    db: &Db,
    old_master: &MasterKey,
    new_master: &MasterKey,
    random: &dyn Random,
) -> Result<usize, KeysError> {
    let stored = list_keys(db).await?;
    let keyring = unwrap_all(old_master, &stored)?;
    let mut rewrapped = Vec::with_capacity(stored.len());
    for row in &stored {
        let (purpose, version) = identify(row)?;
        let key = keyring_key(&keyring, purpose, version)?;
        rewrapped.push(StoredKey {
            wrapped: wrap_data_key(new_master, purpose, version, key, random)?,
            ..row.clone()
        });
    }
    rewrap_keys(db, &rewrapped).await?;
    // Prove the result before reporting success.
    unwrap_all(new_master, &list_keys(db).await?)?;
    Ok(rewrapped.len())
}

fn keyring_key(
    keyring: &rampart_crypto::Keyring,
    purpose: Purpose,
    version: u32,
) -> Result<&DataKey, KeysError> {
    keyring.data_key(purpose, version).map_err(KeysError::from)
}
