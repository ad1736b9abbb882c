//! Erasing an account: by its holder (account deletion) or by an administrator (erasure of a
//! person's data). The account's row goes, and with it — by the schema's cascades — its e-mail
//! ciphertext and blind index, password hash, sessions, API keys, second factors, recovery
//! codes, known devices, grants and pending changes of address; an invitation it accepted goes
//! too, and the pending invitations it made are revoked. The audit trail keeps every event under the account's id, which nothing maps to a
//! person any more (a pseudonym). Business records the person owned or created stay: they are
//! the business's, and their fields are the business's to edit.
//!
//! Both need a re-authentication within `sessions.reauth_window_secs`. An administrator must
//! hold everything the account's grants give (as for revoking them) and cannot erase their own
//! account this way; nobody erases the last owner. Each erasure is one unit of work with its
//! `user_erased` event, and the holder's address is told (the notice is queued before the
//! address is gone).

use rampart_domain::{AuditAction, BuiltInRole};
use rampart_store::StoreError;
use rampart_store::roles::{count_users_with_role, grants_of_user};
use rampart_store::sessions::delete_sessions;
use uuid::Uuid;

use super::notices::{Notice, notify};
use super::{AccountError, find_account_by_id};
use crate::AppState;
use crate::access::role_grants::{permissions_of_role, scope_of};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::{Principal, Refused};
use crate::unit_of_work::UnitOfWork;

#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error("no such user")]
    NotFound,
    /// An administrator's own account is deleted through `DELETE /api/me`.
    #[error("delete your own account with DELETE /api/me")]
    OwnAccount,
    #[error("the last owner cannot be erased")]
    LastOwner,
    /// The caller does not hold what the account's grants give.
    #[error("you may not erase an account that holds more than you do")]
    Exceeds,
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<StoreError> for ErasureError {
    fn from(error: StoreError) -> Self {
        Self::Account(AccountError::Store(error))
    }
}

/// The caller deletes their own account (a session re-authenticated recently).
pub async fn delete_own_account(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<u64, ErasureError> {
    principal.session_id()?;
    principal.require_step_up(state)?;
    erase(state, principal, client, principal.user_id, "self").await
}

/// An administrator erases another person's account; returns how many sessions ended.
pub async fn erase_user(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
) -> Result<u64, ErasureError> {
    principal.require_step_up(state)?;
    if user_id == principal.user_id {
        return Err(ErasureError::OwnAccount);
    }
    for grant in grants_of_user(&state.db, user_id).await? {
        let permissions = permissions_of_role(state, &grant.role).await.unwrap_or_default();
        if !principal.grants.covers(&permissions, &scope_of(grant.departments.as_ref())) {
            return Err(ErasureError::Exceeds);
        }
    }
    erase(state, principal, client, user_id, "administrator").await
}

async fn erase(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
    by: &'static str,
) -> Result<u64, ErasureError> {
    let account = find_account_by_id(state, user_id).await?.ok_or(ErasureError::NotFound)?;
    let owner = BuiltInRole::Owner.as_str();
    let mut work = UnitOfWork::begin(state).await?;
    let roles = rampart_store::roles::roles_of_user(work.db(), user_id).await?;
    // Counted inside the unit: two owners erasing each other cannot both succeed.
    if roles.iter().any(|role| role == owner) && count_users_with_role(work.db(), owner).await? <= 1
    {
        return Err(ErasureError::LastOwner);
    }
    notify(&mut work, &account, Notice::AccountErased, client).await?;
    let sessions_ended = delete_sessions(work.db(), Some(user_id), None).await?;
    rampart_store::invitations::delete_invitations_of_user(work.db(), user_id).await?;
    let now = state.clock.now();
    let revoked =
        rampart_store::invitations::revoke_invitations_made_by(work.db(), user_id, now).await?;
    if !rampart_store::users::delete_user(work.db(), user_id).await? {
        return Err(ErasureError::NotFound);
    }
    work.record(
        AuditEvent::success(AuditAction::UserErased)
            .by(principal, client)
            .target(format!("user:{user_id}"))
            .detail("by", by)
            .detail("roles", roles)
            .detail("sessions_ended", sessions_ended)
            .detail("invitations_revoked", revoked),
    );
    work.commit().await?;
    Ok(sessions_ended)
}
