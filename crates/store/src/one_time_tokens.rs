//! Single-use links: the first owner's bootstrap link, e-mail verification, password reset.
//! Only the SHA-256 of a token is stored; using one marks it used in the same statement that
//! finds it, so two requests racing with one token cannot both succeed.

use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum OneTimeTokens {
    Table,
    TokenHash,
    Purpose,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Bootstrap,
    VerifyEmail,
    PasswordReset,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Bootstrap => "bootstrap",
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// What a used token was for.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UsedToken {
    pub user_id: Option<Uuid>,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_one_time_token(
    db: &impl Executor,
    token_hash: &[u8],
    purpose: TokenPurpose,
    user_id: Option<Uuid>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(OneTimeTokens::Table)
        .columns([
            OneTimeTokens::TokenHash,
            OneTimeTokens::Purpose,
            OneTimeTokens::UserId,
            OneTimeTokens::CreatedAt,
            OneTimeTokens::ExpiresAt,
        ])
        .values_panic([
            token_hash.to_vec().into(),
            purpose.as_str().into(),
            user_id.into(),
            created_at.into(),
            expires_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Marks the unused token with this hash and purpose used, and says what it was for; `None` when
/// there is no such unused token. The caller still checks `expires_at`.
pub async fn use_one_time_token(
    db: &impl Executor,
    token_hash: &[u8],
    purpose: TokenPurpose,
    now: OffsetDateTime,
) -> Result<Option<UsedToken>, StoreError> {
    let update = Query::update()
        .table(OneTimeTokens::Table)
        .value(OneTimeTokens::UsedAt, now)
        .and_where(Expr::col(OneTimeTokens::TokenHash).eq(token_hash.to_vec()))
        .and_where(Expr::col(OneTimeTokens::Purpose).eq(purpose.as_str()))
        .and_where(Expr::col(OneTimeTokens::UsedAt).is_null())
        .returning(Query::returning().columns([OneTimeTokens::UserId, OneTimeTokens::ExpiresAt]))
        .to_owned();
    db.fetch_optional(&update).await
}

/// The unused token with this hash and purpose, without using it up: a use case that must do
/// slow work (hash a new password) before the unit of work that uses the token looks first.
pub async fn find_unused_one_time_token(
    db: &impl Executor,
    token_hash: &[u8],
    purpose: TokenPurpose,
) -> Result<Option<UsedToken>, StoreError> {
    let query = Query::select()
        .columns([OneTimeTokens::UserId, OneTimeTokens::ExpiresAt])
        .from(OneTimeTokens::Table)
        .and_where(Expr::col(OneTimeTokens::TokenHash).eq(token_hash.to_vec()))
        .and_where(Expr::col(OneTimeTokens::Purpose).eq(purpose.as_str()))
        .and_where(Expr::col(OneTimeTokens::UsedAt).is_null())
        .to_owned();
    db.fetch_optional(&query).await
}

/// Makes every unused token of `purpose` for `user_id` (or with no user, for bootstrap) unusable:
/// a new link replaces the old ones.
pub async fn revoke_one_time_tokens(
    db: &impl Executor,
    purpose: TokenPurpose,
    user_id: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut update = Query::update();
    update
        .table(OneTimeTokens::Table)
        .value(OneTimeTokens::UsedAt, now)
        .and_where(Expr::col(OneTimeTokens::Purpose).eq(purpose.as_str()))
        .and_where(Expr::col(OneTimeTokens::UsedAt).is_null());
    match user_id {
        Some(user_id) => update.and_where(Expr::col(OneTimeTokens::UserId).eq(user_id)),
        None => update.and_where(Expr::col(OneTimeTokens::UserId).is_null()),
    };
    db.execute(&update).await.map(drop)
}

/// When each unused, unexpired token of `purpose` expires, latest first: a link that still works
/// (`rampart doctor` reports an open bootstrap link).
pub async fn list_open_one_time_tokens(
    db: &impl Executor,
    purpose: TokenPurpose,
    now: OffsetDateTime,
) -> Result<Vec<OffsetDateTime>, StoreError> {
    let query = Query::select()
        .column(OneTimeTokens::ExpiresAt)
        .from(OneTimeTokens::Table)
        .and_where(Expr::col(OneTimeTokens::Purpose).eq(purpose.as_str()))
        .and_where(Expr::col(OneTimeTokens::UsedAt).is_null())
        .and_where(Expr::col(OneTimeTokens::ExpiresAt).gt(now))
        .order_by(OneTimeTokens::ExpiresAt, sea_query::Order::Desc)
        .to_owned();
    Ok(db.fetch_all::<(OffsetDateTime,)>(&query).await?.into_iter().map(|(at,)| at).collect())
}
