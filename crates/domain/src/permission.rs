//! Permissions (`resource:action`) and the built-in roles that hold them.
//!
//! Deny by default: a principal may do only what one of its roles grants. Custom roles and
//! department scopes (`authorization.rs`) build on these; the names here are the stable
//! vocabulary that routes declare and that the audit trail records.

use std::collections::BTreeSet;
use std::fmt;

/// One thing a principal may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// End other users' sessions, disable accounts, list users.
    UsersManage,
    /// Read the audit trail.
    AuditRead,
    /// Open incidents, lock down, revoke everything.
    IncidentManage,
    /// Rotate data keys and the master key.
    KeysRotate,
    /// Create and restore backups.
    BackupsManage,
    /// Define collections.
    CollectionsManage,
    /// Grant and revoke roles.
    RolesManage,
    RecordsRead,
    RecordsReadSensitive,
    RecordsWrite,
}

impl Permission {
    pub const ALL: [Permission; 10] = [
        Self::UsersManage,
        Self::AuditRead,
        Self::IncidentManage,
        Self::KeysRotate,
        Self::BackupsManage,
        Self::CollectionsManage,
        Self::RolesManage,
        Self::RecordsRead,
        Self::RecordsReadSensitive,
        Self::RecordsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UsersManage => "users:manage",
            Self::AuditRead => "audit:read",
            Self::IncidentManage => "incident:manage",
            Self::KeysRotate => "keys:rotate",
            Self::BackupsManage => "backups:manage",
            Self::CollectionsManage => "collections:manage",
            Self::RolesManage => "roles:manage",
            Self::RecordsRead => "records:read",
            Self::RecordsReadSensitive => "records:read_sensitive",
            Self::RecordsWrite => "records:write",
        }
    }

    /// Parses `resource:action`; `None` for anything not in the vocabulary.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|permission| permission.as_str() == text)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles every installation has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltInRole {
    Owner,
    Admin,
    SecurityOfficer,
    Staff,
    Customer,
}

impl BuiltInRole {
    pub const ALL: [BuiltInRole; 5] =
        [Self::Owner, Self::Admin, Self::SecurityOfficer, Self::Staff, Self::Customer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::SecurityOfficer => "security_officer",
            Self::Staff => "staff",
            Self::Customer => "customer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// What the role grants. A customer holds no staff permission: it reaches only its own
    /// account and its own records.
    pub fn permissions(self) -> PermissionSet {
        use Permission as P;
        let granted: &[Permission] = match self {
            Self::Owner => &Permission::ALL,
            Self::Admin => &[
                P::UsersManage,
                P::RolesManage,
                P::CollectionsManage,
                P::BackupsManage,
                P::RecordsRead,
                P::RecordsWrite,
            ],
            Self::SecurityOfficer => {
                &[P::AuditRead, P::IncidentManage, P::KeysRotate, P::UsersManage]
            }
            Self::Staff => &[P::RecordsRead, P::RecordsWrite],
            Self::Customer => &[],
        };
        granted.iter().copied().collect()
    }

    /// Whether holding this role requires a second factor by default: the default of
    /// `mfa.required_roles`, which decides (a test holds the two together).
    pub fn requires_mfa(self) -> bool {
        matches!(self, Self::Owner | Self::Admin | Self::SecurityOfficer)
    }
}

/// The permissions a principal holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn contains(&self, permission: Permission) -> bool {
        self.0.contains(&permission)
    }

    /// Whether every permission of `other` is also in `self`.
    pub fn includes(&self, other: &PermissionSet) -> bool {
        other.0.is_subset(&self.0)
    }

    /// The permissions in both: what an API key may do is its own list cut down to what its
    /// creator holds now.
    pub fn intersection(&self, other: &PermissionSet) -> PermissionSet {
        PermissionSet(self.0.intersection(&other.0).copied().collect())
    }

    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Extend<Permission> for PermissionSet {
    fn extend<I: IntoIterator<Item = Permission>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_round_trips_through_its_name() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.as_str()), Some(permission));
        }
        assert_eq!(Permission::parse("users:everything"), None);
    }

    #[test]
    fn the_owner_holds_everything_and_a_customer_nothing() {
        let owner = BuiltInRole::Owner.permissions();
        assert!(Permission::ALL.iter().all(|p| owner.contains(*p)));
        assert!(BuiltInRole::Customer.permissions().is_empty());
    }

    #[test]
    fn an_intersection_never_holds_more_than_either_side() {
        let staff = BuiltInRole::Staff.permissions();
        let asked: PermissionSet =
            [Permission::RecordsRead, Permission::AuditRead].into_iter().collect();
        let granted = asked.intersection(&staff);
        assert!(granted.contains(Permission::RecordsRead));
        assert!(!granted.contains(Permission::AuditRead));
    }
}
