//! The `passkeys` table: a user's WebAuthn credentials, each with a name. The credential itself
//! (public key, counter) is webauthn-rs's JSON, kept as text; nothing in it is secret.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    Name,
    CredentialId,
    Passkey,
    CreatedAt,
    LastUsedAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub credential_id: Vec<u8>,
    pub passkey: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

const COLUMNS: [Passkeys; 7] = [
    Passkeys::Id,
    Passkeys::UserId,
    Passkeys::Name,
    Passkeys::CredentialId,
    Passkeys::Passkey,
    Passkeys::CreatedAt,
    Passkeys::LastUsedAt,
];

/// [`StoreError::Duplicate`] when the credential is registered already (to anyone).
pub async fn insert_passkey(db: &impl Executor, row: &PasskeyRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Passkeys::Table)
        .columns(COLUMNS)
        .values_panic([
            row.id.into(),
            row.user_id.into(),
            row.name.clone().into(),
            row.credential_id.clone().into(),
            row.passkey.clone().into(),
            row.created_at.into(),
            row.last_used_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// A user's passkeys, oldest first.
pub async fn list_passkeys_of_user(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<Vec<PasskeyRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Passkeys::Table)
        .and_where(Expr::col(Passkeys::UserId).eq(user_id))
        .order_by(Passkeys::CreatedAt, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

pub async fn count_passkeys_of_user(db: &impl Executor, user_id: Uuid) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(Passkeys::Id)))
        .from(Passkeys::Table)
        .and_where(Expr::col(Passkeys::UserId).eq(user_id))
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&query).await?.map_or(0, |(count,)| count))
}

/// After a use: the credential's new state (counter) and when.
pub async fn record_passkey_use(
    db: &impl Executor,
    id: Uuid,
    passkey: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Passkeys::Table)
        .value(Passkeys::Passkey, passkey)
        .value(Passkeys::LastUsedAt, at)
        .and_where(Expr::col(Passkeys::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// Renames one of the user's passkeys; `false` when it is not theirs.
pub async fn rename_passkey(
    db: &impl Executor,
    user_id: Uuid,
    id: Uuid,
    name: &str,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Passkeys::Table)
        .value(Passkeys::Name, name)
        .and_where(Expr::col(Passkeys::Id).eq(id))
        .and_where(Expr::col(Passkeys::UserId).eq(user_id))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Removes one of the user's passkeys, or all of them with `id = None`; returns how many.
pub async fn delete_passkeys(
    db: &impl Executor,
    user_id: Uuid,
    id: Option<Uuid>,
) -> Result<u64, StoreError> {
    let mut delete = Query::delete();
    delete.from_table(Passkeys::Table).and_where(Expr::col(Passkeys::UserId).eq(user_id));
    if let Some(id) = id {
        delete.and_where(Expr::col(Passkeys::Id).eq(id));
    }
    db.execute(&delete).await
}
