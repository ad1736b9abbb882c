//! Granting and revoking a role. The caller must hold every permission of the role over every
//! department the grant covers (so an admin can neither make nor unmake an owner); the last
//! owner cannot lose the role. Each change is one unit of work with its
//! `privilege_permissions_changed` event. (Step-up and the `roles:manage` permission are checked
//! before, by the caller's route.)

use std::collections::BTreeSet;

use rampart_domain::{AuditAction, BuiltInRole, DepartmentScope, PermissionSet};
use rampart_store::StoreError;
use rampart_store::departments::existing_departments;
pub use rampart_store::roles::GrantRow;
use rampart_store::roles::{
    find_custom_roles, grants_of_user, revoke_role as revoke_row, revoke_role_keeping_one,
    set_role_grant,
};
use rampart_store::users::find_user_by_id;
use uuid::Uuid;

use super::custom_role_permissions;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

/// Why a grant or a revocation was refused.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// No such user or role, or the user does not hold the role.
    #[error("no such user or role")]
    NotFound,
    #[error("departments: {0:?} is not a department")]
    UnknownDepartment(String),
    /// The caller does not hold everything the grant gives, everywhere it gives it.
    #[error("the caller does not hold what the grant gives")]
    Exceeds,
    /// The last owner keeps the role.
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user's grants (404 for an unknown user).
pub async fn grants_of(state: &AppState, user_id: Uuid) -> Result<Vec<GrantRow>, GrantError> {
    if find_user_by_id(&state.db, user_id).await?.is_none() {
        return Err(GrantError::NotFound);
    }
    Ok(grants_of_user(&state.db, user_id).await?)
}

/// Grants `role` to `user_id` over `departments` (`None`: all; listed ones deduplicated),
/// replacing an earlier grant of the same role.
pub async fn grant_role(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
    role: &str,
    departments: Option<Vec<String>>,
) -> Result<(), GrantError> {
    let permissions = permissions_of_role(state, role).await?;
    let departments = departments
        .map(|listed| listed.into_iter().collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>());
    if let Some(listed) = &departments {
        let existing = existing_departments(&state.db, listed).await?;
        if let Some(missing) = listed.iter().find(|d| !existing.contains(d)) {
            return Err(GrantError::UnknownDepartment(missing.clone()));
        }
    }
    if !principal.grants.covers(&permissions, &scope_of(departments.as_ref())) {
        return Err(GrantError::Exceeds);
    }
    if find_user_by_id(&state.db, user_id).await?.is_none() {
        return Err(GrantError::NotFound);
    }
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state).await?;
    set_role_grant(work.db(), user_id, role, departments.as_deref(), principal.user_id, now)
        .await?;
    work.record(grant_event(principal, client, user_id, role, "granted", departments));
    work.commit().await?;
    Ok(())
}

/// Takes `role` away from `user_id`; the caller must hold what the grant gave, where it gave it.
pub async fn revoke_role(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
    role: &str,
) -> Result<(), GrantError> {
    let held = grants_of_user(&state.db, user_id).await?;
    let Some(grant) = held.into_iter().find(|grant| grant.role == role) else {
        return Err(GrantError::NotFound);
    };
    let permissions = permissions_of_role(state, role).await.unwrap_or_default();
    if !principal.grants.covers(&permissions, &scope_of(grant.departments.as_ref())) {
        return Err(GrantError::Exceeds);
    }
    let mut work = UnitOfWork::begin(state).await?;
    let revoked = if role == BuiltInRole::Owner.as_str() {
        revoke_role_keeping_one(work.db(), user_id, role).await.map_err(|error| match error {
            StoreError::Conflict(why) => GrantError::Refused(why),
            other => GrantError::Store(other),
        })?
    } else {
        revoke_row(work.db(), user_id, role).await?
    };
    if !revoked {
        return Err(GrantError::NotFound);
    }
    work.record(grant_event(principal, client, user_id, role, "revoked", grant.departments));
    work.commit().await?;
    Ok(())
}

/// What a role permits: built in, or custom ([`GrantError::NotFound`] for neither).
pub(crate) async fn permissions_of_role(
    state: &AppState,
    role: &str,
) -> Result<PermissionSet, GrantError> {
    if let Some(built_in) = BuiltInRole::parse(role) {
        return Ok(built_in.permissions());
    }
    let found = find_custom_roles(&state.db, &[role.to_owned()]).await?;
    found.first().map(|row| custom_role_permissions(&row.permissions)).ok_or(GrantError::NotFound)
}

pub(crate) fn scope_of(departments: Option<&Vec<String>>) -> DepartmentScope {
    match departments {
        None => DepartmentScope::All,
        Some(listed) => DepartmentScope::Only(listed.iter().cloned().collect()),
    }
}

fn grant_event(
    principal: &Principal,
    client: &ClientContext,
    user_id: Uuid,
    role: &str,
    change: &str,
    departments: Option<Vec<String>>,
) -> AuditEvent {
    AuditEvent::success(AuditAction::PrivilegePermissionsChanged)
        .by(principal, client)
        .target(format!("user:{user_id}"))
        .detail("change", change)
        .detail("role", role)
        .detail("departments", departments.map_or(serde_json::json!("all"), Into::into))
}
