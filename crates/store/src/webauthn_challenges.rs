//! The `webauthn_challenges` table: the server-side state of each WebAuthn ceremony in progress,
//! so that any instance can finish what another started. A challenge is taken once: the delete
//! that consumes it must remove the row, so two requests racing with one cannot both proceed.

use sea_query::{Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum WebauthnChallenges {
    Table,
    Id,
    UserId,
    Purpose,
    State,
    ExpiresAt,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChallengeRow {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    /// `register`, `second_factor` or `passwordless`.
    pub purpose: String,
    /// webauthn-rs's serialised ceremony state.
    pub state: String,
    pub expires_at: OffsetDateTime,
}

const COLUMNS: [WebauthnChallenges; 5] = [
    WebauthnChallenges::Id,
    WebauthnChallenges::UserId,
    WebauthnChallenges::Purpose,
    WebauthnChallenges::State,
    WebauthnChallenges::ExpiresAt,
];

pub async fn insert_challenge(db: &impl Executor, row: &ChallengeRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(WebauthnChallenges::Table)
        .columns(COLUMNS)
        .values_panic([
            row.id.into(),
            row.user_id.into(),
            row.purpose.clone().into(),
            row.state.clone().into(),
            row.expires_at.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Takes the challenge `id` for `purpose` once: the row is deleted, and returned only if this
/// call deleted it and it had not expired at `now`.
pub async fn take_challenge(
    db: &impl Executor,
    id: Uuid,
    purpose: &str,
    now: OffsetDateTime,
) -> Result<Option<ChallengeRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(WebauthnChallenges::Table)
        .and_where(Expr::col(WebauthnChallenges::Id).eq(id))
        .and_where(Expr::col(WebauthnChallenges::Purpose).eq(purpose))
        .to_owned();
    let Some(row) = db.fetch_optional::<ChallengeRow>(&query).await? else { return Ok(None) };
    let delete = Query::delete()
        .from_table(WebauthnChallenges::Table)
        .and_where(Expr::col(WebauthnChallenges::Id).eq(id))
        .to_owned();
    let taken = db.execute(&delete).await? == 1;
    Ok((taken && row.expires_at > now).then_some(row))
}

/// Housekeeping: removes challenges that expired before `now`.
pub async fn delete_expired_challenges(
    db: &impl Executor,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(WebauthnChallenges::Table)
        .and_where(Expr::col(WebauthnChallenges::ExpiresAt).lt(now))
        .to_owned();
    db.execute(&delete).await
}
