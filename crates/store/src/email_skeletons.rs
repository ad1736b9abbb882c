//! Look-alike e-mail addresses: a blind index of each account address's confusable skeleton
//! (Unicode TS #39, `rampart_domain::Email::skeleton`), unique, so that `аdmin@example.com`
//! (Cyrillic а) cannot become a second account beside `admin@example.com`. Kept apart from
//! [`crate::users::UserRow`]: it is written with the account, and filled in for accounts made
//! before it existed (`users.email_skeleton_index` is NULL until then, or for the later of two
//! accounts that already looked alike).

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Users {
    Table,
    Id,
    EmailSkeletonIndex,
}

/// Sets the account's skeleton index; [`StoreError::Duplicate`] when another account's address
/// looks the same.
pub async fn set_email_skeleton(
    db: &impl Executor,
    user_id: Uuid,
    digest: Vec<u8>,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .value(Users::EmailSkeletonIndex, digest)
        .and_where(Expr::col(Users::Id).eq(user_id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// The account whose address's skeleton index is one of `digests` (one per key version).
pub async fn find_user_by_email_skeleton(
    db: &impl Executor,
    digests: &[Vec<u8>],
) -> Result<Option<Uuid>, StoreError> {
    let query = Query::select()
        .column(Users::Id)
        .from(Users::Table)
        .and_where(Expr::col(Users::EmailSkeletonIndex).is_in(digests.iter().cloned()))
        .limit(1)
        .to_owned();
    Ok(db.fetch_optional::<(Uuid,)>(&query).await?.map(|(id,)| id))
}

/// Up to `limit` accounts after `after` (by id) that have no skeleton index yet.
pub async fn list_users_without_skeleton(
    db: &impl Executor,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Uuid>, StoreError> {
    let mut query = Query::select();
    query
        .column(Users::Id)
        .from(Users::Table)
        .and_where(Expr::col(Users::EmailSkeletonIndex).is_null())
        .order_by(Users::Id, Order::Asc)
        .limit(limit);
    if let Some(after) = after {
        query.and_where(Expr::col(Users::Id).gt(after));
    }
    Ok(db.fetch_all::<(Uuid,)>(&query).await?.into_iter().map(|(id,)| id).collect())
}
