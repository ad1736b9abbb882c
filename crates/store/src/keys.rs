//! The `keys` table: data keys as stored, wrapped under the master key. The store never sees an
//! unwrapped key; `rampart_crypto` wraps and unwraps.

use sea_query::{Expr, ExprTrait, Iden, OnConflict, Order, Query};
use time::OffsetDateTime;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Keys {
    Table,
    Purpose,
    Version,
    Wrapped,
    CreatedAt,
}

/// One wrapped data key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredKey {
    pub purpose: String,
    pub version: i64,
    pub wrapped: Vec<u8>,
    pub created_at: OffsetDateTime,
}

/// Every stored key, by purpose then version.
pub async fn list_keys(db: &impl Executor) -> Result<Vec<StoredKey>, StoreError> {
    let query = Query::select()
        .columns([Keys::Purpose, Keys::Version, Keys::Wrapped, Keys::CreatedAt])
        .from(Keys::Table)
        .order_by(Keys::Purpose, Order::Asc)
        .order_by(Keys::Version, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Stores a new key version. Returns `false` when that purpose and version already exist (another
/// instance got there first); the caller then re-reads.
pub async fn insert_key(db: &impl Executor, key: &StoredKey) -> Result<bool, StoreError> {
    let insert = Query::insert()
        .into_table(Keys::Table)
        .columns([Keys::Purpose, Keys::Version, Keys::Wrapped, Keys::CreatedAt])
        .values_panic([
            key.purpose.clone().into(),
            key.version.into(),
            key.wrapped.clone().into(),
            key.created_at.into(),
        ])
        .on_conflict(OnConflict::columns([Keys::Purpose, Keys::Version]).do_nothing().to_owned())
        .to_owned();
    Ok(db.execute(&insert).await? == 1)
}

/// Replaces the wrapped bytes of every listed key in one transaction: all or none (used when the
/// master key changes).
pub async fn rewrap_keys(db: &impl Executor, keys: &[StoredKey]) -> Result<(), StoreError> {
    let updates: Vec<_> = keys
        .iter()
        .map(|key| {
            Query::update()
                .table(Keys::Table)
                .value(Keys::Wrapped, key.wrapped.clone())
                .and_where(Expr::col(Keys::Purpose).eq(key.purpose.clone()))
                .and_where(Expr::col(Keys::Version).eq(key.version))
                .to_owned()
        })
        .collect();
    let changed = db.execute_in_transaction(&updates).await?;
    if changed != keys.len() as u64 {
        return Err(StoreError::Conflict("the keys changed while they were being re-wrapped"));
    }
    Ok(())
}

/// Removes one key version (after re-encryption left no value using it).
pub async fn delete_key(db: &impl Executor, purpose: &str, version: i64) -> Result<(), StoreError> {
    let delete = Query::delete()
        .from_table(Keys::Table)
        .and_where(Expr::col(Keys::Purpose).eq(purpose))
        .and_where(Expr::col(Keys::Version).eq(version))
        .to_owned();
    db.execute(&delete).await.map(drop)
}
