//! Segments of the audit chain: how an installation whose chain was found broken records again.
//!
//! The broken rows stay as they are (the evidence). A new segment starts after the last of them:
//! its first entry links from an anchor that commits to the broken segment's last hash, and the
//! segment's row is signed with the audit key by the caller's closure (`rampart_crypto::
//! SegmentStart`). Verification then walks the newest segment and reports the closed ones.

use sea_query::{Expr, ExprTrait, Func, Iden, Order, Query};
use time::OffsetDateTime;

use crate::audit::{AuditEvents, AuditHead, ChainHead, HEAD_COLUMNS};
use crate::{Executor, StoreError};

#[derive(Iden)]
enum AuditSegments {
    Table,
    Segment,
    FirstSeq,
    PreviousHeadHash,
    AnchorHash,
    BrokenSeq,
    Finding,
    At,
    KeyVersion,
    Signature,
}

const COLUMNS: [AuditSegments; 9] = [
    AuditSegments::Segment,
    AuditSegments::FirstSeq,
    AuditSegments::PreviousHeadHash,
    AuditSegments::AnchorHash,
    AuditSegments::BrokenSeq,
    AuditSegments::Finding,
    AuditSegments::At,
    AuditSegments::KeyVersion,
    AuditSegments::Signature,
];

/// One started segment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SegmentRow {
    pub segment: i64,
    pub first_seq: i64,
    pub previous_head_hash: Vec<u8>,
    pub anchor_hash: Vec<u8>,
    pub broken_seq: i64,
    /// What verification found, in words ("entry 5 was inserted").
    pub finding: String,
    pub at: OffsetDateTime,
    pub key_version: i32,
    pub signature: Vec<u8>,
}

/// Where a new segment starts: computed under the head's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentPlace {
    pub segment: i64,
    pub first_seq: i64,
    /// The hash of the last stored entry (the head's, when no entry is stored).
    pub previous_head_hash: Vec<u8>,
    /// The head as it was (its `broken_seq`, if verification marked it).
    pub head: ChainHead,
}

/// Every started segment, oldest first.
pub async fn list_segments(db: &impl Executor) -> Result<Vec<SegmentRow>, StoreError> {
    let query = Query::select()
        .columns(COLUMNS)
        .from(AuditSegments::Table)
        .order_by(AuditSegments::Segment, Order::Asc)
        .to_owned();
    db.fetch_all(&query).await
}

/// Starts a segment after every stored entry: `make(place)` builds the signed row. The head moves
/// to the segment's anchor, unmarked, so the next append is the segment's first entry — append
/// it in the same transaction (the unit of work's event), so the segment never starts unrecorded.
pub async fn start_segment(
    db: &impl Executor,
    make: impl FnOnce(&SegmentPlace) -> SegmentRow,
) -> Result<SegmentRow, StoreError> {
    let mut tx = db.atomic().await?;
    // Writing the head first takes its lock (PostgreSQL's row lock; SQLite's one writer).
    let lock = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::Seq, Expr::col(AuditHead::Seq))
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .returning(Query::returning().columns(HEAD_COLUMNS))
        .to_owned();
    let head: ChainHead =
        tx.fetch_optional(&lock).await?.ok_or(StoreError::Conflict("the audit head is missing"))?;
    let last_stored = Query::select()
        .columns([AuditEvents::Seq, AuditEvents::Hash])
        .from(AuditEvents::Table)
        .order_by(AuditEvents::Seq, Order::Desc)
        .limit(1)
        .to_owned();
    let last: Option<(i64, Vec<u8>)> = tx.fetch_optional(&last_stored).await?;
    let newest = Query::select()
        .expr(Func::max(Expr::col(AuditSegments::Segment)))
        .from(AuditSegments::Table)
        .to_owned();
    let (newest,): (Option<i64>,) = tx.fetch_optional(&newest).await?.unwrap_or((None,));
    let (last_seq, previous_head_hash) = match last {
        Some((seq, hash)) if seq >= head.seq => (seq, hash),
        _ => (head.seq, head.hash.clone()),
    };
    let place = SegmentPlace {
        // The original chain is segment 1.
        segment: newest.unwrap_or(1) + 1,
        first_seq: last_seq + 1,
        previous_head_hash,
        head,
    };
    let row = make(&place);
    let insert = Query::insert()
        .into_table(AuditSegments::Table)
        .columns(COLUMNS)
        .values_panic([
            row.segment.into(),
            row.first_seq.into(),
            row.previous_head_hash.clone().into(),
            row.anchor_hash.clone().into(),
            row.broken_seq.into(),
            row.finding.clone().into(),
            row.at.into(),
            row.key_version.into(),
            row.signature.clone().into(),
        ])
        .to_owned();
    tx.execute(&insert).await?;
    let move_head = Query::update()
        .table(AuditHead::Table)
        .value(AuditHead::Seq, row.first_seq - 1)
        .value(AuditHead::Hash, row.anchor_hash.clone())
        .value(AuditHead::CheckpointedSeq, row.first_seq - 1)
        .value(AuditHead::BrokenSeq, Option::<i64>::None)
        .and_where(Expr::col(AuditHead::Id).eq(1))
        .to_owned();
    tx.execute(&move_head).await?;
    tx.commit().await?;
    Ok(row)
}
