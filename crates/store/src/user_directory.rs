//! The user list of administrators: accounts narrowed by address (its blind index: the store
//! never sees an address), role, department and status, a page at a time in id order.

use sea_query::{Expr, ExprTrait, Iden, Order, Query, SelectStatement};
use uuid::Uuid;

use crate::users::{COLUMNS, UserRow, Users};
use crate::{Executor, StoreError};

#[derive(Iden)]
enum UserRoles {
    Table,
    UserId,
    Role,
}

#[derive(Iden)]
enum UserRoleDepartments {
    Table,
    UserId,
    Role,
    Department,
}

/// What the list is narrowed to; `None` narrows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// The blind indexes of one address (one per key version).
    pub email_digests: Option<Vec<Vec<u8>>>,
    /// Holders of this role.
    pub role: Option<String>,
    /// Holders of a grant that lists this department (a grant over every department, such as
    /// an administrator's or a customer's, lists none: it would put everyone everywhere).
    pub department: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
}

/// Up to `limit` accounts matching `filter` with an id after `after`, in id order.
pub async fn list_users_matching(
    db: &impl Executor,
    filter: &UserFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<UserRow>, StoreError> {
    let mut query = Query::select();
    query.columns(COLUMNS).from(Users::Table).order_by(Users::Id, Order::Asc).limit(limit);
    if let Some(after) = after {
        query.and_where(Expr::col(Users::Id).gt(after));
    }
    if let Some(digests) = &filter.email_digests {
        query.and_where(Expr::col(Users::EmailIndex).is_in(digests.iter().cloned()));
    }
    if let Some(status) = &filter.status {
        query.and_where(Expr::col(Users::Status).eq(status.as_str()));
    }
    if filter.role.is_some() || filter.department.is_some() {
        query.and_where(Expr::col((Users::Table, Users::Id)).in_subquery(holders(filter)));
    }
    db.fetch_all(&query).await
}

/// The ids of users holding a grant of `filter.role` (any role when none) that lists
/// `filter.department` (any grant when none).
fn holders(filter: &UserFilter) -> SelectStatement {
    let mut grants = Query::select();
    grants.column((UserRoles::Table, UserRoles::UserId)).from(UserRoles::Table);
    if let Some(role) = &filter.role {
        grants.and_where(Expr::col((UserRoles::Table, UserRoles::Role)).eq(role.as_str()));
    }
    if let Some(department) = &filter.department {
        let listing = Query::select()
            .expr(Expr::val(1))
            .from(UserRoleDepartments::Table)
            .and_where(
                Expr::col((UserRoleDepartments::Table, UserRoleDepartments::UserId))
                    .equals((UserRoles::Table, UserRoles::UserId)),
            )
            .and_where(
                Expr::col((UserRoleDepartments::Table, UserRoleDepartments::Role))
                    .equals((UserRoles::Table, UserRoles::Role)),
            )
            .and_where(
                Expr::col((UserRoleDepartments::Table, UserRoleDepartments::Department))
                    .eq(department.as_str()),
            )
            .to_owned();
        grants.and_where(Expr::exists(listing));
    }
    grants
}
