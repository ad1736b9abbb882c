//! The second-factor check that sign-in (`POST /api/auth/login/mfa`) and re-authentication
//! (`POST /api/auth/reauth`) share: the code, what it proves, what is audited and who is told.

use rampart_domain::{Assurance, AuditAction, RecoveryCode, TotpCode};
use rampart_store::StoreError;
use rampart_store::recovery_codes::count_unused_recovery_codes;
use rampart_store::sessions::{count_session_mfa_failure, delete_session};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::recovery::redeem_recovery_code;
use super::totp::check_totp;
use crate::AppState;
use crate::accounts::{Account, AccountError, Notice, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

/// A second factor as presented.
#[derive(Debug)]
pub enum SecondFactor {
    Totp(TotpCode),
    RecoveryCode(RecoveryCode),
    /// Something that cannot be either: a wrong code like any other.
    Unreadable,
}

impl SecondFactor {
    /// From a request's `code` (TOTP) and `recovery_code` fields; `None` when neither came.
    pub fn from_fields(
        code: Option<&SecretString>,
        recovery_code: Option<&SecretString>,
    ) -> Option<Self> {
        match (code, recovery_code) {
            (Some(code), None) => {
                Some(TotpCode::parse(code.expose_secret()).map_or(Self::Unreadable, Self::Totp))
            }
            (None, Some(code)) => Some(
                RecoveryCode::parse(code.expose_secret())
                    .map_or(Self::Unreadable, Self::RecoveryCode),
            ),
            (Some(_), Some(_)) => Some(Self::Unreadable),
            (None, None) => None,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Self::Totp(_) => "totp",
            Self::RecoveryCode(_) => "recovery_code",
            Self::Unreadable => "unreadable",
        }
    }
}

/// Checks `factor` for `account`. `Some(assurance)` when it is right and unused (and is now
/// used); `None` otherwise. Either way the attempt is audited (`authn_mfa_success`,
/// `authn_recovery_code_used` — which also e-mails the holder — or `authn_mfa_fail`), in one
/// unit of work with the code spent.
pub async fn check_second_factor(
    state: &AppState,
    account: &Account,
    client: &ClientContext,
    session_hash: &[u8],
    factor: &SecondFactor,
) -> Result<Option<Assurance>, AccountError> {
    let mut work = UnitOfWork::begin(state).await?;
    let accepted = match factor {
        SecondFactor::Totp(code) => {
            check_totp(&work, account.id, code).await?.then_some(Assurance::PasswordAndTotp)
        }
        SecondFactor::RecoveryCode(code) => redeem_recovery_code(&work, account.id, code)
            .await?
            .then_some(Assurance::PasswordAndRecoveryCode),
        SecondFactor::Unreadable => None,
    };
    let event = |action| {
        AuditEvent::success(action)
            .client(client)
            .own_account(account.id)
            .session(session_hash)
            .detail("method", factor.method())
    };
    match accepted {
        Some(Assurance::PasswordAndRecoveryCode) => {
            let left = count_unused_recovery_codes(work.db(), account.id).await?;
            work.record(event(AuditAction::AuthnRecoveryCodeUsed).detail("left", left));
            notify(&mut work, account, Notice::RecoveryCodeUsed { left }, client).await?;
        }
        Some(_) => work.record(event(AuditAction::AuthnMfaSuccess)),
        None => work.record(
            AuditEvent::failure(AuditAction::AuthnMfaFail)
                .client(client)
                .own_account(account.id)
                .session(session_hash)
                .detail("method", factor.method()),
        ),
    }
    work.commit().await?;
    Ok(accepted)
}

/// Counts a wrong code against the session it came through; at `mfa.max_code_failures` the
/// session ends (a pending sign-in starts over with the password). Returns whether it ended.
pub async fn count_code_failure(
    state: &AppState,
    session_id: Uuid,
    user_id: Uuid,
    client: &ClientContext,
) -> Result<bool, StoreError> {
    let mut work = UnitOfWork::begin(state).await?;
    let failures = count_session_mfa_failure(work.db(), session_id).await?;
    let ended = failures >= i64::from(state.settings.mfa.max_code_failures);
    if ended {
        delete_session(work.db(), session_id, Some(user_id)).await?;
        work.record(
            AuditEvent::success(rampart_domain::AuditAction::SessionRevoked)
                .client(client)
                .own_account(user_id)
                .target(format!("session:{session_id}"))
                .detail("reason", "too_many_code_failures"),
        );
    }
    work.commit().await?;
    Ok(ended)
}
