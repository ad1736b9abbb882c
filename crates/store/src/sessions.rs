//! The `sessions` table. A session is found by the SHA-256 of its token; the token itself is
//! never stored. Expiry is decided above the store (`core/src/sessions`), from these rows.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    AuthenticatedAt,
    Ip,
    UserAgent,
    Stage,
    Assurance,
    MfaFailures,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The absolute end, whatever the activity.
    pub expires_at: OffsetDateTime,
    /// When the holder last proved their password (sign-in or re-authentication).
    pub authenticated_at: OffsetDateTime,
    pub ip: String,
    pub user_agent: String,
    /// `mfa_pending` (good only for the second factor) or `full`.
    pub stage: String,
    /// How the holder proved who they are, e.g. `password`, `password+totp`, `passkey`.
    pub assurance: String,
    /// Wrong second-factor codes presented through this session.
    pub mfa_failures: i64,
}

const COLUMNS: [Sessions; 12] = [
    Sessions::Id,
    Sessions::TokenHash,
    Sessions::UserId,
    Sessions::CreatedAt,
    Sessions::LastSeenAt,
    Sessions::ExpiresAt,
    Sessions::AuthenticatedAt,
    Sessions::Ip,
    Sessions::UserAgent,
    Sessions::Stage,
    Sessions::Assurance,
    Sessions::MfaFailures,
];

pub async fn insert_session(db: &impl Executor, session: &SessionRow) -> Result<(), StoreError> {
    let insert = Query::insert()
        .into_table(Sessions::Table)
        .columns(COLUMNS)
        .values_panic([
            session.id.into(),
            session.token_hash.clone().into(),
            session.user_id.into(),
            session.created_at.into(),
            session.last_seen_at.into(),
            session.expires_at.into(),
            session.authenticated_at.into(),
            session.ip.clone().into(),
            session.user_agent.clone().into(),
            session.stage.clone().into(),
            session.assurance.clone().into(),
            session.mfa_failures.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

pub async fn find_session_by_token_hash(
    db: &impl Executor,
    token_hash: &[u8],
) -> Result<Option<SessionRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::TokenHash).eq(token_hash.to_vec()))
        .to_owned();
    db.fetch_optional(&query).await
}

/// A user's sessions, newest first (expired ones included: the caller filters).
pub async fn list_sessions_of_user(
    db: &impl Executor,
    user_id: Uuid,
) -> Result<Vec<SessionRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::UserId).eq(user_id))
        .order_by(Sessions::CreatedAt, Order::Desc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Records activity, for the idle timeout.
pub async fn touch_session(
    db: &impl Executor,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let update = Query::update()
        .table(Sessions::Table)
        .value(Sessions::LastSeenAt, at)
        .and_where(Expr::col(Sessions::Id).eq(id))
        .to_owned();
    db.execute(&update).await.map(drop)
}

/// Ends one session. With `user_id`, only if it is that user's. Returns whether one ended.
pub async fn delete_session(
    db: &impl Executor,
    id: Uuid,
    user_id: Option<Uuid>,
) -> Result<bool, StoreError> {
    let mut delete = Query::delete();
    delete.from_table(Sessions::Table).and_where(Expr::col(Sessions::Id).eq(id));
    if let Some(user_id) = user_id {
        delete.and_where(Expr::col(Sessions::UserId).eq(user_id));
    }
    Ok(db.execute(&delete).await? == 1)
}

/// Ends every session of `user_id`, or of everyone when `None`, except `keep`. Returns how many.
pub async fn delete_sessions(
    db: &impl Executor,
    user_id: Option<Uuid>,
    keep: Option<Uuid>,
) -> Result<u64, StoreError> {
    let mut delete = Query::delete();
    delete.from_table(Sessions::Table);
    if let Some(user_id) = user_id {
        delete.and_where(Expr::col(Sessions::UserId).eq(user_id));
    }
    if let Some(keep) = keep {
        delete.and_where(Expr::col(Sessions::Id).ne(keep));
    }
    db.execute(&delete).await
}

/// Removes sessions past their absolute end (housekeeping; expiry is enforced on every request).
pub async fn delete_sessions_expired_before(
    db: &impl Executor,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(Sessions::Table)
        .and_where(Expr::col(Sessions::ExpiresAt).lt(now))
        .to_owned();
    db.execute(&delete).await
}

/// Counts one wrong second-factor code against a session; returns the count after it.
pub async fn count_session_mfa_failure(db: &impl Executor, id: Uuid) -> Result<i64, StoreError> {
    let update = Query::update()
        .table(Sessions::Table)
        .value(Sessions::MfaFailures, Expr::col(Sessions::MfaFailures).add(1))
        .and_where(Expr::col(Sessions::Id).eq(id))
        .to_owned();
    db.execute(&update).await?;
    let query = Query::select()
        .column(Sessions::MfaFailures)
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::Id).eq(id))
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&query).await?.map_or(i64::MAX, |(count,)| count))
}

/// Sessions still usable at `now`: not expired, and seen after `idle_since` (coarse: SQLite
/// compares times to the second). For the `rampart_sessions_active` metric.
pub async fn count_live_sessions(
    db: &impl Executor,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> Result<i64, StoreError> {
    let query = Query::select()
        .expr(Func::count(Expr::col(Sessions::Id)))
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::ExpiresAt).gt(now))
        .and_where(Expr::col(Sessions::LastSeenAt).gt(idle_since))
        .to_owned();
    db.count(&query).await
}

/// Lockdown: ends every session but the signed-in ones of `keep_users` proved with more than a
/// password (`keep_assurance` lists the assurances kept); returns how many ended.
pub async fn delete_sessions_for_lockdown(
    db: &impl Executor,
    keep_users: &[Uuid],
    keep_assurance: &[&str],
) -> Result<u64, StoreError> {
    let kept = Expr::col(Sessions::UserId)
        .is_in(keep_users.iter().copied())
        .and(Expr::col(Sessions::Stage).eq("full"))
        .and(Expr::col(Sessions::Assurance).is_in(keep_assurance.iter().copied()));
    let delete = Query::delete().from_table(Sessions::Table).and_where(kept.not()).to_owned();
    db.execute(&delete).await
}
