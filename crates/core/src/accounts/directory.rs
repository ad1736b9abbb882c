//! The user list of administrators (`users:manage`): accounts narrowed by exact address, role,
//! department and status, in pages. The address is looked up through its blind index (under
//! every key version), never by decrypting and scanning; only the page's rows are decrypted.

use rampart_store::roles::{GrantRow, grants_of_user};
use rampart_store::user_directory::{UserFilter, list_users_matching};
use uuid::Uuid;

use super::{Account, AccountError, AccountStatus, email_digests, open_account};
use crate::AppState;
use rampart_domain::Email;

/// What the list is narrowed to; `None` narrows nothing.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub email: Option<Email>,
    pub role: Option<String>,
    pub department: Option<String>,
    pub status: Option<AccountStatus>,
}

/// One account of the list, with its grants.
#[derive(Debug, Clone)]
pub struct ListedUser {
    pub account: Account,
    pub grants: Vec<GrantRow>,
}

/// Up to `limit` accounts matching `query` with an id after `after`, in id order, and whether
/// more follow.
pub async fn list_users(
    state: &AppState,
    query: &UserQuery,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<ListedUser>, bool), AccountError> {
    let keyring = state.keyring.current();
    let email_digests = query.email.as_ref().map(|e| email_digests(&keyring, e)).transpose()?;
    let filter = UserFilter {
        email_digests,
        role: query.role.clone(),
        department: query.department.clone(),
        status: query.status.map(|status| status.as_str().to_owned()),
    };
    let mut rows = list_users_matching(&state.db, &filter, after, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut listed = Vec::with_capacity(rows.len());
    for row in &rows {
        let account = open_account(state, &keyring, row).await?;
        let grants = grants_of_user(&state.db, row.id).await?;
        listed.push(ListedUser { account, grants });
    }
    Ok((listed, more))
}
