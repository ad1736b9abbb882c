//! Changes of e-mail address waiting for their link (`email_changes`): the new address as
//! ciphertext and blind index, the link as the SHA-256 of its token. Using a link marks it used
//! in the statement that finds it, so two requests racing with one link cannot both change the
//! address.

use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum EmailChanges {
    Table,
    TokenHash,
    UserId,
    EmailCiphertext,
    EmailIndex,
    EmailIndexVersion,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

/// What a change is read back as (every column but the link's hash and when it was used).
const CHANGE_COLUMNS: [EmailChanges; 6] = [
    EmailChanges::UserId,
    EmailChanges::EmailCiphertext,
    EmailChanges::EmailIndex,
    EmailChanges::EmailIndexVersion,
    EmailChanges::CreatedAt,
    EmailChanges::ExpiresAt,
];

/// A requested change: whose, to which address (sealed), until when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EmailChangeRow {
    pub user_id: Uuid,
    pub email_ciphertext: Vec<u8>,
    pub email_index: Vec<u8>,
    pub email_index_version: i64,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Stores a requested change under its link's hash, after making the user's earlier unused
/// links unusable (`at`): only the newest request can complete.
pub async fn insert_email_change(
    db: &impl Executor,
    change: &EmailChangeRow,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    let retire = Query::update()
        .table(EmailChanges::Table)
        .value(EmailChanges::UsedAt, change.created_at)
        .and_where(Expr::col(EmailChanges::UserId).eq(change.user_id))
        .and_where(Expr::col(EmailChanges::UsedAt).is_null())
        .to_owned();
    db.execute(&retire).await?;
    let insert = Query::insert()
        .into_table(EmailChanges::Table)
        .columns(CHANGE_COLUMNS.into_iter().chain([EmailChanges::TokenHash]))
        .values_panic([
            change.user_id.into(),
            change.email_ciphertext.clone().into(),
            change.email_index.clone().into(),
            change.email_index_version.into(),
            change.created_at.into(),
            change.expires_at.into(),
            token_hash.to_vec().into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Marks the unused link with this hash used and returns its change; `None` when there is no
/// such unused link. The caller still checks `expires_at`.
pub async fn use_email_change(
    db: &impl Executor,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Option<EmailChangeRow>, StoreError> {
    let update = Query::update()
        .table(EmailChanges::Table)
        .value(EmailChanges::UsedAt, now)
        .and_where(Expr::col(EmailChanges::TokenHash).eq(token_hash.to_vec()))
        .and_where(Expr::col(EmailChanges::UsedAt).is_null())
        .returning(Query::returning().columns(CHANGE_COLUMNS))
        .to_owned();
    db.fetch_optional(&update).await
}

/// Deletes changes that expired before `before`; returns how many.
pub async fn delete_email_changes_expired_before(
    db: &impl Executor,
    before: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(EmailChanges::Table)
        .and_where(Expr::col(EmailChanges::ExpiresAt).lt(before))
        .to_owned();
    db.execute(&delete).await
}

/// The e-mail ciphertext and blind-index version of every stored change (their key versions
/// stay while the rows do; they live days, so they are not re-encrypted).
pub async fn email_change_key_uses(db: &impl Executor) -> Result<Vec<(Vec<u8>, i64)>, StoreError> {
    let query = Query::select()
        .columns([EmailChanges::EmailCiphertext, EmailChanges::EmailIndexVersion])
        .from(EmailChanges::Table)
        .to_owned();
    db.fetch_all(&query).await
}
