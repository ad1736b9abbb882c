//! The sign-in flows that end in a session — password, then a second factor when the account
//! has one; a passkey, alone or as the second factor — and signing out.
//!
//! Whether a password is right, and the throttling of wrong ones, is decided in
//! `accounts/sign_in.rs`; whether a code or passkey is right, in `mfa/`. Here each flow runs to
//! its end: lockdown consulted, the session started (replacing the caller's own), the events
//! and the new-device notice committed with it in one unit of work.

use rampart_domain::{Assurance, AuditAction, Device, Email, Password, retry_after_secs};
use rampart_store::StoreError;
use rampart_store::known_devices::{count_known_devices, remember_device};
use rampart_store::sessions::delete_session;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;
use webauthn_rs::prelude::PublicKeyCredential;

use super::{Grant, PendingSignIn, Principal, Refused, StartedSession, start_session};
use crate::AppState;
use crate::accounts::{
    Account, AccountError, AccountStatus, Notice, SignInOutcome, find_account_by_id, notify,
    sign_in,
};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::incident::lockdown::{LockdownRefusal, allow_sign_in};
use crate::mfa::{
    PasskeyError, SecondFactor, Started, check_second_factor, count_code_failure, factors_of,
    finish_passwordless, finish_second_factor, start_passwordless, start_second_factor,
};
use crate::unit_of_work::{UnitOfWork, record};

/// Why a sign-in did not give a session.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong address or password — or an unknown, disabled or unverified account: one answer
    /// for all.
    #[error("the e-mail address or the password is wrong")]
    InvalidCredentials,
    /// Too many failed attempts: the same answer, and when to try again.
    #[error("the e-mail address or the password is wrong")]
    Throttled { retry_after_secs: u64 },
    /// The pending sign-in is gone (expired, or ended by too many wrong codes).
    #[error("the sign-in has ended; start again")]
    SignInEnded,
    #[error("the code is wrong or was used already")]
    InvalidCode,
    #[error("the passkey was not accepted; start again")]
    PasskeyRejected,
    /// Re-authentication of an account with a second factor came without a code.
    #[error("this account has a second factor: give `code` or `recovery_code` too")]
    SecondFactorMissing,
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Lockdown(#[from] LockdownRefusal),
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Signs in with e-mail and password. With a second factor on the account, the session is
/// pending until `finish_with_second_factor` or a passkey; `current` is the caller's own
/// session, replaced when it is the same person's.
pub async fn log_in_with_password(
    state: &AppState,
    email: &str,
    password: &SecretString,
    client: &ClientContext,
    current: Option<&Principal>,
) -> Result<StartedSession, LoginError> {
    let (Ok(email), Some(password)) =
        (Email::parse(email), Password::for_sign_in(password.expose_secret()))
    else {
        return Err(LoginError::InvalidCredentials);
    };
    let account = signed_in_account(sign_in(state, &email, password, client).await?)?;
    let replacing = replaced_session(current, account.id);
    let second_factor_owed = factors_of(state, account.id).await?.any();
    let grant = if second_factor_owed {
        Grant::PendingSecondFactor
    } else {
        Grant::Full(Assurance::Password)
    };
    allow_sign_in(state, account.id, grant, client).await?;
    let mut work = UnitOfWork::begin(state).await?;
    let session = start_session(&work, account.id, client, replacing, grant).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnLoginSuccess)
            .client(client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("user:{}", account.id))
            .detail("stage", session.row.stage.as_str()),
    );
    if !second_factor_owed {
        signed_in(&mut work, &account, client, &session).await?;
    }
    work.commit().await?;
    Ok(session)
}

/// Finishes a pending sign-in with a TOTP or recovery code. A wrong code counts against the
/// pending sign-in (too many end it).
pub async fn finish_with_second_factor(
    state: &AppState,
    pending: &PendingSignIn,
    client: &ClientContext,
    factor: &SecondFactor,
) -> Result<StartedSession, LoginError> {
    let account =
        find_account_by_id(state, pending.user_id).await?.ok_or(LoginError::SignInEnded)?;
    let checked = check_second_factor(state, &account, client, &pending.token_hash, factor).await?;
    let Some(assurance) = checked else {
        count_code_failure(state, pending.session_id, pending.user_id, client).await?;
        return Err(LoginError::InvalidCode);
    };
    let grant = Grant::Full(assurance);
    allow_sign_in(state, account.id, grant, client).await?;
    let mut work = UnitOfWork::begin(state).await?;
    if !delete_session(work.db(), pending.session_id, Some(pending.user_id)).await? {
        return Err(LoginError::SignInEnded);
    }
    let session = start_session(&work, account.id, client, None, grant).await?;
    signed_in(&mut work, &account, client, &session).await?;
    work.commit().await?;
    Ok(session)
}

/// A passkey challenge: for the pending sign-in's account (its passkeys as the second factor),
/// or, with none pending, for any discoverable passkey (passwordless sign-in).
pub async fn start_passkey_login(
    state: &AppState,
    pending: Option<&PendingSignIn>,
) -> Result<Started, LoginError> {
    match pending {
        Some(pending) => {
            start_second_factor(state, pending.user_id).await?.ok_or(LoginError::PasskeyRejected)
        }
        None => Ok(start_passwordless(state).await?),
    }
}

/// Signs in with the passkey's answer to challenge `challenge_id`: as the second factor of
/// `pending`, or alone (passwordless, replacing `current` when it is the same person's).
pub async fn log_in_with_passkey(
    state: &AppState,
    pending: Option<&PendingSignIn>,
    current: Option<&Principal>,
    client: &ClientContext,
    challenge_id: Uuid,
    credential: &PublicKeyCredential,
) -> Result<StartedSession, LoginError> {
    let (user_id, replacing, assurance) = match pending {
        Some(pending) => (
            passkey_second_factor(state, pending, client, challenge_id, credential).await?,
            None,
            Assurance::PasswordAndPasskey,
        ),
        None => {
            let user_id = passwordless(state, client, challenge_id, credential).await?;
            (user_id, replaced_session(current, user_id), Assurance::Passkey)
        }
    };
    let account = find_account_by_id(state, user_id).await?.ok_or(LoginError::PasskeyRejected)?;
    let grant = Grant::Full(assurance);
    allow_sign_in(state, user_id, grant, client).await?;
    let mut work = UnitOfWork::begin(state).await?;
    let session = start_session(&work, user_id, client, replacing, grant).await?;
    signed_in(&mut work, &account, client, &session).await?;
    work.commit().await?;
    Ok(session)
}

/// Re-authenticates the caller ("sudo"): their password again, and their second factor when
/// the account has one (`factor`). The session is replaced by one that proves it, with its
/// `authn_reauth` event. API keys cannot re-authenticate.
pub async fn reauthenticate(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    password: &SecretString,
    factor: Option<&SecondFactor>,
) -> Result<StartedSession, LoginError> {
    let session_id = principal.session_id()?;
    let account =
        find_account_by_id(state, principal.user_id).await?.ok_or(LoginError::SignInEnded)?;
    let password =
        Password::for_sign_in(password.expose_secret()).ok_or(LoginError::InvalidCredentials)?;
    signed_in_account(sign_in(state, &account.email, password, client).await?)?;
    let assurance = if factors_of(state, account.id).await?.any() {
        let factor = factor.ok_or(LoginError::SecondFactorMissing)?;
        match check_second_factor(state, &account, client, principal.token_hash(), factor).await? {
            Some(assurance) => assurance,
            None => {
                count_code_failure(state, session_id, account.id, client).await?;
                return Err(LoginError::InvalidCode);
            }
        }
    } else {
        Assurance::Password
    };
    let mut work = UnitOfWork::begin(state).await?;
    let session =
        start_session(&work, account.id, client, Some(session_id), Grant::Full(assurance)).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnReauth)
            .client(client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("session:{}", session.row.id))
            .detail("assurance", assurance.as_str()),
    );
    work.commit().await?;
    Ok(session)
}

/// Ends the caller's own session, with its `session_revoked` event. API keys have no session.
pub async fn log_out(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
) -> Result<(), LoginError> {
    let session_id = principal.session_id()?;
    let mut work = UnitOfWork::begin(state).await?;
    delete_session(work.db(), session_id, Some(principal.user_id)).await?;
    work.record(
        AuditEvent::success(AuditAction::SessionRevoked)
            .by(principal, client)
            .target(format!("session:{session_id}"))
            .detail("reason", "logout"),
    );
    work.commit().await?;
    Ok(())
}

/// The account a password check let in, or the one answer every failure gets.
fn signed_in_account(outcome: SignInOutcome) -> Result<Account, LoginError> {
    match outcome {
        SignInOutcome::SignedIn(account) => Ok(account),
        SignInOutcome::Failed => Err(LoginError::InvalidCredentials),
        SignInOutcome::Throttled(wait) => {
            Err(LoginError::Throttled { retry_after_secs: retry_after_secs(wait) })
        }
    }
}

/// The caller's session, when it is `user_id`'s: a new sign-in replaces it.
fn replaced_session(current: Option<&Principal>, user_id: Uuid) -> Option<Uuid> {
    current.filter(|p| p.user_id == user_id).and_then(|p| p.session_id().ok())
}

/// What every full sign-in adds to its unit: `session_created`, and the new-device notice.
pub(crate) async fn signed_in(
    work: &mut UnitOfWork<'_>,
    account: &Account,
    client: &ClientContext,
    session: &StartedSession,
) -> Result<(), AccountError> {
    work.record(
        AuditEvent::success(AuditAction::SessionCreated)
            .client(client)
            .actor(account.id)
            .session(&session.token.hash())
            .target(format!("session:{}", session.row.id))
            .detail("assurance", session.row.assurance.as_str()),
    );
    notice_new_device(work, account, client).await
}

async fn notice_new_device(
    work: &mut UnitOfWork<'_>,
    account: &Account,
    client: &ClientContext,
) -> Result<(), AccountError> {
    let state = work.state();
    let device = Device::new(&client.user_agent, client.ip);
    let keyring = state.keyring.current();
    let hash = keyring.blind_index("known_devices", device.canonical().as_bytes())?;
    let seen_before = count_known_devices(work.db(), account.id).await?;
    let is_new = remember_device(work.db(), account.id, &hash.digest, state.clock.now()).await?;
    if is_new && seen_before > 0 {
        work.record(
            AuditEvent::success(AuditAction::AuthnNewDevice)
                .client(client)
                .own_account(account.id)
                .detail("browser", rampart_domain::device::browser_family(&client.user_agent)),
        );
        notify(work, account, Notice::NewDevice, client).await?;
    }
    Ok(())
}

async fn passkey_second_factor(
    state: &AppState,
    pending: &PendingSignIn,
    client: &ClientContext,
    challenge_id: Uuid,
    credential: &PublicKeyCredential,
) -> Result<Uuid, LoginError> {
    let accepted = finish_second_factor(state, pending.user_id, challenge_id, credential).await?;
    let event = if accepted {
        AuditEvent::success(AuditAction::AuthnMfaSuccess)
    } else {
        AuditEvent::failure(AuditAction::AuthnMfaFail)
    };
    let event = event.client(client).own_account(pending.user_id).session(&pending.token_hash);
    record(state, event.detail("method", "passkey")).await?;
    if !accepted {
        count_code_failure(state, pending.session_id, pending.user_id, client).await?;
        return Err(LoginError::PasskeyRejected);
    }
    if !delete_session(&state.db, pending.session_id, Some(pending.user_id)).await? {
        return Err(LoginError::SignInEnded);
    }
    Ok(pending.user_id)
}

async fn passwordless(
    state: &AppState,
    client: &ClientContext,
    challenge_id: Uuid,
    credential: &PublicKeyCredential,
) -> Result<Uuid, LoginError> {
    let user_id = finish_passwordless(state, challenge_id, credential).await?;
    let account = match user_id {
        Some(user_id) => find_account_by_id(state, user_id).await?,
        None => None,
    };
    let usable = account.filter(|a| a.status == AccountStatus::Active && a.email_verified);
    let Some(account) = usable else {
        let mut event = AuditEvent::failure(AuditAction::AuthnLoginFail)
            .client(client)
            .detail("method", "passkey")
            .detail("reason", "passkey_rejected");
        if let Some(user_id) = user_id {
            event = event.own_account(user_id);
        }
        record(state, event).await?;
        return Err(LoginError::PasskeyRejected);
    };
    record(
        state,
        AuditEvent::success(AuditAction::AuthnLoginSuccess)
            .client(client)
            .own_account(account.id)
            .detail("method", "passkey"),
    )
    .await?;
    Ok(account.id)
}
