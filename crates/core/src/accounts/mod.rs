//! Accounts: where an e-mail address is encrypted and indexed, and a password hashed or checked.
//!
//! - `mod.rs` (here): create an account, find one, check a password;
//! - `sign_in.rs`: the sign-in decision with throttling, and what a failure sets off;
//! - `links.rs`: single-use links (first owner, e-mail verification, password reset);
//! - `password_change.rs`: change and reset, and the sessions they end;
//! - `notices.rs`: the e-mails sent to account holders;
//! - `administration.rs`: what a `users:manage` holder does to other accounts (sessions,
//!   enabling, resetting lost factors);
//! - `directory.rs`: the user list, searched by exact address (blind index), role, department
//!   and status;
//! - `email_change.rs`: a holder changes their address (proved by a link to the new one);
//! - `erasure.rs`: an account deleted by its holder or erased by an administrator;
//! - `export.rs`: a holder's copy of their own data (metadata, never secrets);
//! - `invitations.rs`: staff invited with roles × departments, and the invitee's account made
//!   when they accept.
//!
//! The store sees only ciphertext, a blind index and an Argon2id hash (`store/src/users.rs`).
//! An e-mail address is bound to its row (`users`, id, `email`), so a ciphertext moved to another
//! account does not decrypt; lookups go through the blind index of the lower-cased address under
//! every blind-index key version present, so they keep working during a rotation.

use std::sync::Arc;

use rampart_crypto::{BlindIndex, CryptoError, FieldContext, Keyring, Purpose, field_key_version};
use rampart_domain::{AuditAction, Email, Grants, Password};
use rampart_store::StoreError;
use rampart_store::email_skeletons::set_email_skeleton;
use rampart_store::users::{UserRow, find_user_by_email_index, insert_user, update_password_hash};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::access::load_grants;
use crate::audit::AuditEvent;
use crate::hashing::{HashingPlace, PoolBusy};
use crate::unit_of_work::UnitOfWork;

pub mod administration;
pub mod directory;
pub mod email_change;
pub mod erasure;
pub mod export;
pub mod invitations;
mod links;
mod look_alikes;
mod mail_limit;
mod notices;
mod password_change;
mod refusals;
mod registration;
mod sign_in;

pub use links::{
    BootstrapError, consume_link, create_owner, issue_bootstrap_link, issue_link, peek_link,
};
pub use look_alikes::{EMAIL_SKELETON_CONTEXT, SkeletonBackfill, backfill_email_skeletons};
pub use mail_limit::{PER_ADDRESS_PER_HOUR, PER_CLIENT_PER_HOUR};
pub use notices::Notice;
pub(crate) use notices::notify;
pub use password_change::{
    NewPasswordError, change_own_password, change_password, request_password_reset, reset_password,
};
/// What a one-time link is for (`issue_link`, `peek_link`, `consume_link`).
pub use rampart_store::one_time_tokens::TokenPurpose;
pub use refusals::RefusalTally;
pub use registration::{register, verify_email};
pub use sign_in::{SignInOutcome, sign_in};

/// What the blind index of an account's e-mail address is computed over.
pub const EMAIL_INDEX_CONTEXT: &str = "users.email";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account with this e-mail address exists")]
    EmailTaken,
    /// The address looks like an existing account's (Unicode look-alike characters).
    #[error("an account with an address that looks the same exists; use another address")]
    LookAlike,
    #[error(transparent)]
    Busy(#[from] PoolBusy),
    #[error("a stored value could not be decrypted: {0}")]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    /// A stored value the code cannot read (a column outside its vocabulary): refused, never
    /// read as a default.
    #[error("a stored row cannot be read: {0}")]
    UnreadableRow(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    /// The stored name (`users.status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// The status a name stands for; `None` for any other name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Active, Self::Disabled].into_iter().find(|status| status.as_str() == name)
    }
}

/// An account as the rest of the server sees it: e-mail decrypted, no hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub email: Email,
    pub status: AccountStatus,
    pub email_verified: bool,
    pub created_at: OffsetDateTime,
}

fn email_place(id: &str) -> FieldContext<'_> {
    FieldContext { table: "users", row_id: id, field: "email" }
}

/// Creates an active account whose address is not verified yet, as an action of its own. Fails
/// with [`AccountError::EmailTaken`] when the address, in any letter case, already has one.
pub async fn create_account(
    state: &AppState,
    email: &Email,
    password: Password,
) -> Result<Account, AccountError> {
    let new = prepare_account(state, email, password).await?;
    let work = UnitOfWork::begin(state).await?;
    let account = new.insert(&work).await?;
    work.commit().await?;
    Ok(account)
}

/// An account ready to be stored: address encrypted and indexed, password hashed — the slow
/// part, done before the unit of work that stores it opens.
#[derive(Debug)]
pub struct NewAccount {
    row: UserRow,
    skeleton_index: Vec<u8>,
    keyring: Arc<Keyring>,
}

/// Checks that `email` has no account yet and prepares one (see [`NewAccount`]).
pub async fn prepare_account(
    state: &AppState,
    email: &Email,
    password: Password,
) -> Result<NewAccount, AccountError> {
    let keyring = state.keyring.current();
    if find_row(state, &keyring, email).await?.is_some() {
        return Err(AccountError::EmailTaken);
    }
    let id = Uuid::new_v4();
    let email_ciphertext = keyring.encrypt_field(
        &email_place(&id.to_string()),
        email.as_str().as_bytes(),
        state.random.as_ref(),
    )?;
    let index = keyring.blind_index(EMAIL_INDEX_CONTEXT, email.normalized().as_bytes())?;
    let skeleton_index = look_alikes::skeleton_index(&keyring, email)?.digest.to_vec();
    let password_hash = hash_password(state, &keyring, password).await?;
    // After the hashing, so that registration answers a look-alike as slowly as a new address.
    if look_alikes::look_alike_exists(&state.db, &keyring, email).await? {
        return Err(AccountError::LookAlike);
    }
    let row = UserRow {
        id,
        email_ciphertext,
        email_index: index.digest.to_vec(),
        email_index_version: i64::from(index.version),
        password_hash: Some(password_hash),
        status: "active".into(),
        created_at: state.clock.now(),
        email_verified_at: None,
        password_changed_at: None,
    };
    Ok(NewAccount { row, skeleton_index, keyring })
}

impl NewAccount {
    /// Stores the account with `work`'s action; [`AccountError::EmailTaken`] when the address
    /// was taken in the meantime, [`AccountError::LookAlike`] when a look-alike was.
    pub async fn insert(&self, work: &UnitOfWork<'_>) -> Result<Account, AccountError> {
        insert_user(work.db(), &self.row).await.map_err(|error| match error {
            StoreError::Duplicate => AccountError::EmailTaken,
            other => AccountError::Store(other),
        })?;
        set_email_skeleton(work.db(), self.row.id, self.skeleton_index.clone()).await.map_err(
            |error| match error {
                StoreError::Duplicate => AccountError::LookAlike,
                other => AccountError::Store(other),
            },
        )?;
        to_account(&self.keyring, &self.row)
    }
}

pub async fn find_account_by_email(
    state: &AppState,
    email: &Email,
) -> Result<Option<Account>, AccountError> {
    let keyring = state.keyring.current();
    match find_row(state, &keyring, email).await? {
        Some(row) => open_account(state, &keyring, &row).await.map(Some),
        None => Ok(None),
    }
}

/// The sign-in check: the account when `password` is its password, `None` otherwise — for an
/// unknown address too, after the same amount of hashing work, so timing does not tell which.
/// An outdated hash is replaced by a fresh one on success.
pub async fn check_password(
    state: &AppState,
    email: &Email,
    password: Password,
) -> Result<Option<Account>, AccountError> {
    check_password_in(state, state.hashing.reserve()?, email, password).await
}

/// [`check_password`] in a place of the hashing pool taken beforehand (sign-in takes it before
/// any other work, so a flood it turns away costs nothing).
pub async fn check_password_in(
    state: &AppState,
    place: HashingPlace,
    email: &Email,
    password: Password,
) -> Result<Option<Account>, AccountError> {
    let keyring = state.keyring.current();
    let row = find_row(state, &keyring, email).await?;
    let stored = row.as_ref().and_then(|row| row.password_hash.clone());
    let pool_keyring = Arc::clone(&keyring);
    let random = Arc::clone(&state.random);
    let outcome = place
        .run(move |hasher| -> Result<Option<Option<String>>, CryptoError> {
            let Some(stored) = stored else {
                hasher.verify_dummy(password.expose_bytes(), &pool_keyring)?;
                return Ok(None);
            };
            let verification = hasher.verify(password.expose_bytes(), &stored, &pool_keyring)?;
            if !verification.matches {
                return Ok(None);
            }
            let fresh = verification
                .needs_rehash
                .then(|| hasher.hash(password.expose_bytes(), &pool_keyring, random.as_ref()))
                .transpose()?;
            Ok(Some(fresh))
        })
        .await??;

    let (Some(row), Some(fresh_hash)) = (row, outcome) else { return Ok(None) };
    if let Some(fresh_hash) = fresh_hash {
        update_password_hash(&state.db, row.id, &fresh_hash).await?;
    }
    open_account(state, &keyring, &row).await.map(Some)
}

/// The row's e-mail ciphertext, index and skeleton index under the newest keys, or `None` when
/// it already uses them (what the re-encryption job calls for every account).
pub(crate) fn reencrypted_email(
    keyring: &Keyring,
    row: &UserRow,
    random: &dyn rampart_domain::Random,
) -> Result<Option<(Vec<u8>, BlindIndex, BlindIndex)>, AccountError> {
    let current_fields = keyring.current_version(Purpose::Fields);
    let current_index = keyring.current_version(Purpose::BlindIndex);
    if field_key_version(&row.email_ciphertext) == current_fields
        && u32::try_from(row.email_index_version).ok() == current_index
    {
        return Ok(None);
    }
    let account = to_account(keyring, row)?;
    let id = row.id.to_string();
    let ciphertext =
        keyring.encrypt_field(&email_place(&id), account.email.as_str().as_bytes(), random)?;
    let index = keyring.blind_index(EMAIL_INDEX_CONTEXT, account.email.normalized().as_bytes())?;
    let skeleton = look_alikes::skeleton_index(keyring, &account.email)?;
    Ok(Some((ciphertext, index, skeleton)))
}

pub async fn find_account_by_id(
    state: &AppState,
    id: Uuid,
) -> Result<Option<Account>, AccountError> {
    let keyring = state.keyring.current();
    match rampart_store::users::find_user_by_id(&state.db, id).await? {
        Some(row) => open_account(state, &keyring, &row).await.map(Some),
        None => Ok(None),
    }
}

/// The grants (roles, with their permissions and departments) of an active account with a verified address; `None` for anyone
/// else (unknown, disabled, unverified), whose credentials then count for nothing.
pub async fn active_user_grants(
    state: &AppState,
    user_id: Uuid,
) -> Result<Option<Grants>, StoreError> {
    let Some(user) = rampart_store::users::find_user_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if user.status != "active" || user.email_verified_at.is_none() {
        return Ok(None);
    }
    Ok(Some(load_grants(&state.db, user_id).await?))
}

/// The words a new password must not be built from: the address, its local part, the site.
pub fn password_context<'a>(state: &'a AppState, email: &'a Email) -> Vec<&'a str> {
    let mut words = vec![email.as_str(), state.settings.accounts.site_name.as_str()];
    if let Some((local, _)) = email.as_str().split_once('@') {
        words.push(local);
    }
    words
}

pub(crate) async fn hash_password(
    state: &AppState,
    keyring: &Arc<Keyring>,
    password: Password,
) -> Result<String, AccountError> {
    let keyring = Arc::clone(keyring);
    let random = Arc::clone(&state.random);
    Ok(state
        .hashing
        .run(move |hasher| hasher.hash(password.expose_bytes(), &keyring, random.as_ref()))
        .await??)
}

/// The row for `email`, looked up under every blind-index version of `keyring` (one snapshot per
/// operation, so a concurrent key reload cannot mix versions within it).
async fn find_row(
    state: &AppState,
    keyring: &Keyring,
    email: &Email,
) -> Result<Option<UserRow>, AccountError> {
    let digests = email_digests(keyring, email)?;
    Ok(find_user_by_email_index(&state.db, &digests).await?)
}

/// The blind indexes of `email` under every blind-index version of `keyring`: what an equality
/// look-up by address compares with.
fn email_digests(keyring: &Keyring, email: &Email) -> Result<Vec<Vec<u8>>, CryptoError> {
    Ok(keyring
        .blind_indexes_for_lookup(EMAIL_INDEX_CONTEXT, email.normalized().as_bytes())?
        .into_iter()
        .map(|index| index.digest.to_vec())
        .collect())
}

/// [`to_account`], with a row that does not decrypt recorded in the audit trail as
/// `crypt_decrypt_fail` (the operator's alert that a key is wrong or a row was tampered with).
async fn open_account(
    state: &AppState,
    keyring: &Keyring,
    row: &UserRow,
) -> Result<Account, AccountError> {
    let opened = to_account(keyring, row);
    if opened.is_err() {
        let event = AuditEvent::failure(AuditAction::CryptDecryptFail)
            .target(format!("user:{}", row.id))
            .detail("field", "users.email");
        crate::unit_of_work::record(state, event).await?;
    }
    opened
}

/// Decrypts a row. A ciphertext that does not decrypt fails closed: the account is unusable
/// until an operator looks (it means a wrong key or a tampered row).
fn to_account(keyring: &Keyring, row: &UserRow) -> Result<Account, AccountError> {
    let id = row.id.to_string();
    let place = email_place(&id);
    let plaintext = keyring.decrypt_field(&place, &row.email_ciphertext).inspect_err(|_| {
        tracing::error!(user_id = %row.id, "crypt_decrypt_fail: an e-mail address does not decrypt");
    })?;
    let text = std::str::from_utf8(&plaintext).map_err(|_| CryptoError::Malformed)?;
    let email = Email::parse(text).map_err(|_| CryptoError::Malformed)?;
    let status = match row.status.as_str() {
        "active" => AccountStatus::Active,
        "disabled" => AccountStatus::Disabled,
        _ => {
            tracing::error!(user_id = %row.id, "an account row has an unknown status");
            return Err(AccountError::UnreadableRow("users.status"));
        }
    };
    Ok(Account {
        id: row.id,
        email,
        status,
        email_verified: row.email_verified_at.is_some(),
        created_at: row.created_at,
    })
}
