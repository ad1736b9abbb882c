//! The `outbox` table: e-mail waiting for the delivery worker (`core/src/mail`).
//!
//! The store sees one ciphertext per message; encrypting and sending happen above it. Several
//! instances may run the worker on one database: a message is claimed with a conditional update
//! (only one claimant's update matches), and a claim that was not released by its holder expires
//! after its lease, so a crashed instance's messages are picked up again.
//!
//! Times are stored as whole seconds in UTC: SQLite keeps them as RFC 3339 text and compares them
//! as text, which orders correctly only when every value has the same shape (a fraction, or its
//! absence, would otherwise sort wrongly).

use sea_query::{Cond, Expr, ExprTrait, Func, Iden, Order, Query, UpdateStatement};
use time::{Duration, OffsetDateTime, UtcOffset};
use uuid::Uuid;

use crate::{Executor, StoreError};

#[derive(Iden)]
enum Outbox {
    Table,
    Id,
    MessageCiphertext,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
}

/// One queued message as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    /// Recipient, subject and body, encrypted together and bound to `id`.
    pub message_ciphertext: Vec<u8>,
    pub created_at: OffsetDateTime,
    /// Failed deliveries so far (not counting times the relay could not be reached).
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    /// Set while an instance is delivering it; a past value is an abandoned claim.
    pub claimed_until: Option<OffsetDateTime>,
    /// The kind of the last failure (e.g. `tls`, `permanent 550`), never the server's words.
    pub last_error: Option<String>,
}

const COLUMNS: [Outbox; 7] = [
    Outbox::Id,
    Outbox::MessageCiphertext,
    Outbox::CreatedAt,
    Outbox::Attempts,
    Outbox::NextAttemptAt,
    Outbox::ClaimedUntil,
    Outbox::LastError,
];

/// `time` as stored: whole seconds, UTC (see the module documentation).
fn stored(time: OffsetDateTime) -> OffsetDateTime {
    let utc = time.to_offset(UtcOffset::UTC);
    utc - Duration::nanoseconds(i64::from(utc.nanosecond()))
}

/// Queues a message, due at once.
pub async fn insert_outbox_message(
    db: &impl Executor,
    id: Uuid,
    message_ciphertext: Vec<u8>,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let now = stored(now);
    let insert = Query::insert()
        .into_table(Outbox::Table)
        .columns(COLUMNS)
        .values_panic([
            id.into(),
            message_ciphertext.into(),
            now.into(),
            0i64.into(),
            now.into(),
            None::<OffsetDateTime>.into(),
            None::<String>.into(),
        ])
        .to_owned();
    db.execute(&insert).await.map(drop)
}

/// Claims up to `limit` messages that are due and not claimed by a live lease, for `lease`.
/// Each row is taken by its own conditional update, so when instances race for a row exactly one
/// of them gets it; the rows returned are the ones this caller won.
pub async fn claim_due_outbox_messages(
    db: &impl Executor,
    now: OffsetDateTime,
    lease: Duration,
    limit: u64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let now = stored(now);
    let until = stored(now + lease);
    let due = Query::select()
        .columns(COLUMNS)
        .from(Outbox::Table)
        .and_where(Expr::col(Outbox::NextAttemptAt).lte(now))
        .cond_where(unclaimed(now))
        .order_by(Outbox::NextAttemptAt, Order::Asc)
        .order_by(Outbox::Id, Order::Asc)
        .limit(limit)
        .to_owned();
    let candidates: Vec<OutboxRow> = db.fetch_all(&due).await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for mut row in candidates {
        let claim = Query::update()
            .table(Outbox::Table)
            .value(Outbox::ClaimedUntil, until)
            .and_where(Expr::col(Outbox::Id).eq(row.id))
            .cond_where(unclaimed(now))
            .to_owned();
        if db.execute(&claim).await? == 1 {
            row.claimed_until = Some(until);
            claimed.push(row);
        }
    }
    Ok(claimed)
}

/// No claim, or one whose lease has run out.
fn unclaimed(now: OffsetDateTime) -> Cond {
    Cond::any()
        .add(Expr::col(Outbox::ClaimedUntil).is_null())
        .add(Expr::col(Outbox::ClaimedUntil).lt(now))
}

/// Removes a message (delivered, or given up). Returns whether it was there.
pub async fn delete_outbox_message(db: &impl Executor, id: Uuid) -> Result<bool, StoreError> {
    let delete = Query::delete()
        .from_table(Outbox::Table)
        .and_where(Expr::col(Outbox::Id).eq(id))
        .to_owned();
    Ok(db.execute(&delete).await? == 1)
}

/// After a failed delivery: one more attempt counted, due again at `next_attempt_at`, claim
/// released. `last_error` is a short kind, never the server's text (it may quote the address).
pub async fn reschedule_outbox_message(
    db: &impl Executor,
    id: Uuid,
    next_attempt_at: OffsetDateTime,
    last_error: &str,
) -> Result<bool, StoreError> {
    let mut update = unclaim(id);
    update
        .value(Outbox::Attempts, Expr::col(Outbox::Attempts).add(1))
        .value(Outbox::NextAttemptAt, stored(next_attempt_at))
        .value(Outbox::LastError, last_error);
    Ok(db.execute(&update).await? == 1)
}

/// Gives a claimed message back untried (the relay could not be reached, or the worker is
/// stopping): no attempt counted, due as before. `last_error` as for
/// [`reschedule_outbox_message`]; `None` keeps the previous one.
pub async fn release_outbox_message(
    db: &impl Executor,
    id: Uuid,
    last_error: Option<&str>,
) -> Result<bool, StoreError> {
    let mut update = unclaim(id);
    if let Some(last_error) = last_error {
        update.value(Outbox::LastError, last_error);
    }
    Ok(db.execute(&update).await? == 1)
}

/// An update of message `id` that ends its claim (more values may be added).
fn unclaim(id: Uuid) -> UpdateStatement {
    Query::update()
        .table(Outbox::Table)
        .value(Outbox::ClaimedUntil, None::<OffsetDateTime>)
        .and_where(Expr::col(Outbox::Id).eq(id))
        .to_owned()
}

/// Up to `limit` queued messages with an id after `after`, in id order: a cursor over the whole
/// queue (what key re-encryption and operators read).
pub async fn list_outbox_messages_after(
    db: &impl Executor,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let mut query = Query::select();
    query.columns(COLUMNS).from(Outbox::Table).order_by(Outbox::Id, Order::Asc).limit(limit);
    if let Some(after) = after {
        query.and_where(Expr::col(Outbox::Id).gt(after));
    }
    db.fetch_all(&query).await
}

/// Messages waiting in the outbox (for the `rampart_outbox_messages` metric).
pub async fn count_outbox_messages(db: &impl Executor) -> Result<i64, StoreError> {
    let query =
        Query::select().expr(Func::count(Expr::col(Outbox::Id))).from(Outbox::Table).to_owned();
    db.count(&query).await
}
