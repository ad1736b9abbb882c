//! What an invitation gives: roles × departments, checked as a grant is (`access/role_grants.rs`)
//! — each role exists, each department exists, and whoever gives it holds every permission of the
//! role over every department it covers — when the invitation is made, and again when it is
//! accepted (a role or department deleted, or an inviter who lost the right, in the meantime).

use std::collections::BTreeSet;

use rampart_domain::Grants;
use rampart_store::departments::existing_departments;
use serde::{Deserialize, Serialize};

use super::InvitationError;
use crate::AppState;
use crate::access::role_grants::{GrantError, permissions_of_role, scope_of};

/// At most this many roles in one invitation (there are few roles; a longer list is a mistake).
const MAX_GRANTS: usize = 16;

/// One role of an invitation, for all departments (`None`) or the listed ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitedGrant {
    pub role: String,
    pub departments: Option<Vec<String>>,
}

/// `grants` as stored: one role at most once, departments sorted and deduplicated, the roles in
/// name order. Refused when empty or too long, or when a role appears twice.
pub(super) fn normalize(grants: Vec<InvitedGrant>) -> Result<Vec<InvitedGrant>, InvitationError> {
    if grants.is_empty() || grants.len() > MAX_GRANTS {
        return Err(InvitationError::Invalid(format!("grants: 1 to {MAX_GRANTS} roles")));
    }
    let mut seen = BTreeSet::new();
    let mut normalized = Vec::with_capacity(grants.len());
    for grant in grants {
        if !seen.insert(grant.role.clone()) {
            return Err(InvitationError::Invalid(format!("grants: {:?} twice", grant.role)));
        }
        let departments = grant
            .departments
            .map(|listed| listed.into_iter().collect::<BTreeSet<_>>().into_iter().collect());
        normalized.push(InvitedGrant { role: grant.role, departments });
    }
    normalized.sort_by(|a, b| a.role.cmp(&b.role));
    Ok(normalized)
}

/// Whether `giver` may give every grant: each role exists, each department exists, and `giver`
/// holds what each role permits where it permits it. The refusal says which rule failed.
pub(super) async fn check(
    state: &AppState,
    giver: &Grants,
    grants: &[InvitedGrant],
) -> Result<(), GrantError> {
    for grant in grants {
        permissions_of_role(state, &grant.role).await?;
        if let Some(listed) = &grant.departments {
            let existing = existing_departments(&state.db, listed).await?;
            if let Some(missing) = listed.iter().find(|d| !existing.contains(d)) {
                return Err(GrantError::UnknownDepartment(missing.clone()));
            }
        }
    }
    if !covered(state, giver, grants).await? {
        return Err(GrantError::Exceeds);
    }
    Ok(())
}

/// Whether `giver` holds what each grant permits where it permits it (a role that no longer
/// exists permits nothing: taking it back needs nothing).
pub(super) async fn covered(
    state: &AppState,
    giver: &Grants,
    grants: &[InvitedGrant],
) -> Result<bool, GrantError> {
    for grant in grants {
        let permissions = match permissions_of_role(state, &grant.role).await {
            Err(GrantError::NotFound) => continue,
            other => other?,
        };
        if !giver.covers(&permissions, &scope_of(grant.departments.as_ref())) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The grants as the `invitations.grants` column holds them.
pub(super) fn to_column(grants: &[InvitedGrant]) -> String {
    serde_json::to_string(grants).unwrap_or_else(|_| "[]".to_owned())
}

/// The grants a stored row holds; a value that does not read as grants is refused, never read as
/// none.
pub(super) fn from_column(stored: &str) -> Result<Vec<InvitedGrant>, InvitationError> {
    let grants: Vec<InvitedGrant> = serde_json::from_str(stored)
        .map_err(|_| InvitationError::UnreadableRow("invitations.grants"))?;
    if grants.is_empty() {
        return Err(InvitationError::UnreadableRow("invitations.grants"));
    }
    Ok(grants)
}

/// The grants for an audit event's details (roles and departments are names, not secrets).
pub(super) fn to_detail(grants: &[InvitedGrant]) -> serde_json::Value {
    serde_json::to_value(grants).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: &str, departments: Option<&[&str]>) -> InvitedGrant {
        InvitedGrant {
            role: role.to_owned(),
            departments: departments.map(|d| d.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn grants_are_stored_in_one_form_and_read_back_the_same() {
        let given =
            vec![grant("staff", Some(&["sales", "support", "sales"])), grant("admin", None)];
        let stored = normalize(given).unwrap();
        assert_eq!(stored, vec![grant("admin", None), grant("staff", Some(&["sales", "support"]))]);
        assert_eq!(from_column(&to_column(&stored)).unwrap(), stored);
    }

    #[test]
    fn an_empty_list_a_role_twice_or_an_unreadable_column_is_refused() {
        assert!(normalize(Vec::new()).is_err());
        assert!(normalize(vec![grant("staff", None), grant("staff", Some(&["sales"]))]).is_err());
        assert!(from_column("[]").is_err());
        assert!(from_column(r#"[{"role":"staff","departments":null,"extra":1}]"#).is_err());
        assert!(from_column("not json").is_err());
    }
}
