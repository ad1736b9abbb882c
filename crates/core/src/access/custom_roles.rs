//! Custom roles: a name and a set of `resource:action` permissions. Creating or changing one
//! needs holding, in every department, each permission it names — a role can then be granted
//! anywhere without giving more than its maker holds. Changing one gives everyone holding it
//! the new permissions at once; one nobody holds can be deleted. Each change is one unit of work
//! with its `role_changed` event. (`roles:manage` and step-up are the route's to check first.)

use std::collections::BTreeSet;

use rampart_domain::records::CollectionName;
use rampart_domain::{AuditAction, BuiltInRole, DepartmentScope, Permission, PermissionSet};
use rampart_store::StoreError;
use rampart_store::roles::{
    CustomRoleRow, delete_custom_role, insert_custom_role, list_custom_roles, update_custom_role,
};

use super::custom_role_permissions;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

/// A role as listed: built in (fixed) or custom.
#[derive(Debug, Clone)]
pub struct RoleSummary {
    pub name: String,
    pub description: String,
    pub built_in: bool,
    pub permissions: PermissionSet,
}

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    /// Not acceptable; the message says why (422 at the HTTP edge).
    #[error("{0}")]
    Invalid(String),
    /// The role names a permission its maker does not hold everywhere.
    #[error("the caller does not hold every permission the role names")]
    Exceeds,
    #[error("no such custom role")]
    NotFound,
    #[error("{0}")]
    Taken(&'static str),
    /// Refused by the store: someone still holds it.
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every role: the built-in ones, then the custom ones.
pub async fn all_roles(state: &AppState) -> Result<Vec<RoleSummary>, RoleError> {
    let mut roles: Vec<RoleSummary> = BuiltInRole::ALL
        .into_iter()
        .map(|role| RoleSummary {
            name: role.as_str().to_owned(),
            description: String::new(),
            built_in: true,
            permissions: role.permissions(),
        })
        .collect();
    for row in list_custom_roles(&state.db).await? {
        roles.push(RoleSummary {
            permissions: custom_role_permissions(&row.permissions),
            name: row.name,
            description: row.description,
            built_in: false,
        });
    }
    Ok(roles)
}

/// Defines custom role `name` (a slug, not a built-in role's name).
pub async fn create_role(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<RoleSummary, RoleError> {
    // Role names follow the collection-name rule: a slug.
    let name = CollectionName::parse(name)
        .map_err(|problem| RoleError::Invalid(format!("name: {problem}")))?;
    if BuiltInRole::parse(name.as_str()).is_some() {
        return Err(RoleError::Taken("a built-in role has this name"));
    }
    let (description, permissions) = checked(principal, description, permissions)?;
    let row = row(state, name.as_str(), &description, &permissions);
    let mut work = UnitOfWork::begin(state).await?;
    insert_custom_role(work.db(), &row).await.map_err(|error| match error {
        StoreError::Duplicate => RoleError::Taken("a role with this name exists"),
        other => RoleError::Store(other),
    })?;
    work.record(change_event(principal, client, &row.name, "created", &permissions));
    work.commit().await?;
    Ok(RoleSummary { name: row.name, description, built_in: false, permissions })
}

/// Replaces custom role `name`'s description and permissions.
pub async fn change_role(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Result<(), RoleError> {
    let (description, permissions) = checked(principal, description, permissions)?;
    let row = row(state, name, &description, &permissions);
    let mut work = UnitOfWork::begin(state).await?;
    if !update_custom_role(work.db(), &row).await? {
        return Err(RoleError::NotFound);
    }
    work.record(change_event(principal, client, name, "changed", &permissions));
    work.commit().await?;
    Ok(())
}

/// Deletes custom role `name`, which nobody may hold.
pub async fn delete_role(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
) -> Result<(), RoleError> {
    let mut work = UnitOfWork::begin(state).await?;
    let deleted = delete_custom_role(work.db(), name).await.map_err(|error| match error {
        StoreError::Conflict(why) => RoleError::Refused(why),
        other => RoleError::Store(other),
    })?;
    if !deleted {
        return Err(RoleError::NotFound);
    }
    work.record(change_event(principal, client, name, "deleted", &PermissionSet::default()));
    work.commit().await?;
    Ok(())
}

/// The description trimmed and the permissions parsed, if the maker holds them everywhere.
fn checked(
    principal: &Principal,
    description: &str,
    names: &[String],
) -> Result<(String, PermissionSet), RoleError> {
    let mut permissions = PermissionSet::default();
    for name in names.iter().collect::<BTreeSet<_>>() {
        let permission = Permission::parse(name).ok_or_else(|| {
            RoleError::Invalid(format!("permissions: {name:?} is not a permission"))
        })?;
        permissions.extend([permission]);
    }
    if !principal.grants.covers(&permissions, &DepartmentScope::All) {
        return Err(RoleError::Exceeds);
    }
    let description = description.trim();
    if description.chars().count() > 500 || description.chars().any(char::is_control) {
        return Err(RoleError::Invalid("description: at most 500 characters".into()));
    }
    Ok((description.to_owned(), permissions))
}

fn row(
    state: &AppState,
    name: &str,
    description: &str,
    permissions: &PermissionSet,
) -> CustomRoleRow {
    let now = state.clock.now();
    CustomRoleRow {
        name: name.to_owned(),
        description: description.to_owned(),
        permissions: serde_json::Value::from(names(permissions)).to_string(),
        created_at: now,
        updated_at: now,
    }
}

/// The permissions' names, as stored and shown.
pub fn names(permissions: &PermissionSet) -> Vec<&'static str> {
    permissions.iter().map(Permission::as_str).collect()
}

fn change_event(
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    change: &str,
    permissions: &PermissionSet,
) -> AuditEvent {
    AuditEvent::success(AuditAction::RoleChanged)
        .by(principal, client)
        .target(format!("role:{name}"))
        .detail("change", change)
        .detail("permissions", names(permissions))
}
