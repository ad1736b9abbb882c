//! Lockdown: during an incident only incident managers (`incident:manage`) signed in with more
//! than a password may use Rampart. Switching it on ends every other session at once (they are
//! rows in the shared database, so on every instance), and every signed-in request on every
//! instance reads the switch (`sessions/authenticate.rs`), so a session or API key that slips
//! through is refused on its next request. Public forms answer 503 meanwhile. Every change is
//! audited as `lockdown_changed`.

use rampart_domain::{Assurance, AuditAction, BuiltInRole, Permission};
pub use rampart_store::lockdown::LockdownRow;
use rampart_store::lockdown::{find_lockdown, set_lockdown as store_lockdown};
use rampart_store::roles::{list_custom_roles, list_users_with_roles};
use rampart_store::sessions::delete_sessions_for_lockdown;
use rampart_store::{Executor, StoreError};
use uuid::Uuid;

use crate::AppState;
use crate::access::custom_role_permissions;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::{UnitOfWork, record};

/// The assurances that count as "with MFA".
const STRONG: [Assurance; 4] = [
    Assurance::PasswordAndTotp,
    Assurance::PasswordAndRecoveryCode,
    Assurance::PasswordAndPasskey,
    Assurance::Passkey,
];

/// The switch as it stands: on or off, why, since when, set by whom.
pub async fn lockdown_state(state: &AppState) -> Result<LockdownRow, StoreError> {
    find_lockdown(&state.db).await
}

/// Whether `principal` may act during a lockdown: an incident manager, through a session proved
/// with a second factor (API keys are suspended).
pub fn may_act_during_lockdown(principal: &Principal) -> bool {
    principal.permissions.contains(Permission::IncidentManage)
        && principal.assurance().is_some_and(|assurance| STRONG.contains(&assurance))
}

/// Why [`allow_sign_in`] refused.
#[derive(Debug, thiserror::Error)]
pub enum LockdownRefusal {
    /// Lockdown is on and this sign-in would not be an incident manager's with MFA (503
    /// `lockdown` at the HTTP edge).
    #[error("lockdown is on: only incident managers signed in with a second factor may sign in")]
    Locked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Refuses (503 `lockdown`, audited) a sign-in that would give a full session during a lockdown
/// to anyone but an incident manager proved with a second factor. A password that still owes
/// its second factor passes: the code is checked next, and this check runs again then.
pub async fn allow_sign_in(
    state: &AppState,
    user_id: Uuid,
    grant: crate::sessions::Grant,
    client: &ClientContext,
) -> Result<(), LockdownRefusal> {
    let crate::sessions::Grant::Full(assurance) = grant else { return Ok(()) };
    if !lockdown_state(state).await?.active {
        return Ok(());
    }
    let manager =
        crate::access::load_grants(&state.db, user_id).await?.holds(Permission::IncidentManage);
    if manager && STRONG.contains(&assurance) {
        return Ok(());
    }
    record(
        state,
        AuditEvent::failure(AuditAction::AuthnLoginFail)
            .client(client)
            .own_account(user_id)
            .detail("reason", "lockdown"),
    )
    .await?;
    Err(LockdownRefusal::Locked)
}

/// Who holds `incident:manage` through any role.
async fn incident_managers(db: &impl Executor) -> Result<Vec<Uuid>, StoreError> {
    let mut roles: Vec<String> = BuiltInRole::ALL
        .into_iter()
        .filter(|role| role.permissions().contains(Permission::IncidentManage))
        .map(|role| role.as_str().to_owned())
        .collect();
    for custom in list_custom_roles(db).await? {
        if custom_role_permissions(&custom.permissions).contains(Permission::IncidentManage) {
            roles.push(custom.name);
        }
    }
    let names: Vec<&str> = roles.iter().map(String::as_str).collect();
    list_users_with_roles(db, &names).await
}

/// Switches lockdown on or off, ending the sessions it ends and recording `lockdown_changed` in
/// one unit of work; returns how many sessions it ended.
pub async fn set_lockdown(
    state: &AppState,
    active: bool,
    reason: &str,
    actor: Option<(&Principal, &ClientContext)>,
) -> Result<u64, StoreError> {
    let row = LockdownRow {
        active,
        reason: reason.to_owned(),
        changed_at: state.clock.now(),
        changed_by: actor.map(|(principal, _)| principal.user_id),
    };
    let mut work = UnitOfWork::begin(state).await?;
    store_lockdown(work.db(), &row).await?;
    let ended = if active {
        let keep = incident_managers(work.db()).await?;
        let strong: Vec<&str> = STRONG.iter().map(|assurance| assurance.as_str()).collect();
        delete_sessions_for_lockdown(work.db(), &keep, &strong).await?
    } else {
        0
    };
    let mut event = AuditEvent::success(AuditAction::LockdownChanged)
        .target("lockdown")
        .detail("active", active)
        .detail("reason", reason)
        .detail("sessions_ended", ended);
    if let Some((principal, client)) = actor {
        event = event.by(principal, client);
    } else {
        event = event.client(&ClientContext::local());
    }
    work.record(event);
    work.commit().await?;
    Ok(ended)
}
