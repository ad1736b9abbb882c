//! Containment: the actions that stop an attacker who has a foothold. Each is one function the
//! command line (`rampart incident …`) and the API (`POST /api/incidents/{id}/containment`)
//! both call, each is audited with the incident and the reason it was taken for, and so each is
//! on the timeline of every incident open at the time (`timeline.rs`).
//!
//! Sessions and API keys are rows in the shared database, checked on every request: deleting or
//! revoking them ends them on every instance at once, with no cache to invalidate.

use rampart_crypto::{MasterKey, Purpose};
use rampart_domain::AuditAction;
use rampart_store::api_keys::revoke_all_api_keys;
use rampart_store::one_time_tokens::TokenPurpose;
use rampart_store::sessions::delete_sessions;
use rampart_store::users::{clear_password, list_users_after, set_user_status};
use serde::Serialize;
use uuid::Uuid;

use super::{Actor, IncidentError};
use crate::AppState;
use crate::accounts::{AccountStatus, Notice, find_account_by_id, issue_link, notify};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::keys::{ReencryptReport, reencrypt, rotate_and_record};
use crate::unit_of_work::UnitOfWork;

/// Who takes a containment action, for which incident (if any) and why: recorded with it.
#[derive(Debug, Clone, Copy)]
pub struct Containment<'a> {
    pub actor: Actor<'a>,
    pub incident: Option<Uuid>,
    pub reason: &'a str,
}

impl Containment<'_> {
    fn event(&self, action: AuditAction) -> AuditEvent {
        let mut event = self.actor.stamp(AuditEvent::success(action));
        if let Some(incident) = self.incident {
            event = event.detail("incident", incident.to_string());
        }
        if !self.reason.is_empty() {
            event = event.detail("reason", self.reason);
        }
        event
    }

    /// The caller's own session, which "everyone's sessions" spares (the API's caller goes on
    /// handling the incident; the command line has none).
    fn own_session(&self) -> Option<Uuid> {
        match self.actor {
            Actor::Api(principal, _) => principal.session_id().ok(),
            Actor::Cli => None,
        }
    }
}

/// Checks a reason given with a containment action: at most 500 characters on one line.
pub fn valid_reason(reason: &str) -> Result<&str, IncidentError> {
    let reason = reason.trim();
    if reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(IncidentError::Invalid("reason: at most 500 characters, on one line"));
    }
    Ok(reason)
}

/// What a containment action did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ContainmentReport {
    pub sessions_ended: u64,
    pub api_keys_revoked: u64,
    pub users_disabled: u64,
    pub passwords_reset: u64,
    pub emails_queued: u64,
}

/// Ends one user's sessions, or everyone's (but the API caller's own).
pub async fn revoke_sessions(
    state: &AppState,
    user: Option<Uuid>,
    how: Containment<'_>,
) -> Result<ContainmentReport, IncidentError> {
    if let Some(user_id) = user {
        find_account_by_id(state, user_id).await?.ok_or(IncidentError::UnknownUser)?;
    }
    let mut work = UnitOfWork::begin(state).await?;
    let ended = match user {
        Some(user_id) => delete_sessions(work.db(), Some(user_id), None).await?,
        None => delete_sessions(work.db(), None, how.own_session()).await?,
    };
    let target = user.map_or_else(|| "sessions:all".to_owned(), |id| format!("user:{id}"));
    let event = how.event(AuditAction::SessionRevokedAll).target(target);
    work.record(event.detail("sessions_ended", ended));
    work.commit().await?;
    Ok(ContainmentReport { sessions_ended: ended, ..ContainmentReport::default() })
}

/// Revokes every API key of everyone.
pub async fn revoke_api_keys(
    state: &AppState,
    how: Containment<'_>,
) -> Result<ContainmentReport, IncidentError> {
    let mut work = UnitOfWork::begin(state).await?;
    let revoked = revoke_all_api_keys(work.db(), state.clock.now()).await?;
    let event = how.event(AuditAction::ApikeyRevoked).target("api_keys:all");
    work.record(event.detail("api_keys_revoked", revoked));
    work.commit().await?;
    Ok(ContainmentReport { api_keys_revoked: revoked, ..ContainmentReport::default() })
}

/// Disables an account: its sessions end, its password and API keys stop working (every
/// credential check reads the status).
pub async fn disable_user(
    state: &AppState,
    user_id: Uuid,
    how: Containment<'_>,
) -> Result<ContainmentReport, IncidentError> {
    if how.actor.user_id() == Some(user_id) {
        return Err(IncidentError::Invalid("you cannot disable your own account"));
    }
    let mut work = UnitOfWork::begin(state).await?;
    if !set_user_status(work.db(), user_id, "disabled").await? {
        return Err(IncidentError::UnknownUser);
    }
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    let event = how.event(AuditAction::UserDisabled).target(format!("user:{user_id}"));
    work.record(event.detail("sessions_ended", ended));
    work.commit().await?;
    Ok(ContainmentReport { sessions_ended: ended, users_disabled: 1, ..Default::default() })
}

/// Whose passwords a forced reset covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetScope {
    /// Every account (but the API caller's own, who goes on handling the incident).
    All,
    Listed(Vec<Uuid>),
}

/// Forces a password reset: for each account the password stops working at once (no hash is
/// left, so a sign-in with it fails exactly as a wrong password does, after the same hashing
/// work), its sessions end, and an active account is mailed a reset link (the usual one, through
/// the outbox). Disabled accounts get no link: a reset link cannot be used on them.
pub async fn force_password_reset(
    state: &AppState,
    scope: ResetScope,
    how: Containment<'_>,
) -> Result<ContainmentReport, IncidentError> {
    let users = match scope {
        ResetScope::Listed(users) => {
            for &user in &users {
                find_account_by_id(state, user).await?.ok_or(IncidentError::UnknownUser)?;
            }
            users
        }
        ResetScope::All => {
            let mut users = Vec::new();
            let mut after = None;
            loop {
                let page = list_users_after(&state.db, after, 500).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                users.extend(page.iter().map(|row| row.id));
            }
            users.retain(|&user| Some(user) != how.actor.user_id());
            users
        }
    };
    let mut report = ContainmentReport::default();
    for user in users {
        report = report.plus(reset_one(state, user, how).await?);
    }
    Ok(report)
}

async fn reset_one(
    state: &AppState,
    user_id: Uuid,
    how: Containment<'_>,
) -> Result<ContainmentReport, IncidentError> {
    let Some(account) = find_account_by_id(state, user_id).await? else {
        return Ok(ContainmentReport::default());
    };
    let mut work = UnitOfWork::begin(state).await?;
    clear_password(work.db(), user_id, state.clock.now()).await?;
    let ended = delete_sessions(work.db(), Some(user_id), None).await?;
    let mailed = account.status == AccountStatus::Active;
    if mailed {
        let link = issue_link(&work, TokenPurpose::PasswordReset, Some(user_id)).await?;
        let notice = Notice::PasswordResetLink { token: link.expose().to_owned() };
        let client = match how.actor {
            Actor::Api(_, client) => client.clone(),
            Actor::Cli => ClientContext::local(),
        };
        notify(&mut work, &account, notice, &client).await?;
    }
    work.record(
        how.event(AuditAction::AuthnPasswordResetForced)
            .target(format!("user:{user_id}"))
            .detail("sessions_ended", ended)
            .detail("link_mailed", mailed),
    );
    work.commit().await?;
    Ok(ContainmentReport {
        sessions_ended: ended,
        passwords_reset: 1,
        emails_queued: u64::from(mailed),
        ..ContainmentReport::default()
    })
}

impl ContainmentReport {
    fn plus(self, other: Self) -> Self {
        Self {
            sessions_ended: self.sessions_ended + other.sessions_ended,
            api_keys_revoked: self.api_keys_revoked + other.api_keys_revoked,
            users_disabled: self.users_disabled + other.users_disabled,
            passwords_reset: self.passwords_reset + other.passwords_reset,
            emails_queued: self.emails_queued + other.emails_queued,
        }
    }
}

/// What a key rotation from an incident did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub rotated: Vec<(Purpose, u32)>,
    pub reencrypted: ReencryptReport,
}

/// Rotates the data keys of `purposes` (what `rampart keys rotate` does), then re-encrypts
/// what the old versions protect (`keys reencrypt`; old versions retire on a later run, once
/// every instance has loaded the new ones). Needs the master key, so only the command line,
/// which opens the installation, can call it: the running server keeps no copy in its state.
pub async fn rotate_keys(
    state: &AppState,
    master: &MasterKey,
    purposes: &[Purpose],
    how: Containment<'_>,
) -> Result<RotationReport, IncidentError> {
    let rotated =
        rotate_and_record(state, master, purposes, || how.event(AuditAction::KeyRotated)).await?;
    state.keyring.refresh(&state.db, master).await?;
    let keyring = state.keyring.current();
    let settle = crate::keys::settle_time(state.settings.keys.reload_interval());
    crate::keys::wait_for_every_instance(&state.db, state.clock.as_ref(), settle).await?;
    let reencrypted =
        reencrypt(&state.db, &keyring, state.random.as_ref(), state.clock.as_ref(), 500, None)
            .await?;
    Ok(RotationReport { rotated, reencrypted })
}
