//! Look-alike addresses: an address whose confusable skeleton (Unicode TS #39) matches an
//! existing account's is refused — `аdmin@example.com` with a Cyrillic `а` next to
//! `admin@example.com` would be a second account that people and logs take for the first. The
//! skeleton is stored only as a blind index (`store/src/email_skeletons.rs`), unique, so two
//! concurrent sign-ups cannot both win either.

use rampart_crypto::{BlindIndex, Keyring};
use rampart_domain::Email;
use rampart_store::email_skeletons::{
    find_user_by_email_skeleton, list_users_without_skeleton, set_email_skeleton,
};
use rampart_store::{Db, StoreError};

use super::{AccountError, to_account};

/// What the blind index of an address's skeleton is computed over.
pub const EMAIL_SKELETON_CONTEXT: &str = "users.email_skeleton";

/// The skeleton's blind index under the newest key.
pub(crate) fn skeleton_index(keyring: &Keyring, email: &Email) -> Result<BlindIndex, AccountError> {
    Ok(keyring.blind_index(EMAIL_SKELETON_CONTEXT, email.skeleton().as_bytes())?)
}

/// Whether an account's address looks like `email` (under any key version present).
pub(crate) async fn look_alike_exists(
    db: &Db,
    keyring: &Keyring,
    email: &Email,
) -> Result<bool, AccountError> {
    Ok(look_alike_holder(db, keyring, email).await?.is_some())
}

/// The account whose address looks like `email`, if any.
pub(crate) async fn look_alike_holder(
    db: &Db,
    keyring: &Keyring,
    email: &Email,
) -> Result<Option<uuid::Uuid>, AccountError> {
    let digests: Vec<Vec<u8>> = keyring
        .blind_indexes_for_lookup(EMAIL_SKELETON_CONTEXT, email.skeleton().as_bytes())?
        .into_iter()
        .map(|index| index.digest.to_vec())
        .collect();
    Ok(find_user_by_email_skeleton(db, &digests).await?)
}

/// Accounts filled in, and accounts left without a skeleton because an earlier account's address
/// already looks the same (the operator should look at those pairs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkeletonBackfill {
    pub indexed: u64,
    pub look_alikes: u64,
}

/// Indexes the skeleton of every account that has none (accounts made before look-alikes were
/// refused): run at start-up, a no-op once done.
pub async fn backfill_email_skeletons(
    db: &Db,
    keyring: &Keyring,
) -> Result<SkeletonBackfill, AccountError> {
    let mut report = SkeletonBackfill::default();
    let mut after = None;
    loop {
        let ids = list_users_without_skeleton(db, after, 200).await?;
        let Some(last) = ids.last() else { break };
        after = Some(*last);
        for id in ids {
            let Some(row) = rampart_store::users::find_user_by_id(db, id).await? else { continue };
            let account = to_account(keyring, &row)?;
            let index = skeleton_index(keyring, &account.email)?;
            match set_email_skeleton(db, id, index.digest.to_vec()).await {
                Ok(()) => report.indexed += 1,
                Err(StoreError::Duplicate) => {
                    tracing::warn!(user_id = %id, "accounts: this account's address looks like an earlier account's (Unicode look-alike); check both");
                    report.look_alikes += 1;
                }
                Err(other) => return Err(other.into()),
            }
        }
    }
    Ok(report)
}
