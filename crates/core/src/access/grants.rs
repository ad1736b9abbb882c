//! A user's grants as the authorization rules see them: each role held (built-in, or custom
//! from `custom_roles`), what it permits, and in which departments.

use std::collections::BTreeSet;

use rampart_domain::{BuiltInRole, DepartmentScope, Grants, Permission, PermissionSet, RoleGrant};
use rampart_store::roles::{find_custom_roles, grants_of_user};
use rampart_store::{Db, StoreError};
use uuid::Uuid;

/// The permissions a custom role's stored list names. A name outside the vocabulary (a row
/// edited by hand, a permission since removed) is dropped: it grants nothing.
pub fn custom_role_permissions(stored: &str) -> PermissionSet {
    serde_json::from_str::<Vec<String>>(stored)
        .unwrap_or_default()
        .iter()
        .filter_map(|name| Permission::parse(name))
        .collect()
}

/// Every grant `user_id` holds. A role that is neither built in nor a custom role that exists
/// grants nothing.
pub async fn load_grants(db: &Db, user_id: Uuid) -> Result<Grants, StoreError> {
    let rows = grants_of_user(db, user_id).await?;
    let custom_names: Vec<String> = rows
        .iter()
        .filter(|row| BuiltInRole::parse(&row.role).is_none())
        .map(|row| row.role.clone())
        .collect();
    let custom = find_custom_roles(db, &custom_names).await?;
    let grants = rows
        .into_iter()
        .map(|row| {
            let permissions = match BuiltInRole::parse(&row.role) {
                Some(role) => role.permissions(),
                None => custom
                    .iter()
                    .find(|custom| custom.name == row.role)
                    .map(|custom| custom_role_permissions(&custom.permissions))
                    .unwrap_or_default(),
            };
            let scope = match row.departments {
                None => DepartmentScope::All,
                Some(listed) => DepartmentScope::Only(listed.into_iter().collect::<BTreeSet<_>>()),
            };
            RoleGrant { role: row.role, permissions, scope }
        })
        .collect();
    Ok(Grants::new(grants))
}
