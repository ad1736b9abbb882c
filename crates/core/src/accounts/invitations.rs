//! Staff invitations: a `users:manage` holder invites an address with roles × departments; a
//! single-use link (`accounts.invitation_ttl_secs`, 72 hours) goes to the address through the
//! outbox; the invitee chooses a password and has an account with exactly those grants, its
//! address verified, and a session (`accept.rs`). Pending invitations are listed and revoked.
//! It does not depend on public registration.
//!
//! - Nobody invites with more than they may grant (`grants.rs`, the rule of `role_grants.rs`),
//!   checked again at acceptance.
//! - An address that already has an account is refused with 409 to the inviter alone (and
//!   audited); the link's holder, should an account appear meanwhile, gets the answer of any
//!   unusable link. Nothing makes a second account for one address.
//! - A new invitation for an address replaces its pending one (the old link stops working).
//! - The address is stored as an account's is (ciphertext bound to the row, blind index); the
//!   link's token only as its SHA-256. Every step is audited: `user_invited`,
//!   `invitation_revoked`, `invitation_accepted`, `invitation_accept_fail`.

mod accept;
mod grants;

use rampart_crypto::{FieldContext, Keyring, NewToken};
use rampart_domain::{AuditAction, Email, PasswordRejected};
use rampart_store::StoreError;
use rampart_store::invitations::{
    InvitationRow, InvitationStatus, find_invitation_by_id, insert_invitation,
    list_pending_invitations, revoke_invitation as revoke_row, revoke_pending_invitations_for,
};
use time::OffsetDateTime;
use uuid::Uuid;

pub use accept::accept_invitation;
pub use grants::InvitedGrant;

use super::notices::{Notice, notify_address};
use super::{AccountError, EMAIL_INDEX_CONTEXT, email_digests, find_row};
use crate::AppState;
use crate::access::role_grants::GrantError;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::incident::lockdown::LockdownRefusal;
use crate::sessions::Principal;
use crate::unit_of_work::{UnitOfWork, record};

/// Invitation links carry 128 random bits, as the other e-mailed links do.
const LINK_TOKEN_BYTES: usize = 16;
/// Pending invitations listed at most (they are few: each is someone about to join).
const MAX_LISTED: u64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// The grants asked for are malformed (none, too many, a role twice, an unknown role).
    #[error("{0}")]
    Invalid(String),
    /// A department does not exist, or the inviter does not hold what a role gives.
    #[error(transparent)]
    Grant(GrantError),
    /// Said to the inviter only.
    #[error(
        "this address (or one that looks the same) already has an account: grant roles to it instead"
    )]
    AccountExists,
    #[error("no such pending invitation")]
    NotFound,
    /// Unknown, used, revoked or expired — or, for the link's holder, any other reason the link
    /// cannot make an account (the audit trail has the reason).
    #[error("the link is unknown, used or expired")]
    InvalidLink,
    /// A role or department of the invitation is gone, or its inviter may no longer give it.
    #[error("this invitation no longer holds: ask for a new one")]
    NoLongerValid,
    #[error(transparent)]
    Rejected(#[from] PasswordRejected),
    /// The client's address is blocked (too many failures): try again after this long.
    #[error("too many failed attempts from this client")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Lockdown(#[from] LockdownRefusal),
    /// A stored value the code cannot read: refused, never read as a default.
    #[error("a stored row cannot be read: {0}")]
    UnreadableRow(&'static str),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<GrantError> for InvitationError {
    fn from(error: GrantError) -> Self {
        match error {
            GrantError::NotFound => Self::Invalid("grants: a role does not exist".into()),
            GrantError::Store(error) => Self::Store(error),
            other => Self::Grant(other),
        }
    }
}

/// A pending invitation, its address decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: Uuid,
    pub email: Email,
    pub grants: Vec<InvitedGrant>,
    pub invited_by: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

fn email_place(id: &str) -> FieldContext<'_> {
    FieldContext { table: "invitations", row_id: id, field: "email" }
}

/// Invites `email` with `grants`, replacing a pending invitation of the address; the link is
/// mailed in the same unit of work as the invitation and its `user_invited` event.
pub async fn invite(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    email: &Email,
    grants: Vec<InvitedGrant>,
) -> Result<Invitation, InvitationError> {
    let grants = grants::normalize(grants)?;
    grants::check(state, &principal.grants, &grants).await?;
    let keyring = state.keyring.current();
    let exists = find_row(state, &keyring, email).await?.is_some();
    // An address that merely looks like an account's (Unicode look-alikes) could never be
    // accepted: the inviter hears it now.
    if exists || super::look_alikes::look_alike_exists(&state.db, &keyring, email).await? {
        let reason = if exists { "account_exists" } else { "look_alike_address" };
        let refused = AuditEvent::failure(AuditAction::UserInvited)
            .by(principal, client)
            .detail("reason", reason);
        record(state, refused).await?;
        return Err(InvitationError::AccountExists);
    }
    let (row, token) = new_row(state, &keyring, principal.user_id, email, &grants)?;
    let digests = email_digests(&keyring, email).map_err(AccountError::from)?;

    let mut work = UnitOfWork::begin(state).await?;
    let replaced = revoke_pending_invitations_for(work.db(), &digests, row.created_at).await?;
    insert_invitation(work.db(), &row, &token.hash()).await?;
    let notice = Notice::Invitation { token: token.expose().to_owned() };
    notify_address(&mut work, email, notice, client).await?;
    work.record(
        AuditEvent::success(AuditAction::UserInvited)
            .by(principal, client)
            .target(format!("invitation:{}", row.id))
            .detail("grants", grants::to_detail(&grants))
            .detail("replaced", replaced.len()),
    );
    work.commit().await?;
    Ok(Invitation {
        id: row.id,
        email: email.clone(),
        grants,
        invited_by: row.invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

/// The row of a new invitation (address encrypted and indexed) and its link's token.
fn new_row(
    state: &AppState,
    keyring: &Keyring,
    invited_by: Uuid,
    email: &Email,
    grants: &[InvitedGrant],
) -> Result<(InvitationRow, NewToken), InvitationError> {
    let id = Uuid::new_v4();
    let place = id.to_string();
    let random = state.random.as_ref();
    let ciphertext = keyring
        .encrypt_field(&email_place(&place), email.as_str().as_bytes(), random)
        .map_err(AccountError::from)?;
    let index = keyring
        .blind_index(EMAIL_INDEX_CONTEXT, email.normalized().as_bytes())
        .map_err(AccountError::from)?;
    let token = NewToken::generate(random, "", LINK_TOKEN_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for a link"))?;
    let now = state.clock.now();
    let row = InvitationRow {
        id,
        email_ciphertext: ciphertext,
        email_index: index.digest.to_vec(),
        email_index_version: i64::from(index.version),
        grants: grants::to_column(grants),
        invited_by,
        created_at: now,
        expires_at: now + crate::config::seconds(state.settings.accounts.invitation_ttl_secs),
        status: InvitationStatus::Pending.as_str().to_owned(),
        closed_at: None,
        user_id: None,
    };
    Ok((row, token))
}

/// The pending invitations, oldest first (expired ones too: see `expires_at`).
pub async fn pending_invitations(state: &AppState) -> Result<Vec<Invitation>, InvitationError> {
    let keyring = state.keyring.current();
    let rows = list_pending_invitations(&state.db, MAX_LISTED).await?;
    rows.iter().map(|row| open(&keyring, row)).collect()
}

/// Revokes a pending invitation: its link stops working. The caller must hold what it would
/// give, as for revoking a role.
pub async fn revoke_invitation(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    id: Uuid,
) -> Result<(), InvitationError> {
    let row = find_invitation_by_id(&state.db, id).await?.ok_or(InvitationError::NotFound)?;
    let grants = grants::from_column(&row.grants)?;
    if !grants::covered(state, &principal.grants, &grants).await? {
        return Err(InvitationError::Grant(GrantError::Exceeds));
    }
    let mut work = UnitOfWork::begin(state).await?;
    if !revoke_row(work.db(), id, state.clock.now()).await? {
        return Err(InvitationError::NotFound);
    }
    work.record(
        AuditEvent::success(AuditAction::InvitationRevoked)
            .by(principal, client)
            .target(format!("invitation:{id}")),
    );
    work.commit().await?;
    Ok(())
}

/// A stored invitation read back: address decrypted (a ciphertext that does not decrypt fails
/// closed, as an account's does), grants and status checked.
fn open(keyring: &Keyring, row: &InvitationRow) -> Result<Invitation, InvitationError> {
    InvitationStatus::parse(&row.status)
        .ok_or(InvitationError::UnreadableRow("invitations.status"))?;
    let place = row.id.to_string();
    let plaintext =
        keyring.decrypt_field(&email_place(&place), &row.email_ciphertext).map_err(|error| {
            tracing::error!(invitation = %row.id, "crypt_decrypt_fail: an invitation's address");
            AccountError::from(error)
        })?;
    let email = std::str::from_utf8(&plaintext)
        .ok()
        .and_then(|text| Email::parse(text).ok())
        .ok_or(InvitationError::UnreadableRow("invitations.email"))?;
    Ok(Invitation {
        id: row.id,
        email,
        grants: grants::from_column(&row.grants)?,
        invited_by: row.invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}
