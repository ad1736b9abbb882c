//! The `recovery_codes` table: only the SHA-256 of each code. A code is used by the conditional
//! UPDATE that sets `used_at`, so it works once even when two requests race with it.

use sea_query::{
    DeleteStatement, Expr, ExprTrait, Func, Iden, InsertStatement, Query, QueryBuilder,
};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum RecoveryCodes {
    Table,
    CodeHash,
    UserId,
    CreatedAt,
    UsedAt,
}

/// Replaces the user's codes with `hashes`, in one transaction: the old set stops working at the
/// moment the new one exists.
pub async fn replace_recovery_codes(
    db: &impl Executor,
    user_id: Uuid,
    hashes: &[[u8; 32]],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut insert = Query::insert();
    insert.into_table(RecoveryCodes::Table).columns([
        RecoveryCodes::CodeHash,
        RecoveryCodes::UserId,
        RecoveryCodes::CreatedAt,
    ]);
    for hash in hashes {
        insert.values_panic([hash.to_vec().into(), user_id.into(), now.into()]);
    }
    let statements = [Write::Delete(delete_statement(user_id)), Write::Insert(insert.to_owned())];
    db.execute_in_transaction(&statements).await.map(drop)
}

/// Uses one code of the user's. `false` when it is not one of theirs or was used before.
pub async fn use_recovery_code(
    db: &impl Executor,
    user_id: Uuid,
    hash: &[u8; 32],
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(RecoveryCodes::Table)
        .value(RecoveryCodes::UsedAt, now)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .and_where(Expr::col(RecoveryCodes::CodeHash).eq(hash.to_vec()))
        .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// How many of the user's codes are still unused.
pub async fn count_unused_recovery_codes(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(RecoveryCodes::CodeHash)))
        .from(RecoveryCodes::Table)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .and_where(Expr::col(RecoveryCodes::UsedAt).is_null())
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&query).await?.map_or(0, |(count,)| count))
}

/// Removes every code of the user's; returns how many there were.
pub async fn delete_recovery_codes(db: &impl Executor, user_id: Uuid) -> Result<u64, StoreError> {
    db.execute(&delete_statement(user_id)).await
}

fn delete_statement(user_id: Uuid) -> DeleteStatement {
    Query::delete()
        .from_table(RecoveryCodes::Table)
        .and_where(Expr::col(RecoveryCodes::UserId).eq(user_id))
        .to_owned()
}

/// The two kinds of statement a regeneration runs in one transaction.
enum Write {
    Delete(DeleteStatement),
    Insert(InsertStatement),
}

impl SqlxBinder for Write {
    fn build_sqlx<T: QueryBuilder>(&self, builder: T) -> (String, SqlxValues) {
        match self {
            Self::Delete(statement) => statement.build_sqlx(builder),
            Self::Insert(statement) => statement.build_sqlx(builder),
        }
    }
}
