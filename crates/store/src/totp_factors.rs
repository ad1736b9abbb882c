//! The `totp_factors` table: one authenticator per user, its secret as ciphertext (encrypted
//! above the store). A code is accepted only through [`spend_totp_step`] or
//! [`confirm_totp_factor`], whose conditional UPDATE raises `last_used_step`: two requests racing
//! with one code cannot both succeed, on one instance or several.

use sea_query::{Cond, Expr, ExprTrait, Iden, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum TotpFactors {
    Table,
    UserId,
    SecretCiphertext,
    CreatedAt,
    ConfirmedAt,
    LastUsedStep,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpFactorRow {
    pub user_id: Uuid,
    pub secret_ciphertext: Vec<u8>,
    pub created_at: OffsetDateTime,
    /// `None` while the enrolment waits for its first code.
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_used_step: Option<i64>,
}

const COLUMNS: [TotpFactors; 5] = [
    TotpFactors::UserId,
    TotpFactors::SecretCiphertext,
    TotpFactors::CreatedAt,
    TotpFactors::ConfirmedAt,
    TotpFactors::LastUsedStep,
];

/// Starts (or restarts) an enrolment: an unconfirmed secret replaces an unconfirmed one.
/// [`StoreError::Duplicate`] when the user already has a confirmed authenticator.
pub async fn insert_pending_totp_factor(
    db: &impl Executor,
    user_id: Uuid,
    secret_ciphertext: &[u8],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let discard = Query::delete()
        .from_table(TotpFactors::Table)
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .and_where(Expr::col(TotpFactors::ConfirmedAt).is_null())
        .to_owned();
    db.execute(&discard).await?;
    let insert = Query::insert()
        .into_table(TotpFactors::Table)
        .columns([TotpFactors::UserId, TotpFactors::SecretCiphertext, TotpFactors::CreatedAt])
        .values_panic([user_id.into(), secret_ciphertext.to_vec().into(), now.into()])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn find_totp_factor(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<Option<TotpFactorRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(TotpFactors::Table)
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .to_owned();
    db.fetch_optional(&query).await
}

/// The condition that makes `step` spendable: later than every step accepted before.
fn step_is_new(step: i64) -> Cond {
    Cond::any()
        .add(Expr::col(TotpFactors::LastUsedStep).is_null())
        .add(Expr::col(TotpFactors::LastUsedStep).lt(step))
}

/// Confirms a pending enrolment with the step its first code matched. `false` when there is no
/// pending enrolment, or the step was spent already (the enrolment code counts as a use).
pub async fn confirm_totp_factor(
    db: &impl Executor,
    user_id: Uuid,
    step: i64,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(TotpFactors::Table)
        .value(TotpFactors::ConfirmedAt, now)
        .value(TotpFactors::LastUsedStep, step)
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .and_where(Expr::col(TotpFactors::ConfirmedAt).is_null())
        .cond_where(step_is_new(step))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Spends `step` of a confirmed authenticator. `false` when that step (or a later one) was
/// accepted before: a replayed code, or a concurrent request that spent it first.
pub async fn spend_totp_step(
    db: &impl Executor,
    user_id: Uuid,
    step: i64,
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(TotpFactors::Table)
        .value(TotpFactors::LastUsedStep, step)
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .and_where(Expr::col(TotpFactors::ConfirmedAt).is_not_null())
        .cond_where(step_is_new(step))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}

/// Removes the user's authenticator, confirmed or not. Returns whether there was a confirmed one.
pub async fn delete_totp_factor(db: &impl Executor, user_id: Uuid) -> Result<bool, StoreError> {
    let confirmed = find_totp_factor(db, user_id).await?.is_some_and(|f| f.confirmed_at.is_some());
    let delete = Query::delete()
        .from_table(TotpFactors::Table)
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .to_owned();
    db.execute(&delete).await?;
    Ok(confirmed)
}

/// Every authenticator, for the re-encryption job.
pub async fn list_totp_factors(db: &impl Executor) -> Result<Vec<TotpFactorRow>, StoreError> {
    let query = Query::select().columns(COLUMNS).from(TotpFactors::Table).to_owned();
    db.fetch_all(&query).await
}

/// Replaces a secret's ciphertext (re-encryption under the newest key), only if it is unchanged.
pub async fn update_totp_secret(
    db: &impl Executor,
    user_id: Uuid,
    old_ciphertext: &[u8],
    new_ciphertext: &[u8],
) -> Result<bool, StoreError> {
    let update = Query::update()
        .table(TotpFactors::Table)
        .value(TotpFactors::SecretCiphertext, new_ciphertext.to_vec())
        .and_where(Expr::col(TotpFactors::UserId).eq(user_id))
        .and_where(Expr::col(TotpFactors::SecretCiphertext).eq(old_ciphertext.to_vec()))
        .to_owned();
    Ok(db.execute(&update).await? == 1)
}
