//! Self-registration (`accounts.registration_enabled`) and the e-mail verification that follows.
//!
//! Mail to an address, or asked for by a client, is limited per hour (`mail_limit.rs`).
//! Registering an address that has an account answers exactly like a new one (the owner of the
//! address is told by e-mail instead), and takes as long: the password is hashed either way, so
//! neither the answer nor its timing says which addresses have accounts.

use rampart_domain::{AuditAction, BuiltInRole, Email, Password};
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::roles::grant_role;
use rampart_store::users::mark_email_verified;
use uuid::Uuid;

use super::{
    AccountError, Notice, consume_link, find_account_by_email, hash_password, issue_link, notify,
    prepare_account,
};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::UnitOfWork;

/// Registers a customer account for `email`, unverified until its link is followed; an address
/// that has an account gets an `already registered` notice instead.
pub async fn register(
    state: &AppState,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<(), AccountError> {
    if !super::mail_limit::mail_allowed(state, email, client).await? {
        // The same answer as any registration: the limit says nothing about the address.
        return Ok(());
    }
    match find_account_by_email(state, email).await? {
        Some(existing) => {
            let keyring = state.keyring.current();
            hash_password(state, &keyring, password).await?;
            let mut work = UnitOfWork::begin(state).await?;
            notify(&mut work, &existing, Notice::AlreadyRegistered, client).await?;
            work.commit().await?;
            Ok(())
        }
        None => match register_customer(state, email, password, client).await {
            // Taken between the look-up and the insert: the same answer as above.
            Ok(()) | Err(AccountError::EmailTaken) => Ok(()),
            // An address that looks like an account's (Unicode look-alikes): no account, no
            // mail (the address is not the account holder's), the same answer — and a record.
            Err(AccountError::LookAlike) => {
                let event = AuditEvent::failure(AuditAction::UserCreated)
                    .client(client)
                    .detail("via", "registration")
                    .detail("reason", "look_alike_address");
                crate::unit_of_work::record(state, event).await?;
                Ok(())
            }
            Err(other) => Err(other),
        },
    }
}

async fn register_customer(
    state: &AppState,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<(), AccountError> {
    let new = prepare_account(state, email, password).await?;
    let mut work = UnitOfWork::begin(state).await?;
    let account = new.insert(&work).await?;
    let now = state.clock.now();
    grant_role(work.db(), account.id, BuiltInRole::Customer.as_str(), now).await?;
    let link = issue_link(&work, TokenPurpose::VerifyEmail, Some(account.id)).await?;
    let notice = Notice::VerifyEmail { token: link.expose().to_owned() };
    notify(&mut work, &account, notice, client).await?;
    work.record(
        AuditEvent::success(AuditAction::UserCreated)
            .client(client)
            .own_account(account.id)
            .detail("role", BuiltInRole::Customer.as_str())
            .detail("via", "registration"),
    );
    work.commit().await?;
    Ok(())
}

/// Marks the account of a verification link verified, with its `authn_email_verified` event.
/// `None`: the link is unknown, used or expired.
pub async fn verify_email(
    state: &AppState,
    token: &str,
    client: &ClientContext,
) -> Result<Option<Uuid>, AccountError> {
    let mut work = UnitOfWork::begin(state).await?;
    let Some(user_id) = consume_link(&work, token, TokenPurpose::VerifyEmail).await?.flatten()
    else {
        return Ok(None);
    };
    mark_email_verified(work.db(), user_id, state.clock.now()).await?;
    work.record(
        AuditEvent::success(AuditAction::AuthnEmailVerified).client(client).own_account(user_id),
    );
    work.commit().await?;
    Ok(Some(user_id))
}
