//! A person's own second factors: adding an authenticator app or a passkey, removing one,
//! listing and renaming passkeys, replacing the recovery codes.
//!
//! Every change needs a session (not an API key) re-authenticated within
//! `sessions.reauth_window_secs`. Adding a factor is audited, e-mailed, gives the first recovery
//! codes when the account had none, and replaces the session with one proved by both factors;
//! removing the last factor takes the recovery codes with it, and is refused while the
//! caller's roles require a second factor. Each change is one unit of work.

use rampart_domain::{AuditAction, TotpCode, roles_require_mfa};
use rampart_store::StoreError;
use rampart_store::passkeys::{delete_passkeys, list_passkeys_of_user, rename_passkey};
use rampart_store::recovery_codes::delete_recovery_codes;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

pub use rampart_store::passkeys::PasskeyRow;

use super::{
    Factors, PasskeyError, Started, TotpEnrolment, confirm_totp, factors_in, factors_of,
    finish_registration, issue_recovery_codes, remove_totp, start_registration,
    start_totp_enrolment, store_passkey,
};
use crate::AppState;
use crate::accounts::{Account, AccountError, Notice, find_account_by_id, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::{Grant, Principal, Refused, StartedSession, start_session};
use crate::unit_of_work::UnitOfWork;

/// Why a change to one's own factors was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// Not a session, or not re-authenticated recently enough.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// The caller's account is gone.
    #[error("the account no longer exists")]
    NoAccount,
    #[error("an authenticator app is enrolled already: remove it first")]
    AlreadyEnrolled,
    #[error("your role requires a second factor: add another one before removing this")]
    LastRequired,
    #[error("add a second factor first")]
    NoFactor,
    /// No such factor (or passkey) on the caller's account.
    #[error("no such factor")]
    NotFound,
    /// The confirmation code is wrong, malformed, or no enrolment is waiting.
    #[error("the code is wrong or was used already")]
    InvalidCode,
    #[error("name: 1 to 100 printable characters")]
    BadName,
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A factor kind: its name in the audit trail and in e-mails.
type FactorKind = (&'static str, &'static str);
const TOTP: FactorKind = ("totp", "An authenticator app");
const PASSKEY: FactorKind = ("passkey", "A passkey");

/// What adding a factor gave: the first recovery codes (shown once; `None` when the account
/// had unused ones) and the session that replaces the caller's, proved by both factors.
#[derive(Debug)]
pub struct FactorAdded {
    pub recovery_codes: Option<Vec<String>>,
    pub session: StartedSession,
}

/// Starts (or restarts) adding an authenticator app: the secret to put into it, shown once.
pub async fn start_own_totp(
    state: &AppState,
    principal: &Principal,
) -> Result<TotpEnrolment, FactorError> {
    let account = stepped_up_account(state, principal).await?;
    start_totp_enrolment(state, &account).await?.ok_or(FactorError::AlreadyEnrolled)
}

/// Confirms the authenticator app with its first code. A wrong code is audited
/// (`authn_mfa_fail` during enrolment).
pub async fn confirm_own_totp(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    code: &SecretString,
) -> Result<FactorAdded, FactorError> {
    let account = stepped_up_account(state, principal).await?;
    let code = TotpCode::parse(code.expose_secret()).ok_or(FactorError::InvalidCode)?;
    let mut work = UnitOfWork::begin(state).await?;
    if !confirm_totp(&work, account.id, &code).await? {
        work.record(
            AuditEvent::failure(AuditAction::AuthnMfaFail)
                .by(principal, client)
                .target(format!("user:{}", account.id))
                .detail("method", "totp")
                .detail("during", "enrolment"),
        );
        work.commit().await?;
        return Err(FactorError::InvalidCode);
    }
    factor_added(work, principal, client, &account, TOTP).await
}

/// Removes the authenticator app.
pub async fn remove_own_totp(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<(), FactorError> {
    let account = stepped_up_account(state, principal).await?;
    let factors = factors_of(state, principal.user_id).await?;
    if !factors.totp {
        return Err(FactorError::NotFound);
    }
    may_remove(state, principal, &factors)?;
    let work = UnitOfWork::begin(state).await?;
    remove_totp(work.db(), principal.user_id).await?;
    factor_removed(work, principal, client, &account, &factors, TOTP, None).await
}

/// Starts registering a passkey: the ceremony to pass to the browser.
pub async fn start_own_passkey(
    state: &AppState,
    principal: &Principal,
) -> Result<Started, FactorError> {
    let account = stepped_up_account(state, principal).await?;
    Ok(start_registration(state, &account).await?)
}

/// Finishes registering a passkey named `name` with the browser's answer to `challenge_id`.
pub async fn register_own_passkey(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (challenge_id, name): (Uuid, &str),
    credential: &RegisterPublicKeyCredential,
) -> Result<(PasskeyRow, FactorAdded), FactorError> {
    let account = stepped_up_account(state, principal).await?;
    let name = passkey_name(name)?;
    let row = finish_registration(state, account.id, challenge_id, &name, credential).await?;
    let work = UnitOfWork::begin(state).await?;
    store_passkey(&work, &row).await?;
    let added = factor_added(work, principal, client, &account, PASSKEY).await?;
    Ok((row, added))
}

/// The caller's passkeys, oldest first.
pub async fn own_passkeys(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<PasskeyRow>, StoreError> {
    list_passkeys_of_user(&state.db, principal.user_id).await
}

/// Renames one of the caller's passkeys.
pub async fn rename_own_passkey(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    name: &str,
) -> Result<(), FactorError> {
    let name = passkey_name(name)?;
    if !rename_passkey(&state.db, principal.user_id, id, &name).await? {
        return Err(FactorError::NotFound);
    }
    Ok(())
}

/// Removes one of the caller's passkeys.
pub async fn remove_own_passkey(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    id: Uuid,
) -> Result<(), FactorError> {
    let account = stepped_up_account(state, principal).await?;
    let rows = list_passkeys_of_user(&state.db, principal.user_id).await?;
    if !rows.iter().any(|row| row.id == id) {
        return Err(FactorError::NotFound);
    }
    let factors = factors_of(state, principal.user_id).await?;
    may_remove(state, principal, &factors)?;
    let work = UnitOfWork::begin(state).await?;
    delete_passkeys(work.db(), principal.user_id, Some(id)).await?;
    factor_removed(work, principal, client, &account, &factors, PASSKEY, Some(id)).await
}

/// How many of the caller's recovery codes are unused.
pub async fn own_recovery_codes_left(
    state: &AppState,
    principal: &Principal,
) -> Result<i64, StoreError> {
    Ok(factors_of(state, principal.user_id).await?.recovery_codes_left)
}

/// Replaces the caller's recovery codes with ten new ones, shown this once; the old ones stop
/// working at once.
pub async fn regenerate_own_recovery_codes(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<Vec<String>, FactorError> {
    let account = stepped_up_account(state, principal).await?;
    if !factors_of(state, principal.user_id).await?.any() {
        return Err(FactorError::NoFactor);
    }
    let mut work = UnitOfWork::begin(state).await?;
    let recovery_codes = new_recovery_codes(&mut work, principal, client).await?;
    notify(&mut work, &account, Notice::RecoveryCodesRegenerated, client).await?;
    work.commit().await?;
    Ok(recovery_codes)
}

/// The caller's account, once their session is known to be re-authenticated recently.
async fn stepped_up_account(
    state: &AppState,
    principal: &Principal,
) -> Result<Account, FactorError> {
    principal.session_id()?;
    principal.require_step_up(state)?;
    find_account_by_id(state, principal.user_id).await?.ok_or(FactorError::NoAccount)
}

/// A passkey's name: 1 to 100 characters once trimmed, on one line.
fn passkey_name(name: &str) -> Result<String, FactorError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(FactorError::BadName);
    }
    Ok(name.to_owned())
}

/// Refuses to remove a factor when the caller's roles require one and it is the last.
fn may_remove(
    state: &AppState,
    principal: &Principal,
    factors: &Factors,
) -> Result<(), FactorError> {
    if factors.count() == 1
        && roles_require_mfa(&principal.roles, &state.settings.mfa.required_roles)
    {
        return Err(FactorError::LastRequired);
    }
    Ok(())
}

/// After a factor was added in `work`: its event, the e-mail, the first recovery codes, the new
/// session; then the unit commits.
async fn factor_added(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    account: &Account,
    (method, described): FactorKind,
) -> Result<FactorAdded, FactorError> {
    let first_codes = factors_in(work.db(), account.id).await?.recovery_codes_left == 0;
    work.record(
        AuditEvent::success(AuditAction::AuthnMfaEnrolled)
            .by(principal, client)
            .target(format!("user:{}", account.id))
            .detail("method", method),
    );
    notify(&mut work, account, Notice::FactorAdded { factor: described }, client).await?;
    let recovery_codes = if first_codes {
        Some(new_recovery_codes(&mut work, principal, client).await?)
    } else {
        None
    };
    let assurance = if method == TOTP.0 {
        rampart_domain::Assurance::PasswordAndTotp
    } else {
        rampart_domain::Assurance::PasswordAndPasskey
    };
    let replacing = principal.session_id()?;
    let session =
        start_session(&work, account.id, client, Some(replacing), Grant::Full(assurance)).await?;
    work.commit().await?;
    Ok(FactorAdded { recovery_codes, session })
}

/// After a factor was removed in `work` (`passkey`: which one): the recovery codes go with the
/// last one; audit (about the account, so alerts name it), e-mail; then the unit commits.
async fn factor_removed(
    mut work: UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
    account: &Account,
    factors_before: &Factors,
    (method, described): FactorKind,
    passkey: Option<Uuid>,
) -> Result<(), FactorError> {
    if factors_before.count() == 1 {
        delete_recovery_codes(work.db(), principal.user_id).await?;
    }
    let mut event = AuditEvent::success(AuditAction::AuthnMfaRemoved)
        .by(principal, client)
        .target(format!("user:{}", principal.user_id))
        .detail("method", method);
    if let Some(passkey) = passkey {
        event = event.detail("passkey", passkey.to_string());
    }
    work.record(event);
    notify(&mut work, account, Notice::FactorRemoved { factor: described }, client).await?;
    work.commit().await?;
    Ok(())
}

/// A new set of recovery codes for the caller, with their event, in `work`; as the strings to
/// show once (after the unit has committed).
async fn new_recovery_codes(
    work: &mut UnitOfWork<'_>,
    principal: &Principal,
    client: &ClientContext,
) -> Result<Vec<String>, FactorError> {
    let codes = issue_recovery_codes(work, principal.user_id).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnRecoveryCodesGenerated)
            .by(principal, client)
            .target(format!("user:{}", principal.user_id)),
    );
    Ok(codes.iter().map(|code| code.to_string()).collect())
}
