//! `rampart audit new-segment`: the documented way back after the trail was found broken.
//!
//! While the trail is marked broken nothing that must be audited can happen (503
//! `audit_unavailable`). The operator investigates (`rampart audit verify` names the first bad
//! entry; `rampart audit export` keeps a copy), then starts a new segment: a row signed with the
//! audit key that refers to the broken segment (its last hash, where it broke, what was found),
//! and whose anchor the new segment's first entry — `audit_segment_started`, naming the break —
//! links from. The broken rows are kept as they are, as evidence; verification reports the
//! closed segment and walks the new one.

use rampart_crypto::{CryptoError, SegmentStart};
use rampart_domain::AuditAction;
use rampart_store::StoreError;
use rampart_store::audit::find_chain_head;
use rampart_store::audit_segments::{SegmentRow, start_segment};

use super::chain::{micros, truncate_to_micros};
use super::{AuditError, AuditEvent, Verification, checkpoint_now, verify_chain};
use crate::AppState;
use crate::unit_of_work::UnitOfWork;

/// The segment just started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedSegment {
    pub segment: i64,
    pub first_seq: i64,
    /// What was found in the segment closed, and where.
    pub finding: String,
    pub broken_seq: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error("the audit trail is intact and not marked broken: there is no break to close")]
    Intact,
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the audit key cannot be used: {0}")]
    Crypto(#[from] CryptoError),
}

/// Closes the broken segment and starts a new one (see the module documentation).
pub async fn start_new_segment(state: &AppState) -> Result<StartedSegment, SegmentError> {
    let keyring = state.keyring.current();
    let verification = verify_chain(&state.db, &keyring).await?;
    let head = find_chain_head(&state.db).await?;
    let (finding, broken_seq) = match (&verification, head.broken_seq) {
        (Verification::Broken(found), _) => (found.to_string(), found.seq()),
        (Verification::Intact(_), Some(seq)) => {
            (format!("marked broken at entry {seq}; intact when the segment started"), seq)
        }
        (Verification::Intact(_), None) => return Err(SegmentError::Intact),
    };
    let signer = keyring.checkpoint_signer()?;
    let at = truncate_to_micros(state.clock.now());
    let mut work = UnitOfWork::begin(state).await?;
    let row = start_segment(work.db(), |place| {
        let start = SegmentStart {
            segment: place.segment,
            first_seq: place.first_seq,
            previous_head: &place.previous_head_hash,
            broken_seq,
            at_micros: micros(at),
        };
        SegmentRow {
            segment: place.segment,
            first_seq: place.first_seq,
            previous_head_hash: place.previous_head_hash.clone(),
            anchor_hash: start.anchor().to_vec(),
            broken_seq,
            finding: finding.clone(),
            at,
            key_version: i32::try_from(signer.version()).unwrap_or(i32::MAX),
            signature: signer.sign_segment(&start),
        }
    })
    .await?;
    work.record(
        AuditEvent::success(AuditAction::AuditSegmentStarted)
            .target(format!("audit_segment:{}", row.segment))
            .detail("closed_segment", row.segment - 1)
            .detail("broken_seq", broken_seq)
            .detail("finding", finding.clone())
            .detail("previous_head", hex::encode(&row.previous_head_hash)),
    );
    work.commit().await?;
    // Sign the new segment's first entry at once, rather than at the next timer.
    checkpoint_now(&state.db, &keyring, state.clock.now()).await?;
    tracing::warn!(
        segment = row.segment,
        first_seq = row.first_seq,
        broken_seq,
        "audit: new segment started"
    );
    Ok(StartedSegment { segment: row.segment, first_seq: row.first_seq, finding, broken_seq })
}
