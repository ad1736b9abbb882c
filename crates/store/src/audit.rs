//! The audit trail: a hash chain of events (`audit_events`), its head (`audit_head`) and signed
//! checkpoints (`audit_checkpoints`). The hashing and signing happen in `rampart_crypto`, through
//! the closures the caller passes; this module makes each append atomic and serialised.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query, SelectStatement};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::AuditHalted;
use crate::{Engine, Executor, StoreError};

#[derive(Iden)]
pub(crate) enum AuditEvents {
    Table,
    Seq,
    At,
    Action,
    Outcome,
    ActorUserId,
    Ip,
    UserAgent,
    SessionHash,
    Target,
    Details,
    PrevHash,
    Hash,
}

#[derive(Iden)]
pub(crate) enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
    CheckpointedSeq,
    BrokenSeq,
}

/// Every column of the head, as [`ChainHead`] reads it.
pub(crate) const HEAD_COLUMNS: [AuditHead; 4] =
    [AuditHead::Seq, AuditHead::Hash, AuditHead::CheckpointedSeq, AuditHead::BrokenSeq];

#[derive(Iden)]
enum AuditCheckpoints {
    Table,
    TreeSize,
    HeadHash,
    At,
    KeyVersion,
    Signature,
}

/// What an event says, as written.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    /// Truncated to the microsecond by the caller: what is hashed must be what is read back.
    pub at: OffsetDateTime,
    pub action: String,
    pub outcome: String,
    pub actor_user_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub session_hash: Option<String>,
    pub target: Option<String>,
    /// A JSON object.
    pub details: String,
}

/// A stored event with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    #[sqlx(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Where the chain ends.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: Vec<u8>,
    /// The tree size of the newest checkpoint.
    pub checkpointed_seq: i64,
    /// Set when verification found the chain broken here: nothing is appended (nor signed) until
    /// an operator starts a new segment (`audit_segments.rs`).
    pub broken_seq: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckpointRow {
    pub tree_size: i64,
    pub head_hash: Vec<u8>,
    pub at: OffsetDateTime,
    pub key_version: i32,
    pub signature: Vec<u8>,
}

/// What the caller's sealing closure returns for a new event.
#[derive(Debug)]
pub struct Sealed {
    pub hash: Vec<u8>,
    /// A checkpoint over the chain ending with this event, when one is due.
    pub checkpoint: Option<CheckpointRow>,
}

const EVENT_COLUMNS: [AuditEvents; 12] = [
    AuditEvents::Seq,
    AuditEvents::At,
    AuditEvents::Action,
    AuditEvents::Outcome,
    AuditEvents::ActorUserId,
    AuditEvents::Ip,
    AuditEvents::UserAgent,
    AuditEvents::SessionHash,
    AuditEvents::Target,
    AuditEvents::Details,
    AuditEvents::PrevHash,
    AuditEvents::Hash,
];

const CHECKPOINT_COLUMNS: [AuditCheckpoints; 5] = [
    AuditCheckpoints::TreeSize,
    AuditCheckpoints::HeadHash,
    AuditCheckpoints::At,
    AuditCheckpoints::KeyVersion,
    AuditCheckpoints::Signature,
];

/// Appends `event` to the chain. `seal(position, previous head)` computes the new event's hash
/// (and a checkpoint, if due) while the head is locked, so concurrent writers — on this instance
/// or another — each link to the one before. Returns the event's position.
pub async fn append_audit_event(
    db: &impl Executor,
    event: &AuditEntry,
    seal: impl FnOnce(&ChainHead) -> Sealed,
) -> Result<i64, StoreError> {
    let mut tx = db.atomic().await?;
    // The first statement writes: it takes the lock (see `Transaction`). The returned row holds
    // the new position and the previous head's hash, which this statement does not change.
    let advance = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::Seq, Expr::col(AuditHead::Seq).add(1))
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .returning(Query::returning().columns(HEAD_COLUMNS))
        .to_owned();
    let position: ChainHead = tx
        .fetch_optional(&advance)
        .await?
        .ok_or(StoreError::Conflict("the audit head is missing"))?;
    if position.broken_seq.is_some() {
        // Dropped without a commit: the head's advance is rolled back with everything else.
        return Err(StoreError::AuditChainBroken(AuditHalted));
    }
    let sealed = seal(&position);
    let insert = Query::insert()
        .into_table(AuditEvents::Table)
        .columns(EVENT_COLUMNS)
        .values_panic([
            position.seq.into(),
            event.at.into(),
            event.action.clone().into(),
            event.outcome.clone().into(),
            event.actor_user_id.into(),
            event.ip.clone().into(),
            event.user_agent.clone().into(),
            event.session_hash.clone().into(),
            event.target.clone().into(),
            event.details.clone().into(),
            position.hash.clone().into(),
            sealed.hash.clone().into(),
        ])
        .to_owned();
    tx.execute(&insert).await.map_err(|error| match error {
        // The position the head gives is taken: rows were moved behind the head's back (an
        // entry inserted, the rest renumbered). Fail closed, as verification will.
        StoreError::Duplicate => StoreError::AuditChainBroken(AuditHalted),
        other => other,
    })?;
    let mut head = Query::update();
    head.table(AuditHead::Table)
        .value(AuditHead::Hash, sealed.hash)
        .and_where(Expr::col(AuditHead::Id).eq(1));
    if let Some(checkpoint) = &sealed.checkpoint {
        head.value(AuditHead::CheckpointedSeq, checkpoint.tree_size);
        tx.execute(&insert_checkpoint(checkpoint)).await?;
    }
    tx.execute(&head).await?;
    tx.commit().await?;
    Ok(position.seq)
}

/// Signs the head if events were appended since the newest checkpoint: `sign(head)` makes the
/// checkpoint while the head is locked. Returns the new checkpoint's tree size, or `None` when
/// there was nothing new (or another instance just did it).
pub async fn checkpoint_head(
    db: &impl Executor,
    sign: impl FnOnce(&ChainHead) -> CheckpointRow,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.atomic().await?;
    let claim = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::CheckpointedSeq, Expr::col(AuditHead::Seq))
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .and_where(Expr::col(AuditHead::CheckpointedSeq).lt(Expr::col(AuditHead::Seq)))
        // A broken chain is never signed: a checkpoint would vouch for what was forged.
        .and_where(Expr::col(AuditHead::BrokenSeq).is_null())
        .returning(Query::returning().columns(HEAD_COLUMNS))
        .to_owned();
    let Some(head) = tx.fetch_optional::<ChainHead>(&claim).await? else {
        return Ok(None);
    };
    let checkpoint = sign(&head);
    tx.execute(&insert_checkpoint(&checkpoint)).await?;
    tx.commit().await?;
    Ok(Some(checkpoint.tree_size))
}

fn insert_checkpoint(checkpoint: &CheckpointRow) -> sea_query::InsertStatement {
    Query::insert()
        .into_table(AuditCheckpoints::Table)
        .columns(CHECKPOINT_COLUMNS)
        .values_panic([
            checkpoint.tree_size.into(),
            checkpoint.head_hash.clone().into(),
            checkpoint.at.into(),
            checkpoint.key_version.into(),
            checkpoint.signature.clone().into(),
        ])
        .to_owned()
}

pub async fn find_chain_head(db: &impl Executor) -> Result<ChainHead, StoreError> {
    let query = Query::select()
        .columns(HEAD_COLUMNS)
        .from(AuditHead::Table)
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .to_owned();
    db.fetch_optional(&query).await?.ok_or(StoreError::Conflict("the audit head is missing"))
}

/// Marks the chain broken at `seq` (the first bad entry verification found), unless it already
/// is: from then on nothing is appended until a new segment starts. A plain update of the head,
/// never an append: it works on a chain that cannot take one.
pub async fn mark_chain_broken(db: &impl Executor, seq: i64) -> Result<(), StoreError> {
    let mark = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::BrokenSeq, seq)
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .and_where(Expr::col(AuditHead::BrokenSeq).is_null())
        .to_owned();
    db.execute(&mark).await.map(drop)
}

/// The newest checkpoint, or the newest whose tree size is at most `at_most`: the metrics'
/// "seconds since the last checkpoint" and retention's anchor, without reading them all.
pub async fn find_latest_checkpoint(
    db: &impl Executor,
    at_most: Option<i64>,
) -> Result<Option<CheckpointRow>, StoreError> {
    let mut query = Query::select();
    query.columns(CHECKPOINT_COLUMNS).from(AuditCheckpoints::Table);
    if let Some(limit) = at_most {
        query.and_where(Expr::col(AuditCheckpoints::TreeSize).lte(limit));
    }
    query.order_by(AuditCheckpoints::TreeSize, Order::Desc).limit(1);
    db.fetch_optional(&query).await
}

/// Every checkpoint, oldest first.
pub async fn list_checkpoints(db: &impl Executor) -> Result<Vec<CheckpointRow>, StoreError> {
    let query = Query::select()
        .columns(CHECKPOINT_COLUMNS)
        .from(AuditCheckpoints::Table)
        .order_by(AuditCheckpoints::TreeSize, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Up to `limit` events after position `after`, in chain order: the verifier's pages.
pub async fn list_chain_page(
    db: &impl Executor,
    after: i64,
    limit: u64,
) -> Result<Vec<AuditRow>, StoreError> {
    let query = select_events()
        .and_where(Expr::col(AuditEvents::Seq).gt(after))
        .order_by(AuditEvents::Seq, Order::Asc)
        .limit(limit)
        .to_owned();
    db.fetch_all(&query).await
}

/// The position of the event whose hash is `hash`, if any row holds it.
pub async fn find_seq_by_hash(db: &impl Executor, hash: &[u8]) -> Result<Option<i64>, StoreError> {
    let query = Query::select()
        .column(AuditEvents::Seq)
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Hash).eq(hash.to_vec()))
        .limit(1)
        .to_owned();
    Ok(db.fetch_optional::<(i64,)>(&query).await?.map(|(seq,)| seq))
}

/// What a search of the trail may narrow by; every field optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<Uuid>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    /// Events at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Events before this time.
    pub until: Option<OffsetDateTime>,
    /// Only events older than this position (the cursor of the previous page).
    pub before_seq: Option<i64>,
}

/// Matching events, newest first, at most `limit` (the API's pages).
pub async fn search_audit_events(
    db: &impl Executor,
    filter: &AuditFilter,
    limit: u64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = filtered(db.engine(), filter);
    query.order_by(AuditEvents::Seq, Order::Desc).limit(limit);
    db.fetch_all(&query).await
}

/// Matching events after position `after`, oldest first, at most `limit` (exports).
pub async fn list_audit_page(
    db: &impl Executor,
    filter: &AuditFilter,
    after: i64,
    limit: u64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = filtered(db.engine(), filter);
    query.and_where(Expr::col(AuditEvents::Seq).gt(after));
    query.order_by(AuditEvents::Seq, Order::Asc).limit(limit);
    db.fetch_all(&query).await
}

/// A bound for `at`. PostgreSQL stores a timestamptz and compares times. SQLite stores RFC 3339
/// text, compared as text, where "…:22Z" sorts after "…:22.85Z": a bound at a whole second is
/// given as "…:22" (no fraction, no zone), which sorts before every time of that second, so
/// `since` takes the whole second in and `until` leaves it out, as the times would.
fn time_bound(engine: Engine, at: OffsetDateTime) -> sea_query::Value {
    use time::format_description::well_known::Rfc3339;
    match engine {
        Engine::Postgres => at.into(),
        Engine::Sqlite => {
            let utc = at.to_offset(time::UtcOffset::UTC);
            let text = utc.format(&Rfc3339).unwrap_or_default();
            if utc.nanosecond() == 0 { text.trim_end_matches('Z').to_owned() } else { text }.into()
        }
    }
}

fn filtered(engine: Engine, filter: &AuditFilter) -> SelectStatement {
    let mut query = select_events();
    if let Some(actor) = filter.actor_user_id {
        query.and_where(Expr::col(AuditEvents::ActorUserId).eq(actor));
    }
    if let Some(action) = &filter.action {
        query.and_where(Expr::col(AuditEvents::Action).eq(action.clone()));
    }
    if let Some(outcome) = &filter.outcome {
        query.and_where(Expr::col(AuditEvents::Outcome).eq(outcome.clone()));
    }
    if let Some(since) = filter.since {
        query.and_where(Expr::col(AuditEvents::At).gte(time_bound(engine, since)));
    }
    if let Some(until) = filter.until {
        query.and_where(Expr::col(AuditEvents::At).lt(time_bound(engine, until)));
    }
    if let Some(before) = filter.before_seq {
        query.and_where(Expr::col(AuditEvents::Seq).lt(before));
    }
    query
}

/// Events, oldest first; only those with `action` when given.
pub async fn list_audit_events(
    db: &impl Executor,
    action: Option<&str>,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = select_events();
    query.order_by(AuditEvents::Seq, Order::Asc);
    if let Some(action) = action {
        query.and_where(Expr::col(AuditEvents::Action).eq(action));
    }
    db.fetch_all(&query).await
}

/// The position of the newest event written before `cutoff`, if any.
pub async fn find_last_seq_before(
    db: &impl Executor,
    cutoff: OffsetDateTime,
) -> Result<Option<i64>, StoreError> {
    let query = Query::select()
        .expr(Func::max(Expr::col(AuditEvents::Seq)))
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::At).lt(cutoff))
        .to_owned();
    Ok(db.fetch_optional::<(Option<i64>,)>(&query).await?.and_then(|(seq,)| seq))
}

/// Deletes the events up to and including position `through` (retention). The caller makes
/// sure a signed checkpoint at `through` exists: it vouches for what is gone.
pub async fn prune_audit_events(db: &impl Executor, through: i64) -> Result<u64, StoreError> {
    let delete = Query::delete()
        .from_table(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Seq).lte(through))
        .to_owned();
    db.execute(&delete).await
}

/// Events of any of `actions` at or after `since` and before `until`, oldest first, at most
/// `limit` (an incident's timeline). SQLite compares the stored times as text, which is exact
/// only to the second: callers that need more widen the window and filter what comes back.
pub async fn list_audit_events_between(
    db: &impl Executor,
    actions: &[&str],
    since: OffsetDateTime,
    until: OffsetDateTime,
    limit: u64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut query = select_events();
    query
        .and_where(Expr::col(AuditEvents::Action).is_in(actions.iter().copied()))
        .and_where(Expr::col(AuditEvents::At).gte(since))
        .and_where(Expr::col(AuditEvents::At).lt(until))
        .order_by(AuditEvents::Seq, Order::Asc)
        .limit(limit);
    db.fetch_all(&query).await
}

fn select_events() -> SelectStatement {
    Query::select().columns(EVENT_COLUMNS).from(AuditEvents::Table).to_owned()
}

/// Events of `action` since `since`, by `actor` or about `target` (the facts of the burst
/// rules: refusals, wrong codes, sensitive reads, failures before a success).
pub async fn count_recent_events(
    db: &impl Executor,
    action: &str,
    actor_user_id: Option<Uuid>,
    target: Option<&str>,
    since: OffsetDateTime,
) -> Result<i64, StoreError> {
    let mut query = Query::select();
    query
        .expr(Func::count(Expr::col(AuditEvents::Seq)))
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Action).eq(action))
        .and_where(Expr::col(AuditEvents::At).gte(since));
    if let Some(actor) = actor_user_id {
        query.and_where(Expr::col(AuditEvents::ActorUserId).eq(actor));
    }
    if let Some(target) = target {
        query.and_where(Expr::col(AuditEvents::Target).eq(target));
    }
    db.count(&query).await
}

/// The sum of the numeric detail `key` over recent events of `action` by `actor_user_id` (an
/// event without it counts 1): how many records the `sensitive_read` events of a window cover.
pub async fn sum_recent_event_counts(
    db: &impl Executor,
    action: &str,
    actor_user_id: Option<Uuid>,
    since: OffsetDateTime,
    key: &str,
) -> Result<u64, StoreError> {
    let mut query = Query::select();
    query
        .column(AuditEvents::Details)
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Action).eq(action))
        .and_where(Expr::col(AuditEvents::At).gte(since));
    if let Some(actor) = actor_user_id {
        query.and_where(Expr::col(AuditEvents::ActorUserId).eq(actor));
    }
    let rows = db.fetch_all::<(String,)>(&query).await?;
    Ok(rows
        .iter()
        .map(|(details,)| {
            serde_json::from_str::<serde_json::Value>(details)
                .ok()
                .and_then(|value| value.get(key).and_then(serde_json::Value::as_u64))
                .unwrap_or(1)
        })
        .sum())
}
