//! Changing a password (knowing the current one) and resetting it (with an e-mailed link).

use rampart_domain::{AuditAction, Password};
use rampart_store::sessions::delete_sessions;
use rampart_store::sign_in_throttle::clear_address_failures;
use rampart_store::users::{mark_email_verified, replace_password};
use uuid::Uuid;

use super::notices::{Notice, notify};
use super::{Account, AccountError, hash_password, password_context};
use crate::AppState;
use crate::audit::{AuditEvent, record};
use crate::client::ClientContext;

/// Why a new password was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum NewPasswordError {
    #[error(transparent)]
    Rejected(#[from] rampart_domain::PasswordRejected),
    #[error(transparent)]
    Account(#[from] AccountError),
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
    store_new_password(state, account, password).await?;
    if let Some(keep) = end_other_sessions_except {
        delete_sessions(&state.db, Some(account.id), Some(keep))
            .await
            .map_err(AccountError::from)?;
    }
    record(
        state,
        AuditEvent::success(AuditAction::AuthnPasswordChange)
            .client(client)
            .own_account(account.id)
            .detail("other_sessions_ended", end_other_sessions_except.is_some()),
    )
    .await
    .map_err(AccountError::from)?;
    notify(state, account, Notice::PasswordChanged, client).await?;
    Ok(())
}

/// Sets a new password from a reset link: the address is thereby verified, the sign-in counters
/// of the address start again (a locked password opens), and every session ends. It signs
/// nobody in: the next sign-in still needs the password (and, with MFA, the second factor).
pub async fn reset_password(
    state: &AppState,
    account: &Account,
    new_password: &str,
    client: &ClientContext,
) -> Result<(), NewPasswordError> {
    let password = Password::new(new_password, &password_context(state, &account.email))?;
    store_new_password(state, account, password).await?;
    let now = state.clock.now();
    let address = super::sign_in::address_index(state, &account.email)?;
    let db = &state.db;
    mark_email_verified(db, account.id, now).await.map_err(AccountError::from)?;
    clear_address_failures(db, &address).await.map_err(AccountError::from)?;
    let ended = delete_sessions(db, Some(account.id), None).await.map_err(AccountError::from)?;
    record(
        state,
        AuditEvent::success(AuditAction::AuthnPasswordReset)
            .client(client)
            .own_account(account.id)
            .detail("sessions_ended", ended),
    )
    .await
    .map_err(AccountError::from)?;
    notify(state, account, Notice::PasswordChanged, client).await?;
    Ok(())
}

async fn store_new_password(
    state: &AppState,
    account: &Account,
    password: Password,
) -> Result<(), AccountError> {
    let keyring = state.keyring.current();
    let hash = hash_password(state, &keyring, password).await?;
    replace_password(&state.db, account.id, &hash, state.clock.now()).await?;
    Ok(())
}
