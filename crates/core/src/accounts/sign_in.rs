//! The sign-in decision: password check, throttling, and what a failure sets off.
//!
//! The order matters for what an attacker can learn, and for what a flood costs:
//! 0. a place in the hashing pool is taken, or the answer is 503 at once (load, not identity);
//! 1. a blocked client IP is refused outright (password spraying);
//! 2. the password is checked — for an unknown address against a dummy hash, and also when the
//!    address is throttled or locked — so every answer costs the same hashing work;
//! 3. the attempt succeeds only if the password matched, the account is active with a verified
//!    address, and the address's counters allow an attempt now.
//!
//! Counters are kept per address tried (a blind index of it), not per account row, so an
//! unknown address is throttled exactly like a known one: a 429 tells nothing about existence.

use rampart_domain::{AccountGate, AuditAction, Email, Password};
use rampart_store::sign_in_throttle::{
    block_ip, clear_address_failures, count_address_failure, count_ip_failure,
    find_address_failures, find_ip_block,
};
use time::Duration;

use super::notices::{Notice, notify};
use super::{Account, AccountError, AccountStatus, check_password_in};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::{UnitOfWork, record};

/// What the blind index of an address tried at sign-in is computed over. Separate from the
/// account's own index so the counters table cannot be joined to `users`.
const SIGN_IN_ADDRESS_CONTEXT: &str = "sign_in.address";

#[derive(Debug)]
pub enum SignInOutcome {
    SignedIn(Account),
    /// Wrong address or password, or an account that may not sign in.
    Failed,
    /// Too many failures (for this address or from this client): try again after this long.
    Throttled(Duration),
}

pub async fn sign_in(
    state: &AppState,
    email: &Email,
    password: Password,
    client: &ClientContext,
) -> Result<SignInOutcome, AccountError> {
    // A place in the hashing pool first: when it is saturated the answer is 503 at once, before
    // any database work (a flood turned away costs no query).
    let place = state.hashing.reserve()?;
    let now = state.clock.now();
    let policy = state.settings.sign_in.policy();

    if let Some(wait) = blocked_client(state, client, AuditAction::AuthnLoginFail).await? {
        return Ok(SignInOutcome::Throttled(wait));
    }

    let address = address_index(state, email)?;
    let counters = find_address_failures(&state.db, &address).await?;
    let failures = counters.as_ref().map_or(0, |c| u32::try_from(c.failures).unwrap_or(u32::MAX));
    let gate = policy.account_gate(failures, counters.map(|c| c.last_failure_at), now);

    let matched = check_password_in(state, place, email, password).await?;
    let usable =
        matched.filter(|account| account.status == AccountStatus::Active && account.email_verified);

    match (gate, usable) {
        (AccountGate::Open, Some(account)) => {
            clear_address_failures(&state.db, &address).await?;
            Ok(SignInOutcome::SignedIn(account))
        }
        (gate, _) => {
            let known = super::find_account_by_email(state, email).await?;
            let reason = match (gate, &known) {
                (AccountGate::Wait(_), _) => "throttled",
                (AccountGate::PasswordLocked, _) => "password_locked",
                (AccountGate::Open, None) => "unknown_account",
                (AccountGate::Open, Some(account)) if account.status == AccountStatus::Disabled => {
                    "disabled"
                }
                (AccountGate::Open, Some(account)) if !account.email_verified => "unverified",
                (AccountGate::Open, Some(_)) => "wrong_password",
            };
            let mut event = AuditEvent::failure(AuditAction::AuthnLoginFail)
                .client(client)
                .detail("reason", reason);
            if let Some(account) = &known {
                event = event.own_account(account.id);
            }
            // The failure's counters, its events and the notice to the holder: one unit. The
            // detection rules run after its commit, so they see this failure in the counters.
            let mut work = UnitOfWork::begin(state).await?;
            work.record(event);

            if gate == AccountGate::Open {
                let count = count_address_failure(work.db(), &address, now).await?;
                let count = u32::try_from(count).unwrap_or(u32::MAX);
                if policy.starts_throttling(count) || policy.locks_password(count) {
                    on_lock(&mut work, client, known.as_ref(), count, policy.locks_password(count))
                        .await?;
                }
            }
            count_client_failure(&mut work, client, &address).await?;
            work.commit().await?;
            Ok(match gate {
                AccountGate::Wait(wait) => SignInOutcome::Throttled(wait),
                AccountGate::Open | AccountGate::PasswordLocked => SignInOutcome::Failed,
            })
        }
    }
}

/// How long `client` must still wait when its address is blocked (password spraying, or guessing
/// links), with the refusal audited as `action` (`reason: ip_blocked`) once a minute per client,
/// with a count (`refusals.rs`): a blocked client's rate does not set the trail's size.
pub(super) async fn blocked_client(
    state: &AppState,
    client: &ClientContext,
    action: AuditAction,
) -> Result<Option<Duration>, AccountError> {
    let now = state.clock.now();
    let Some(until) = find_ip_block(&state.db, &client.ip.to_string()).await? else {
        return Ok(None);
    };
    if until <= now {
        return Ok(None);
    }
    if let Some(previous_minute) = state.refusals.count(client.ip, now) {
        record(
            state,
            AuditEvent::failure(action)
                .client(client)
                .detail("reason", "ip_blocked")
                .detail("refused_previous_minute", previous_minute),
        )
        .await?;
    }
    Ok(Some(until - now))
}

/// Counts a failure from `client` (about `subject`: an address's index, a link's hash) with
/// `work`'s action, and blocks the client's address when its failures reach the limit
/// (`authn_ip_blocked`).
pub(super) async fn count_client_failure(
    work: &mut UnitOfWork<'_>,
    client: &ClientContext,
    subject: &[u8],
) -> Result<(), AccountError> {
    let state = work.state();
    let policy = state.settings.sign_in.policy();
    let (now, ip) = (state.clock.now(), client.ip.to_string());
    let from_ip = count_ip_failure(work.db(), &ip, subject, now, now - policy.ip_window).await?;
    if policy.blocks_ip(u32::try_from(from_ip).unwrap_or(u32::MAX)) {
        block_ip(work.db(), &ip, now + policy.ip_block).await?;
        work.record(
            AuditEvent::failure(AuditAction::AuthnIpBlocked)
                .client(client)
                .detail("failures", from_ip),
        );
    }
    Ok(())
}

/// The address just reached the throttling threshold, or locked its password: audit it and tell
/// the account holder, if there is one.
async fn on_lock(
    work: &mut UnitOfWork<'_>,
    client: &ClientContext,
    account: Option<&Account>,
    failures: u32,
    password_locked: bool,
) -> Result<(), AccountError> {
    let mut event = AuditEvent::failure(AuditAction::AuthnLoginLock)
        .client(client)
        .detail("failures", failures)
        .detail("password_locked", password_locked);
    if let Some(account) = account {
        event = event.own_account(account.id);
    }
    work.record(event);
    if let Some(account) = account {
        let notice = if password_locked { Notice::PasswordLocked } else { Notice::Throttled };
        notify(work, account, notice, client).await?;
    }
    Ok(())
}

/// The key of an address's sign-in counters.
pub(super) fn address_index(state: &AppState, email: &Email) -> Result<Vec<u8>, AccountError> {
    let keyring = state.keyring.current();
    let index = keyring.blind_index(SIGN_IN_ADDRESS_CONTEXT, email.normalized().as_bytes())?;
    Ok(index.digest.to_vec())
}
