//! What a `users:manage` holder does to other people's accounts: their sessions listed and
//! ended (one user's, or everyone's but the caller's own), an account enabled again, lost second
//! factors reset. Disabling an account is containment (`incident/containment.rs`). Each change
//! is one unit of work with its event (and, for a reset, the holder's e-mail).

use rampart_domain::AuditAction;
use rampart_store::StoreError;
use rampart_store::passkeys::delete_passkeys;
use rampart_store::recovery_codes::delete_recovery_codes;
use rampart_store::sessions::{SessionRow, delete_sessions, list_sessions_of_user};
use rampart_store::users::{find_user_by_id, set_user_status};
use uuid::Uuid;

use super::notices::{Notice, notify};
use super::{AccountError, find_account_by_id};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::mfa::remove_totp;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no such user")]
    NotFound,
    /// An administrator's own factors are theirs to manage (`/api/me/mfa`).
    #[error("manage your own factors under /api/me/mfa")]
    OwnFactors,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The live sessions of `user_id` (within both timeouts).
pub async fn sessions_of(state: &AppState, user_id: Uuid) -> Result<Vec<SessionRow>, AdminError> {
    find_user_by_id(&state.db, user_id).await?.ok_or(AdminError::NotFound)?;
    Ok(crate::sessions::live_only(state, list_sessions_of_user(&state.db, user_id).await?))
}

/// Ends every session of `user_id`; returns how many.
pub async fn end_sessions_of(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
) -> Result<u64, AdminError> {
    find_user_by_id(&state.db, user_id).await?.ok_or(AdminError::NotFound)?;
    let mut work = UnitOfWork::begin(state).await?;
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(principal, client)
            .target(format!("user:{user_id}"))
            .detail("sessions_ended", ended),
    );
    work.commit().await?;
    Ok(ended)
}

/// Ends every session of every user but the caller's own (containment after a breach);
/// returns how many.
pub async fn end_everyones_sessions(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<u64, AdminError> {
    let keep = principal.session_id().ok();
    let mut work = UnitOfWork::begin(state).await?;
    let ended = delete_sessions(work.db(), None, keep).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevokedAll)
            .by(principal, client)
            .target("sessions:all")
            .detail("sessions_ended", ended),
    );
    work.commit().await?;
    Ok(ended)
}

/// Lets a disabled account sign in again.
pub async fn enable_account(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
) -> Result<(), AdminError> {
    let mut work = UnitOfWork::begin(state).await?;
    if !set_user_status(work.db(), user_id, "active").await? {
        return Err(AdminError::NotFound);
    }
    work.record(
        AuditEvent::success(AuditAction::UserEnabled)
            .by(principal, client)
            .target(format!("user:{user_id}")),
    );
    work.commit().await?;
    Ok(())
}

/// Removes every second factor of `user_id` (authenticator, passkeys, recovery codes) and ends
/// their sessions, so that they enrol again at their next sign-in; tells them by e-mail.
/// Returns how many sessions ended.
pub async fn reset_factors(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
) -> Result<u64, AdminError> {
    if user_id == principal.user_id {
        return Err(AdminError::OwnFactors);
    }
    let account = find_account_by_id(state, user_id).await?.ok_or(AdminError::NotFound)?;
    let mut work = UnitOfWork::begin(state).await?;
    let had_totp = remove_totp(work.db(), user_id).await?;
    let passkeys = delete_passkeys(work.db(), user_id, None).await?;
    let codes = delete_recovery_codes(work.db(), user_id).await?;
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnMfaRemoved)
            .by(principal, client)
            .target(format!("user:{user_id}"))
            .detail("reason", "admin_reset")
            .detail("totp", had_totp)
            .detail("passkeys", passkeys)
            .detail("recovery_codes", codes)
            .detail("sessions_ended", ended),
    );
    notify(&mut work, &account, Notice::FactorsReset, client).await?;
    work.commit().await?;
    Ok(ended)
}
