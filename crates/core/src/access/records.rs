//! Where a permission on records is decided: for a caller, a collection and an action, which
//! records they reach (the object level) and whether they see or may set sensitive fields (the
//! field level). The function level — may this route be called at all — is the route table's.
//!
//! - Staff reach a collection through a grant of the action's permission in a department the
//!   collection is open to; in a department-scoped collection, only the records of those
//!   departments. A grant over all departments reaches everything.
//! - Customers (the `customer` role) reach only the records they own, in collections with
//!   `customer_access`.
//! - Nobody else reaches anything: the collection and its records answer 404, as if they did
//!   not exist, and the refusal is audited.
//! - Sensitive fields are shown only to a holder of `records:read_sensitive` where the record
//!   is; staff set them only under the same condition. A customer may set the sensitive fields
//!   of their own records (it is their data) but does not read them back.

use std::collections::BTreeSet;

use rampart_domain::{BuiltInRole, DepartmentScope, Permission};
use rampart_store::records::RecordRow;
pub use rampart_store::records::Visibility;

use crate::records::Collection;
use crate::sessions::Principal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordAction {
    Read,
    /// Create, change, delete, restore.
    Write,
}

impl RecordAction {
    fn permission(self) -> Permission {
        match self {
            Self::Read => Permission::RecordsRead,
            Self::Write => Permission::RecordsWrite,
        }
    }
}

/// The departments of `collection` where the caller holds `permission`; `None` for all.
fn staff_departments(
    principal: &Principal,
    collection: &Collection,
    permission: Permission,
) -> Option<BTreeSet<String>> {
    match principal.grants.scope_of(permission) {
        DepartmentScope::All => None,
        DepartmentScope::Only(departments) => {
            Some(departments.into_iter().filter(|d| collection.open_to(d)).collect())
        }
    }
}

/// Which records of `collection` the caller reaches for `action`; `None`: none at all.
pub fn visibility(
    principal: &Principal,
    collection: &Collection,
    action: RecordAction,
) -> Option<Visibility> {
    match staff_departments(principal, collection, action.permission()) {
        None => return Some(Visibility::All),
        Some(departments) if !departments.is_empty() => {
            return Some(if collection.department_scoped {
                Visibility::Departments(departments.into_iter().collect())
            } else {
                Visibility::All
            });
        }
        Some(_) => {}
    }
    (collection.customer_access
        && is_customer(principal)
        && principal.credential_allows(action.permission()))
    .then_some(Visibility::Owner(principal.user_id))
}

fn is_customer(principal: &Principal) -> bool {
    principal.roles.iter().any(|role| role.is(BuiltInRole::Customer))
}

/// Whether `record` is among what `visibility` reaches.
pub fn reaches(visibility: &Visibility, record: &RecordRow) -> bool {
    match visibility {
        Visibility::All => true,
        Visibility::Departments(departments) => {
            record.department.as_ref().is_some_and(|d| departments.contains(d))
        }
        Visibility::Owner(owner) => record.owner_id == Some(*owner),
    }
}

/// Whether the caller holds `records:read_sensitive` where a record of `department` is.
pub fn sees_sensitive(
    principal: &Principal,
    collection: &Collection,
    department: Option<&str>,
) -> bool {
    let permission = Permission::RecordsReadSensitive;
    match (collection.department_scoped, department) {
        (true, Some(department)) => {
            collection.open_to(department) && principal.grants.holds_in(permission, department)
        }
        (true, None) => principal.grants.holds_everywhere(permission),
        (false, _) => staff_departments(principal, collection, permission)
            .is_none_or(|departments| !departments.is_empty()),
    }
}

/// Whether the caller may set the sensitive fields of a record of `department` they reach
/// through `visibility`.
pub fn may_set_sensitive(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
    department: Option<&str>,
) -> bool {
    matches!(visibility, Visibility::Owner(_)) || sees_sensitive(principal, collection, department)
}

/// The departments a new record of the caller's may go to (department-scoped collections):
/// `None` for any of the collection's.
pub fn departments_for_new_record(
    principal: &Principal,
    collection: &Collection,
) -> Option<BTreeSet<String>> {
    staff_departments(principal, collection, Permission::RecordsWrite)
}

/// Whether the caller sees sensitive fields in every record `visibility` reaches: the condition
/// for filtering on one (a filter must not tell apart records whose fields the caller cannot
/// see).
pub fn sees_sensitive_everywhere(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
) -> bool {
    match visibility {
        Visibility::Owner(_) => false,
        Visibility::All if collection.department_scoped => {
            principal.grants.holds_everywhere(Permission::RecordsReadSensitive)
        }
        Visibility::All => sees_sensitive(principal, collection, None),
        Visibility::Departments(departments) => departments
            .iter()
            .all(|department| sees_sensitive(principal, collection, Some(department))),
    }
}
