//! Who may do what, where: a principal's role grants, each scoped to all departments or to
//! listed ones, and the rules built on them.
//!
//! A permission is held *in* departments: staff granted in `sales` hold `records:read` in sales
//! only. [`Grants::holds`] answers "anywhere" (the function level: may this route be called at
//! all), [`Grants::holds_in`] answers for one department (the object level), and
//! [`Grants::covers`] whether a granter holds everything a grant would give, everywhere it would
//! give it ("nobody can grant more than they hold").

use std::collections::BTreeSet;

use crate::{BuiltInRole, Permission, PermissionSet};

/// A role as a principal holds it: one every installation has, or a custom role by its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    BuiltIn(BuiltInRole),
    Custom(String),
}

impl Role {
    /// A stored role name: a built-in role's, or a custom role's.
    pub fn named(name: &str) -> Self {
        BuiltInRole::parse(name).map_or_else(|| Self::Custom(name.to_owned()), Self::BuiltIn)
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::BuiltIn(role) => role.as_str(),
            Self::Custom(name) => name,
        }
    }

    pub fn is(&self, role: BuiltInRole) -> bool {
        *self == Self::BuiltIn(role)
    }
}

impl AsRef<str> for Role {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartmentScope {
    All,
    /// Only these departments (by name). Empty after its last department was removed: the
    /// grant then gives nothing.
    Only(BTreeSet<String>),
}

impl DepartmentScope {
    pub fn includes(&self, department: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(departments) => departments.contains(department),
        }
    }

    /// Whether everything `other` reaches, `self` reaches too.
    pub fn includes_scope(&self, other: &DepartmentScope) -> bool {
        match (self, other) {
            (Self::All, _) => true,
            (Self::Only(_), Self::All) => false,
            (Self::Only(mine), Self::Only(theirs)) => theirs.is_subset(mine),
        }
    }
}

/// One role held, with what it grants and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub role: String,
    pub permissions: PermissionSet,
    pub scope: DepartmentScope,
}

/// Every role a principal holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(Vec<RoleGrant>);

impl Grants {
    pub fn new(grants: Vec<RoleGrant>) -> Self {
        Self(grants)
    }

    pub fn iter(&self) -> impl Iterator<Item = &RoleGrant> {
        self.0.iter()
    }

    /// The roles held.
    pub fn roles(&self) -> Vec<Role> {
        self.0.iter().map(|grant| Role::named(&grant.role)).collect()
    }

    /// The permissions held in at least one department.
    pub fn permissions(&self) -> PermissionSet {
        self.0
            .iter()
            .filter(|grant| grant.scope != DepartmentScope::Only(BTreeSet::new()))
            .flat_map(|grant| grant.permissions.iter())
            .collect()
    }

    /// Whether `permission` is held anywhere.
    pub fn holds(&self, permission: Permission) -> bool {
        self.permissions().contains(permission)
    }

    /// Whether `permission` is held in `department`.
    pub fn holds_in(&self, permission: Permission, department: &str) -> bool {
        self.0
            .iter()
            .any(|grant| grant.permissions.contains(permission) && grant.scope.includes(department))
    }

    /// Whether `permission` is held in every department (an unscoped grant).
    pub fn holds_everywhere(&self, permission: Permission) -> bool {
        self.0.iter().any(|grant| {
            grant.permissions.contains(permission) && grant.scope == DepartmentScope::All
        })
    }

    /// Where `permission` is held: the union of the scopes of the grants that give it.
    pub fn scope_of(&self, permission: Permission) -> DepartmentScope {
        let mut departments = BTreeSet::new();
        for grant in self.0.iter().filter(|grant| grant.permissions.contains(permission)) {
            match &grant.scope {
                DepartmentScope::All => return DepartmentScope::All,
                DepartmentScope::Only(listed) => departments.extend(listed.iter().cloned()),
            }
        }
        DepartmentScope::Only(departments)
    }

    /// Whether a holder of these grants may give `permissions` over `scope`: every one of them
    /// must be held over at least that scope.
    pub fn covers(&self, permissions: &PermissionSet, scope: &DepartmentScope) -> bool {
        permissions.iter().all(|permission| self.scope_of(permission).includes_scope(scope))
    }

    /// The same grants with every permission outside `allowed` removed (an API key's own list).
    pub fn restricted_to(&self, allowed: &PermissionSet) -> Grants {
        Grants(
            self.0
                .iter()
                .map(|grant| RoleGrant {
                    role: grant.role.clone(),
                    permissions: grant.permissions.intersection(allowed),
                    scope: grant.scope.clone(),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BuiltInRole;

    fn only(departments: &[&str]) -> DepartmentScope {
        DepartmentScope::Only(departments.iter().map(|d| (*d).to_owned()).collect())
    }

    fn staff_in(departments: &[&str]) -> RoleGrant {
        RoleGrant {
            role: "staff".into(),
            permissions: BuiltInRole::Staff.permissions(),
            scope: only(departments),
        }
    }

    #[test]
    fn staff_of_one_department_hold_records_read_there_and_nowhere_else() {
        let grants = Grants::new(vec![staff_in(&["sales"])]);
        assert!(grants.holds(Permission::RecordsRead));
        assert!(grants.holds_in(Permission::RecordsRead, "sales"));
        assert!(!grants.holds_in(Permission::RecordsRead, "hr"));
        assert!(!grants.holds_everywhere(Permission::RecordsRead));
    }

    #[test]
    fn a_grant_whose_departments_are_all_gone_gives_nothing() {
        let grants = Grants::new(vec![staff_in(&[])]);
        assert!(!grants.holds(Permission::RecordsRead));
        assert!(grants.permissions().is_empty());
    }

    #[test]
    fn scopes_of_several_grants_add_up() {
        let grants = Grants::new(vec![staff_in(&["sales"]), staff_in(&["support"])]);
        assert_eq!(grants.scope_of(Permission::RecordsRead), only(&["sales", "support"]));
        assert_eq!(grants.scope_of(Permission::AuditRead), only(&[]));
    }

    #[test]
    fn nobody_can_grant_more_than_they_hold() {
        let sales_staff = Grants::new(vec![staff_in(&["sales"])]);
        let staff = BuiltInRole::Staff.permissions();
        assert!(sales_staff.covers(&staff, &only(&["sales"])));
        assert!(!sales_staff.covers(&staff, &only(&["sales", "hr"])));
        assert!(!sales_staff.covers(&staff, &DepartmentScope::All));
        assert!(!sales_staff.covers(&BuiltInRole::Admin.permissions(), &only(&["sales"])));

        let owner = Grants::new(vec![RoleGrant {
            role: "owner".into(),
            permissions: BuiltInRole::Owner.permissions(),
            scope: DepartmentScope::All,
        }]);
        assert!(owner.covers(&BuiltInRole::Admin.permissions(), &DepartmentScope::All));
    }

    #[test]
    fn an_api_key_keeps_only_its_own_permissions_and_the_grants_scopes() {
        let grants = Grants::new(vec![staff_in(&["sales"])]);
        let key: PermissionSet = [Permission::RecordsRead].into_iter().collect();
        let restricted = grants.restricted_to(&key);
        assert!(restricted.holds_in(Permission::RecordsRead, "sales"));
        assert!(!restricted.holds(Permission::RecordsWrite));
        assert!(!restricted.holds_in(Permission::RecordsRead, "hr"));
    }
}
