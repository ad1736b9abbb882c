//! The `api_keys` table. Only a key's SHA-256 is stored; permissions and allowed networks are
//! space-separated lists whose meaning the server checks (`core/src/api_keys`).

use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum ApiKeys {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    Permissions,
    AllowedCidrs,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub permissions: String,
    pub allowed_cidrs: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

const COLUMNS: [ApiKeys; 10] = [
    ApiKeys::Id,
    ApiKeys::UserId,
    ApiKeys::Name,
    ApiKeys::TokenHash,
    ApiKeys::Permissions,
    ApiKeys::AllowedCidrs,
    ApiKeys::CreatedAt,
    ApiKeys::ExpiresAt,
    ApiKeys::LastUsedAt,
    ApiKeys::RevokedAt,
];

pub async fn insert_api_key(db: &impl Executor, key: &ApiKeyRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(ApiKeys::Table)
        .columns(COLUMNS)
        .values_panic([
            key.id.into(),
            key.user_id.into(),
            key.name.clone().into(),
            key.token_hash.clone().into(),
            key.permissions.clone().into(),
            key.allowed_cidrs.clone().into(),
            key.created_at.into(),
            key.expires_at.into(),
            key.last_used_at.into(),
            key.revoked_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn find_api_key_by_token_hash(
    db: &impl Executor,
    token_hash: &[u8],
) -> Result<Option<ApiKeyRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(ApiKeys::Table)
        .and_where(Expr::col(ApiKeys::TokenHash).eq(token_hash.to_vec()))
        .to_owned();
    db.fetch_optional(&query).await
}

pub async fn list_api_keys_of_user(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<Vec<ApiKeyRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(ApiKeys::Table)
        .and_where(Expr::col(ApiKeys::UserId).eq(user_id))
        .order_by(ApiKeys::CreatedAt, Order::Desc)
        .to_owned();
    db.fetch_all(&query).await
}

pub async fn record_api_key_use(
    db: &impl Executor,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(ApiKeys::Table)
        .value(ApiKeys::LastUsedAt, at)
        .and_where(Expr::col(ApiKeys::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// Revokes one key of `user_id` (any user's when `None`); returns whether an active key was
/// revoked.
pub async fn revoke_api_key(
    db: &impl Executor,
    id: Uuid,
    user_id: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<bool, StoreError> {
    let mut update = Query::update();
    update
        .table(ApiKeys::Table)
        .value(ApiKeys::RevokedAt, at)
        .and_where(Expr::col(ApiKeys::Id).eq(id))
        .and_where(Expr::col(ApiKeys::RevokedAt).is_null());
    if let Some(user_id) = user_id {
        update.and_where(Expr::col(ApiKeys::UserId).eq(user_id));
    }
    Ok(db.execute(&update).await? == 1)
}

/// Revokes every active key of everyone (containment); returns how many.
pub async fn revoke_all_api_keys(
    db: &impl Executor,
    at: OffsetDateTime,
) -> Result<u64, StoreError> {
    let update = Query::update()
        .table(ApiKeys::Table)
        .value(ApiKeys::RevokedAt, at)
        .and_where(Expr::col(ApiKeys::RevokedAt).is_null())
        .to_owned();
    db.execute(&update).await
}
