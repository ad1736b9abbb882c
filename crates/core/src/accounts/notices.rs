//! The e-mails Rampart sends to account holders. Each goes through the outbox (`crate::mail`),
//! so a sign-in never waits for an SMTP server, and a crash does not lose a message.
//!
//! Links carry their token after `#`: browsers do not send the fragment to any server, so the
//! token stays out of web server logs and `Referer` headers. The site's page at that path reads
//! it and posts it to the API (`POST /api/auth/verify-email`, `POST /api/auth/password/reset`).

use rampart_domain::Email;

use super::{Account, AccountError};
use crate::AppState;
use crate::client::ClientContext;
use crate::mail::{OutgoingEmail, enqueue};
use crate::unit_of_work::UnitOfWork;

#[derive(Debug)]
pub enum Notice {
    /// After registration: prove the address is yours.
    VerifyEmail {
        token: String,
    },
    /// Someone tried to register an address that already has an account.
    AlreadyRegistered,
    PasswordResetLink {
        token: String,
    },
    PasswordChanged,
    /// The address reached the throttling threshold.
    Throttled,
    /// So many failures that the password no longer works until reset.
    PasswordLocked,
    NewDevice,
    /// A second factor was added (`factor`: "an authenticator app", "a passkey").
    FactorAdded {
        factor: &'static str,
    },
    /// A second factor was removed by its holder.
    FactorRemoved {
        factor: &'static str,
    },
    /// An administrator removed every factor: enrol again at the next sign-in.
    FactorsReset,
    /// A recovery code was used to sign in or re-authenticate; `left` remain.
    RecoveryCodeUsed {
        left: i64,
    },
    /// A new set of recovery codes replaced the old one.
    RecoveryCodesRegenerated,
    /// An administrator invited the address: set a password to create the account.
    Invitation {
        token: String,
    },
    /// To the new address of a requested change: prove it is yours.
    ConfirmNewEmail {
        token: String,
    },
    /// To the current address: a change to another was asked for.
    EmailChangeRequested,
    /// To the former address: the account's address was changed.
    EmailChanged,
    /// The account was deleted (by its holder or an administrator).
    AccountErased,
}

/// Queues the e-mail for `notice` to `account`'s address, with `work`'s action.
pub(crate) async fn notify(
    work: &mut UnitOfWork<'_>,
    account: &Account,
    notice: Notice,
    client: &ClientContext,
) -> Result<(), AccountError> {
    notify_address(work, &account.email, notice, client).await
}

/// Queues the e-mail for `notice` to an address that may have no account yet (an invitation).
pub(crate) async fn notify_address(
    work: &mut UnitOfWork<'_>,
    to: &Email,
    notice: Notice,
    client: &ClientContext,
) -> Result<(), AccountError> {
    let (subject, body) = compose(work.state(), notice, client);
    let message = OutgoingEmail { to: to.clone(), subject, body };
    enqueue(work, message).await?;
    Ok(())
}

fn compose(state: &AppState, notice: Notice, client: &ClientContext) -> (String, String) {
    let site = &state.settings.accounts.site_name;
    let origin = &state.settings.server.public_origin;
    let minutes = |secs: u64| secs.div_ceil(60);
    let from = format!("from {} ({})", client.ip, client.user_agent);
    let not_you = "If this was not you, reset your password now and tell your administrator.";
    match notice {
        Notice::VerifyEmail { token } => (
            format!("{site}: confirm your e-mail address"),
            format!(
                "Confirm your address to finish creating your {site} account:\n\n  {origin}/verify-email#token={token}\n\nThe link works once, for {} minutes. If you did not create an account, ignore this message.\n",
                minutes(state.settings.accounts.verification_link_ttl_secs)
            ),
        ),
        Notice::AlreadyRegistered => (
            format!("{site}: someone tried to register your address"),
            format!(
                "Someone tried to create a {site} account with this address, which already has one ({from}). Nothing was changed.\nIf you forgot your password, reset it at {origin}/forgot-password.\n"
            ),
        ),
        Notice::PasswordResetLink { token } => (
            format!("{site}: reset your password"),
            format!(
                "Set a new password for your {site} account:\n\n  {origin}/reset-password#token={token}\n\nThe link works once, for {} minutes. Resetting ends all your sessions. If you did not ask for this, ignore this message: your password is unchanged.\n",
                minutes(state.settings.accounts.reset_link_ttl_secs)
            ),
        ),
        Notice::PasswordChanged => (
            format!("{site}: your password was changed"),
            format!("The password of your {site} account was changed {from}.\n{not_you}\n"),
        ),
        Notice::Throttled => (
            format!("{site}: repeated failed sign-ins to your account"),
            format!(
                "There were repeated failed attempts to sign in to your {site} account, the last {from}. Further attempts are slowed down. You can still sign in with your password, or reset it at {origin}/forgot-password.\n"
            ),
        ),
        Notice::PasswordLocked => (
            format!("{site}: your password has been locked"),
            format!(
                "After very many failed sign-in attempts (the last {from}), your password no longer works. Reset it at {origin}/forgot-password to sign in again.\n"
            ),
        ),
        Notice::NewDevice => (
            format!("{site}: sign-in from a new device"),
            format!("Your {site} account was signed in to {from}.\n{not_you}\n"),
        ),
        Notice::FactorAdded { factor } => (
            format!("{site}: a second factor was added to your account"),
            format!(
                "{factor} was added as a second factor of your {site} account {from}.\n{not_you}\n"
            ),
        ),
        Notice::FactorRemoved { factor } => (
            format!("{site}: a second factor was removed from your account"),
            format!(
                "{factor} was removed from the second factors of your {site} account {from}.\n{not_you}\n"
            ),
        ),
        Notice::FactorsReset => (
            format!("{site}: your second factors were reset"),
            format!(
                "An administrator removed every second factor of your {site} account (authenticator app, passkeys, recovery codes) and ended your sessions. Sign in at {origin} and enrol a new factor.\nIf you did not ask for this, tell your administrator now.\n"
            ),
        ),
        Notice::RecoveryCodeUsed { left } => (
            format!("{site}: a recovery code was used"),
            format!(
                "One of your {site} recovery codes was used {from}; {left} remain. Each works once: generate a new set when you run low.\n{not_you}\n"
            ),
        ),
        Notice::Invitation { token } => (
            format!("{site}: you are invited"),
            format!(
                "You are invited to a {site} account. Choose your password to create it:\n\n  {origin}/accept-invitation#token={token}\n\nThe link works once, for {} hours. If you did not expect this, ignore this message: no account is made without it.\n",
                state.settings.accounts.invitation_ttl_secs.div_ceil(3600)
            ),
        ),
        Notice::ConfirmNewEmail { token } => (
            format!("{site}: confirm your new e-mail address"),
            format!(
                "Confirm this address to make it the address of your {site} account:\n\n  {origin}/confirm-email#token={token}\n\nThe link works once, for {} minutes. If you did not ask for this, ignore this message: nothing changes without it.\n",
                minutes(state.settings.accounts.verification_link_ttl_secs)
            ),
        ),
        Notice::EmailChangeRequested => (
            format!("{site}: a change of your e-mail address was asked for"),
            format!(
                "A change of the e-mail address of your {site} account was asked for {from}. It happens only when the link sent to the new address is used.\n{not_you}\n"
            ),
        ),
        Notice::EmailChanged => (
            format!("{site}: your e-mail address was changed"),
            format!(
                "The e-mail address of your {site} account was changed {from}; its mail now goes to the new address.\n{not_you}\n"
            ),
        ),
        Notice::AccountErased => (
            format!("{site}: your account was deleted"),
            format!(
                "Your {site} account and its personal data were deleted {from}. This address will get no further mail from it.\nIf you did not expect this, tell your administrator.\n"
            ),
        ),
        Notice::RecoveryCodesRegenerated => (
            format!("{site}: new recovery codes"),
            format!(
                "New recovery codes were generated for your {site} account {from}; the old ones no longer work.\n{not_you}\n"
            ),
        ),
    }
}
