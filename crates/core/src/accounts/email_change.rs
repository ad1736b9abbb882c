//! A holder changes their own e-mail address: asked for from a session re-authenticated within
//! `sessions.reauth_window_secs`, proved by a single-use link mailed to the new address (valid
//! `accounts.verification_link_ttl_secs`), with a notice to the current address; the address
//! changes only when the link is used, and the former address is told. Each step is one unit of
//! work with its event (`authn_email_change_request`, `authn_email_changed`).
//!
//! A link that cannot be used is audited and counts against the client, as an invitation link
//! does. A new address that already has an account gets the same answer and no mail (the request is
//! audited as a failure): the answer says nothing about who has an account. Mail to the new
//! address is limited per hour like registration's (`mail_limit.rs`).

use rampart_crypto::{FieldContext, NewToken, token_hash};
use rampart_domain::{AuditAction, Email, retry_after_secs};
use rampart_store::StoreError;
use rampart_store::email_changes::{EmailChangeRow, insert_email_change, use_email_change};
use rampart_store::email_skeletons::set_email_skeleton;
use rampart_store::users::{mark_email_verified, replace_email};
use uuid::Uuid;

use super::notices::{Notice, notify, notify_address};
use super::sign_in::{blocked_client, count_client_failure};
use super::{AccountError, EMAIL_INDEX_CONTEXT, email_place, find_account_by_id, find_row};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::{Principal, Refused};
use crate::unit_of_work::{UnitOfWork, record};

const LINK_TOKEN_BYTES: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("email: this is your address already")]
    Unchanged,
    /// Unknown, used, superseded or expired — or the address was taken meanwhile (audited).
    #[error("the link is unknown, used or expired")]
    InvalidLink,
    #[error("the account no longer exists")]
    NoAccount,
    /// The client's address is blocked (too many failures): try again after this long.
    #[error("too many failed attempts from this client")]
    Throttled { retry_after_secs: u64 },
    /// Not a session, or not re-authenticated recently enough.
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<StoreError> for EmailChangeError {
    fn from(error: StoreError) -> Self {
        Self::Account(AccountError::Store(error))
    }
}

fn pending_place(user_id: &str) -> FieldContext<'_> {
    FieldContext { table: "email_changes", row_id: user_id, field: "email" }
}

/// Asks for the caller's address to become `new`: a link to it, a notice to the current one.
pub async fn request_email_change(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    new: &Email,
) -> Result<(), EmailChangeError> {
    principal.session_id()?;
    principal.require_step_up(state)?;
    let account =
        find_account_by_id(state, principal.user_id).await?.ok_or(EmailChangeError::NoAccount)?;
    if account.email.normalized() == new.normalized() {
        return Err(EmailChangeError::Unchanged);
    }
    if !super::mail_limit::mail_allowed(state, new, client).await? {
        return Ok(());
    }
    let keyring = state.keyring.current();
    let taken = find_row(state, &keyring, new).await?.is_some();
    // Someone else's address in look-alike letters is as taken as the address itself (one's own,
    // written differently, is not).
    let look_alike = super::look_alikes::look_alike_holder(&state.db, &keyring, new)
        .await?
        .is_some_and(|holder| holder != account.id);
    if taken || look_alike {
        let reason = if taken { "address_taken" } else { "look_alike_address" };
        let refused = AuditEvent::failure(AuditAction::AuthnEmailChangeRequest)
            .by(principal, client)
            .target(format!("user:{}", account.id))
            .detail("reason", reason);
        record(state, refused).await?;
        return Ok(());
    }
    let user = account.id.to_string();
    let random = state.random.as_ref();
    let ciphertext = keyring
        .encrypt_field(&pending_place(&user), new.as_str().as_bytes(), random)
        .map_err(AccountError::from)?;
    let index = keyring
        .blind_index(EMAIL_INDEX_CONTEXT, new.normalized().as_bytes())
        .map_err(AccountError::from)?;
    let token = NewToken::generate(random, "", LINK_TOKEN_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for a link"))?;
    let now = state.clock.now();
    let ttl = state.settings.accounts.verification_link_ttl_secs;
    let row = EmailChangeRow {
        user_id: account.id,
        email_ciphertext: ciphertext,
        email_index: index.digest.to_vec(),
        email_index_version: i64::from(index.version),
        created_at: now,
        expires_at: now + crate::config::seconds(ttl),
    };

    let mut work = UnitOfWork::begin(state).await?;
    insert_email_change(work.db(), &row, &token.hash()).await?;
    let confirm = Notice::ConfirmNewEmail { token: token.expose().to_owned() };
    notify_address(&mut work, new, confirm, client).await?;
    notify(&mut work, &account, Notice::EmailChangeRequested, client).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnEmailChangeRequest)
            .by(principal, client)
            .target(format!("user:{}", account.id)),
    );
    work.commit().await?;
    Ok(())
}

/// Uses the link `token`: the account's address becomes the one it was sent to, and the former
/// address is told. Returns the account's id.
pub async fn confirm_email_change(
    state: &AppState,
    token: &str,
    client: &ClientContext,
) -> Result<Uuid, EmailChangeError> {
    let now = state.clock.now();
    let keyring = state.keyring.current();
    if let Some(wait) = blocked_client(state, client, AuditAction::AuthnEmailChanged).await? {
        return Err(EmailChangeError::Throttled { retry_after_secs: retry_after_secs(wait) });
    }
    let hash = token_hash(token);
    let mut work = UnitOfWork::begin(state).await?;
    let used = use_email_change(work.db(), &hash, now).await?;
    let Some(change) = used.filter(|change| now < change.expires_at) else {
        // Unknown, used, superseded or expired: audited, and counted against the client as a
        // guessed link is (enough of them block it, as for sign-in).
        drop(work);
        let mut work = UnitOfWork::begin(state).await?;
        work.record(
            AuditEvent::failure(AuditAction::AuthnEmailChanged)
                .client(client)
                .detail("reason", "invalid_link"),
        );
        count_client_failure(&mut work, client, &hash).await?;
        work.commit().await?;
        return Err(EmailChangeError::InvalidLink);
    };
    let account =
        find_account_by_id(state, change.user_id).await?.ok_or(EmailChangeError::InvalidLink)?;
    let user = change.user_id.to_string();
    let plaintext = keyring
        .decrypt_field(&pending_place(&user), &change.email_ciphertext)
        .map_err(AccountError::from)?;
    let new = std::str::from_utf8(&plaintext)
        .ok()
        .and_then(|text| Email::parse(text).ok())
        .ok_or(AccountError::UnreadableRow("email_changes.email"))?;
    let ciphertext = keyring
        .encrypt_field(&email_place(&user), new.as_str().as_bytes(), state.random.as_ref())
        .map_err(AccountError::from)?;
    let index = keyring
        .blind_index(EMAIL_INDEX_CONTEXT, new.normalized().as_bytes())
        .map_err(AccountError::from)?;
    let version = i64::from(index.version);
    let skeleton = super::look_alikes::skeleton_index(&keyring, &new)?.digest.to_vec();
    let replaced = match replace_email(
        work.db(),
        account.id,
        ciphertext,
        index.digest.to_vec(),
        version,
    )
    .await
    {
        Ok(_) => set_email_skeleton(work.db(), account.id, skeleton).await,
        Err(error) => Err(error),
    };
    match replaced {
        Ok(()) => {}
        // The address, or one that looks like it, became another account's in the meantime.
        Err(StoreError::Duplicate) => {
            drop(work);
            let refused = AuditEvent::failure(AuditAction::AuthnEmailChanged)
                .client(client)
                .own_account(account.id)
                .detail("reason", "address_taken");
            record(state, refused).await?;
            return Err(EmailChangeError::InvalidLink);
        }
        Err(other) => return Err(other.into()),
    }
    mark_email_verified(work.db(), account.id, now).await?;
    notify(&mut work, &account, Notice::EmailChanged, client).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnEmailChanged).client(client).own_account(account.id),
    );
    work.commit().await?;
    Ok(account.id)
}
