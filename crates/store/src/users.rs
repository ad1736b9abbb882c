//! The `users` table as stored: an e-mail address appears only as ciphertext and blind index.
//! Encrypting, indexing and hashing happen above the store (`core/src/accounts`).

use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
pub(crate) enum Users {
    Table,
    Id,
    EmailCiphertext,
    EmailIndex,
    EmailIndexVersion,
    PasswordHash,
    Status,
    CreatedAt,
    EmailVerifiedAt,
    PasswordChangedAt,
}

/// One account row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email_ciphertext: Vec<u8>,
    pub email_index: Vec<u8>,
    pub email_index_version: i64,
    pub password_hash: Option<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    /// When the holder proved the address is theirs; sign-in needs it.
    pub email_verified_at: Option<OffsetDateTime>,
    pub password_changed_at: Option<OffsetDateTime>,
}

pub(crate) const COLUMNS: [Users; 9] = [
    Users::Id,
    Users::EmailCiphertext,
    Users::EmailIndex,
    Users::EmailIndexVersion,
    Users::PasswordHash,
    Users::Status,
    Users::CreatedAt,
    Users::EmailVerifiedAt,
    Users::PasswordChangedAt,
];

/// Inserts a new account; [`StoreError::Duplicate`] when the e-mail index is taken.
pub async fn insert_user(db: &impl Executor, user: &UserRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Users::Table)
        .columns(COLUMNS)
        .values_panic([
            user.id.into(),
            user.email_ciphertext.clone().into(),
            user.email_index.clone().into(),
            user.email_index_version.into(),
            user.password_hash.clone().into(),
            user.status.clone().into(),
            user.created_at.into(),
            user.email_verified_at.into(),
            user.password_changed_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// The account whose e-mail index is one of `digests` (one per blind-index key version).
pub async fn find_user_by_email_index(
    db: &impl Executor,
    digests: &[Vec<u8>],
) -> Result<Option<UserRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Users::Table)
        .and_where(Expr::col(Users::EmailIndex).is_in(digests.iter().cloned()))
        .limit(1)
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn find_user_by_id(db: &impl Executor, id: Uuid) -> Result<Option<UserRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Users::Table)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    db.fetch_optional(&query).await
}

/// Stores a fresh hash after a sign-in found the old one outdated.
pub async fn update_password_hash(
    db: &impl Executor,
    id: Uuid,
    password_hash: &str,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .value(Users::PasswordHash, password_hash)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// Up to `limit` accounts with an id after `after`, in id order: a cursor over the whole table.
pub async fn list_users_after(
    db: &impl Executor,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<UserRow>, StoreError> {
    let everyone = crate::user_directory::UserFilter::default();
    crate::user_directory::list_users_matching(db, &everyone, after, limit).await
}

/// Replaces an account's encrypted e-mail and its index, only if the ciphertext is still
/// `expected` (a concurrent change wins). Returns whether the row was changed.
pub async fn replace_email_encryption(
    db: &impl Executor,
    id: Uuid,
    expected: &[u8],
    ciphertext: Vec<u8>,
    index: Vec<u8>,
    index_version: i64,
) -> Result<bool, StoreError> {
    let update = email_update(id, ciphertext, index, index_version)
        .and_where(Expr::col(Users::EmailCiphertext).eq(expected.to_vec()))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Gives an account a new address (its ciphertext and index, the holder having proved it):
/// [`StoreError::Duplicate`] when another account has it. Returns whether the account exists.
pub async fn replace_email(
    db: &impl Executor,
    id: Uuid,
    ciphertext: Vec<u8>,
    index: Vec<u8>,
    index_version: i64,
) -> Result<bool, StoreError> {
    let update = email_update(id, ciphertext, index, index_version);
    Ok(db.execute(&update).await? == 1)
}

/// The statement that seals a new address (or the same under new keys) into account `id`.
fn email_update(
    id: Uuid,
    ciphertext: Vec<u8>,
    index: Vec<u8>,
    index_version: i64,
) -> sea_query::UpdateStatement {
    Query::update()
        .table(Users::Table)
        .values([
            (Users::EmailCiphertext, ciphertext.into()),
            (Users::EmailIndex, index.into()),
            (Users::EmailIndexVersion, index_version.into()),
        ])
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned()
}

/// Sets a new password hash chosen by the user (change or reset), with the time of the change.
pub async fn replace_password(
    db: &impl Executor,
    id: Uuid,
    password_hash: &str,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .values([
            (Users::PasswordHash, password_hash.into()),
            (Users::PasswordChangedAt, at.into()),
        ])
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// Makes the password unusable (forced reset): no hash, so every sign-in with a password fails
/// the way a wrong one does until a reset link sets a new one. Returns whether the account exists.
pub async fn clear_password(
    db: &impl Executor,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .values([
            (Users::PasswordHash, Option::<String>::None.into()),
            (Users::PasswordChangedAt, at.into()),
        ])
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Marks the address verified, once; returns whether it was unverified until now.
pub async fn mark_email_verified(
    db: &impl Executor,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .value(Users::EmailVerifiedAt, at)
        .and_where(Expr::col(Users::Id).eq(id))
        .and_where(Expr::col(Users::EmailVerifiedAt).is_null())
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Deletes an account: the schema's cascades take its sessions, keys, factors, grants and
/// pending changes with it. Returns whether it existed.
pub async fn delete_user(db: &impl Executor, id: Uuid) -> Result<bool, StoreError> {
    let delete =
        Query::delete().from_table(Users::Table).and_where(Expr::col(Users::Id).eq(id)).to_owned();
    Ok(db.execute(&delete).await? == 1)
}

/// Sets `active` or `disabled`; returns whether the account exists.
pub async fn set_user_status(
    db: &impl Executor,
    id: Uuid,
    status: &str,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(Users::Table)
        .value(Users::Status, status)
        .and_where(Expr::col(Users::Id).eq(id))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}
