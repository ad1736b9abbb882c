//! `rampart audit verify`: walks the whole chain from the database and names the first entry that
//! was altered, deleted, inserted or reordered, or the checkpoint a recomputed chain contradicts.
//! The judging is `rampart_crypto::ChainVerifier`; this reads the rows page by page.
//!
//! After a break an operator may start a new segment (`segment.rs`): then the walk covers the
//! newest segment, from its signed anchor, and [`closed_segments`] lists the broken ones before
//! it. Verification only reads: its report never depends on writing to the chain it judges.

use std::collections::BTreeMap;

use rampart_crypto::{
    ChainBreak, ChainFinding, ChainSummary, ChainVerifier, GENESIS_HASH, Keyring, LinkedRow,
    SegmentStart, checkpoint_signature_is_valid,
};
use rampart_store::Db;
use rampart_store::audit::{
    AuditRow, CheckpointRow, find_chain_head, find_seq_by_hash, list_chain_page, list_checkpoints,
};
use rampart_store::audit_segments::{SegmentRow, list_segments};

use super::AuditError;
use super::chain::{canonical, micros};

/// Rows read per query while walking.
const PAGE: u64 = 1000;

/// How the walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact(ChainSummary),
    Broken(ChainBreak),
}

/// A segment closed because its chain was found broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSegment {
    /// The original chain is segment 1.
    pub segment: i64,
    /// What verification found, and where.
    pub finding: String,
    pub broken_seq: i64,
    /// The first entry of the segment that followed it.
    pub next_first_seq: i64,
    pub closed_at: time::OffsetDateTime,
}

/// The segments closed after a break, oldest first (empty for a chain never broken).
pub async fn closed_segments(db: &Db) -> Result<Vec<ClosedSegment>, AuditError> {
    Ok(list_segments(db)
        .await?
        .into_iter()
        .map(|row| ClosedSegment {
            segment: row.segment - 1,
            finding: row.finding,
            broken_seq: row.broken_seq,
            next_first_seq: row.first_seq,
            closed_at: row.at,
        })
        .collect())
}

/// Checks every checkpoint's and segment's signature, then every entry's link in the newest
/// segment.
pub async fn verify_chain(db: &Db, keyring: &Keyring) -> Result<Verification, AuditError> {
    let checkpoints = list_checkpoints(db).await?;
    if let Some(bad) = first_unsigned(keyring, &checkpoints)? {
        return Ok(Verification::Broken(ChainBreak::BadCheckpoint { tree_size: bad }));
    }
    let segments = list_segments(db).await?;
    if let Some(bad) = first_unsigned_segment(keyring, &segments)? {
        return Ok(Verification::Broken(ChainBreak::BadSegment { first_seq: bad }));
    }
    // The newest segment starts after its signed anchor; the original chain after genesis.
    let (base_seq, base_hash) = match segments.last() {
        Some(segment) => (segment.first_seq - 1, segment.anchor_hash.clone()),
        None => (0, GENESIS_HASH.to_vec()),
    };
    let head = find_chain_head(db).await?;
    let first = list_chain_page(db, base_seq, 1).await?;
    let (start_seq, start_hash) = match first.first() {
        None => (base_seq, base_hash),
        Some(AuditRow { seq, .. }) if *seq == base_seq + 1 => (base_seq, base_hash),
        // A pruned prefix: the checkpoint at its end vouches for it, or something is missing.
        Some(row) => match checkpoints.iter().find(|c| c.tree_size == row.seq - 1) {
            Some(anchor) if anchor.tree_size > base_seq => {
                (anchor.tree_size, anchor.head_hash.clone())
            }
            _ => {
                let pruned = checkpoints
                    .iter()
                    .map(|c| c.tree_size)
                    .filter(|s| *s < row.seq && *s > base_seq);
                let seq = pruned.max().unwrap_or(base_seq) + 1;
                return Ok(Verification::Broken(ChainBreak::Deleted { seq }));
            }
        },
    };
    let signed = checkpoints.into_iter().map(|c| (c.tree_size, c.head_hash)).collect();
    let mut verifier = ChainVerifier::new(start_seq, &start_hash, head.seq, signed);
    let mut after = start_seq;
    loop {
        let page = list_chain_page(db, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            if let Err(finding) = verifier.push(linked(&row)) {
                return Ok(Verification::Broken(settle(db, finding).await?));
            }
        }
    }
    match verifier.finish() {
        Ok(summary) => Ok(Verification::Intact(summary)),
        Err(finding) => Ok(Verification::Broken(settle(db, finding).await?)),
    }
}

/// The tree size of the first checkpoint whose signature no audit key verifies.
fn first_unsigned(
    keyring: &Keyring,
    checkpoints: &[CheckpointRow],
) -> Result<Option<i64>, AuditError> {
    let keys: BTreeMap<u32, [u8; 32]> = keyring.audit_public_keys()?.into_iter().collect();
    Ok(checkpoints
        .iter()
        .find(|c| {
            let key = u32::try_from(c.key_version).ok().and_then(|v| keys.get(&v));
            !key.is_some_and(|key| {
                checkpoint_signature_is_valid(
                    key,
                    c.tree_size,
                    &c.head_hash,
                    micros(c.at),
                    &c.signature,
                )
            })
        })
        .map(|c| c.tree_size))
}

/// The first seq of the first segment whose anchor or signature does not hold: a segment
/// boundary only the audit key's holder can draw.
fn first_unsigned_segment(
    keyring: &Keyring,
    segments: &[SegmentRow],
) -> Result<Option<i64>, AuditError> {
    let keys: BTreeMap<u32, [u8; 32]> = keyring.audit_public_keys()?.into_iter().collect();
    Ok(segments
        .iter()
        .find(|row| {
            let start = SegmentStart {
                segment: row.segment,
                first_seq: row.first_seq,
                previous_head: &row.previous_head_hash,
                broken_seq: row.broken_seq,
                at_micros: micros(row.at),
            };
            let key = u32::try_from(row.key_version).ok().and_then(|v| keys.get(&v));
            start.anchor()[..] != row.anchor_hash[..]
                || !key.is_some_and(|key| start.signature_is_valid(key, &row.signature))
        })
        .map(|row| row.first_seq))
}

/// A break, once the verifier's question (which row holds this hash?) is answered.
async fn settle(db: &Db, finding: ChainFinding) -> Result<ChainBreak, AuditError> {
    Ok(match finding {
        ChainFinding::Broken(kind) => kind,
        ChainFinding::Lookup(lookup) => {
            ChainVerifier::resolve(&lookup, find_seq_by_hash(db, &lookup.prev_hash).await?)
        }
    })
}

fn linked(row: &AuditRow) -> LinkedRow {
    LinkedRow {
        seq: row.seq,
        prev_hash: row.prev_hash.clone(),
        hash: row.hash.clone(),
        canonical: canonical(&row.entry),
    }
}
