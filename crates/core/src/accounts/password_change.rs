//! Changing a password (knowing the current one) and resetting it (with an e-mailed link): the
//! new hash is computed first, then each is one unit of work.

use rampart_domain::{AuditAction, Email, Password};
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::sessions::delete_sessions;
use rampart_store::sign_in_throttle::clear_address_failures;
use rampart_store::users::{mark_email_verified, replace_password};
use uuid::Uuid;

use super::links::{consume_link, issue_link, peek_link};
use super::notices::{Notice, notify};
use super::{
    Account, AccountError, AccountStatus, find_account_by_email, find_account_by_id, hash_password,
    password_context,
};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

/// Why a new password was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum NewPasswordError {
    #[error(transparent)]
    Rejected(#[from] rampart_domain::PasswordRejected),
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The reset link is unknown, used, expired, or its account is disabled.
    #[error("the link is unknown, used or expired")]
    InvalidLink,
    /// The caller's account is gone.
    #[error("the account no longer exists")]
    NoAccount,
    /// The current password given with a change is wrong.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// Not a session, or not re-authenticated recently enough.
    #[error(transparent)]
    Refused(#[from] crate::sessions::Refused),
}

/// A signed-in person changes their own password: their session re-authenticated recently,
/// the current password again (a wrong one is audited), the new one checked. Their other
/// sessions end when `sign_out_others`.
pub async fn change_own_password(
    state: &AppState,
    principal: &crate::sessions::Principal,
    client: &ClientContext,
    current_password: &str,
    new_password: &str,
    sign_out_others: bool,
) -> Result<(), NewPasswordError> {
    let session_id = principal.session_id()?;
    principal.require_step_up(state)?;
    let account =
        find_account_by_id(state, principal.user_id).await?.ok_or(NewPasswordError::NoAccount)?;
    let confirmed = match Password::for_sign_in(current_password) {
        Some(current) => super::check_password(state, &account.email, current).await?.is_some(),
        None => false,
    };
    if !confirmed {
        crate::unit_of_work::record(
            state,
            AuditEvent::failure(AuditAction::AuthnPasswordChange)
                .client(client)
                .actor(account.id)
                .session(principal.token_hash())
                .detail("reason", "wrong_current_password"),
        )
        .await
        .map_err(AccountError::from)?;
        return Err(NewPasswordError::WrongCurrentPassword);
    }
    let keep = sign_out_others.then_some(session_id);
    change_password(state, &account, new_password, keep, client).await
}

/// Sets `new_password` for `account` after the caller has checked the current one (and a recent
/// re-authentication). Ends the account's other sessions when asked (`keep` is the caller's).
pub async fn change_password(
    state: &AppState,
    account: &Account,
    new_password: &str,
    end_other_sessions_except: Option<Uuid>,
    client: &ClientContext,
) -> Result<(), NewPasswordError> {
    let password = Password::new(new_password, &password_context(state, &account.email))?;
    let hash = hash_password(state, &state.keyring.current(), password).await?;
    let mut work = UnitOfWork::begin(state).await.map_err(AccountError::from)?;
    replace_password(work.db(), account.id, &hash, state.clock.now())
        .await
        .map_err(AccountError::from)?;
    if let Some(keep) = end_other_sessions_except {
        delete_sessions(work.db(), Some(account.id), Some(keep))
            .await
            .map_err(AccountError::from)?;
    }
    work.record(
        AuditEvent::success(AuditAction::AuthnPasswordChange)
            .client(client)
            .own_account(account.id)
            .detail("other_sessions_ended", end_other_sessions_except.is_some()),
    );
    notify(&mut work, account, Notice::PasswordChanged, client).await?;
    work.commit().await.map_err(AccountError::from)?;
    Ok(())
}

/// Mails a password-reset link to `email` if it is an active account's address, with the
/// event `authn_password_reset_request`, in one unit of work. Says nothing about whether it was:
/// the caller answers the same either way.
pub async fn request_password_reset(
    state: &AppState,
    email: &Email,
    client: &ClientContext,
) -> Result<(), AccountError> {
    if !super::mail_limit::mail_allowed(state, email, client).await? {
        return Ok(());
    }
    let account = find_account_by_email(state, email).await?;
    let Some(account) = account.filter(|a| a.status == AccountStatus::Active) else {
        return Ok(());
    };
    let mut work = UnitOfWork::begin(state).await?;
    let link = issue_link(&work, TokenPurpose::PasswordReset, Some(account.id)).await?;
    let notice = Notice::PasswordResetLink { token: link.expose().to_owned() };
    notify(&mut work, &account, notice, client).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnPasswordResetRequest)
            .client(client)
            .own_account(account.id),
    );
    work.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link, in one unit of work: the link is used up, the address
/// is thereby verified, the sign-in counters of the address start again (a locked password
/// opens), every session ends, the event is recorded and the notice queued — all or nothing (a
/// refused password leaves the link usable). It signs nobody in: the next sign-in still needs
/// the password (and, with MFA, the second factor).
pub async fn reset_password(
    state: &AppState,
    link: &str,
    new_password: &str,
    client: &ClientContext,
) -> Result<(), NewPasswordError> {
    // Looked up without using the link: the hashing below happens before the unit opens.
    let user_id = peek_link(state, link, TokenPurpose::PasswordReset)
        .await
        .map_err(AccountError::from)?
        .flatten()
        .ok_or(NewPasswordError::InvalidLink)?;
    let account = find_account_by_id(state, user_id)
        .await?
        .filter(|account| account.status == AccountStatus::Active)
        .ok_or(NewPasswordError::InvalidLink)?;
    let password = Password::new(new_password, &password_context(state, &account.email))?;
    let hash = hash_password(state, &state.keyring.current(), password).await?;
    let address = super::sign_in::address_index(state, &account.email)?;
    let now = state.clock.now();

    let mut work = UnitOfWork::begin(state).await.map_err(AccountError::from)?;
    let used =
        consume_link(&work, link, TokenPurpose::PasswordReset).await.map_err(AccountError::from)?;
    if used.flatten() != Some(account.id) {
        return Err(NewPasswordError::InvalidLink);
    }
    let db = work.db();
    replace_password(db, account.id, &hash, now).await.map_err(AccountError::from)?;
    mark_email_verified(db, account.id, now).await.map_err(AccountError::from)?;
    clear_address_failures(db, &address).await.map_err(AccountError::from)?;
    let ended = delete_sessions(db, Some(account.id), None).await.map_err(AccountError::from)?;
    work.record(
        AuditEvent::success(AuditAction::AuthnPasswordReset)
            .client(client)
            .own_account(account.id)
            .detail("sessions_ended", ended),
    );
    notify(&mut work, &account, Notice::PasswordChanged, client).await?;
    work.commit().await.map_err(AccountError::from)?;
    Ok(())
}
