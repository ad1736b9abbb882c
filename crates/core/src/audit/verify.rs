//! `rampart audit verify`: walks the whole chain from the database and names the first entry that
//! was altered, deleted, inserted or reordered, or the checkpoint a recomputed chain contradicts.
//! The judging is `rampart_crypto::ChainVerifier`; this reads the rows page by page.

use std::collections::BTreeMap;

use rampart_crypto::{
    ChainBreak, ChainFinding, ChainSummary, ChainVerifier, GENESIS_HASH, Keyring, LinkedRow,
    checkpoint_signature_is_valid,
};
use rampart_store::Db;
use rampart_store::audit::{
    AuditRow, CheckpointRow, find_chain_head, find_seq_by_hash, list_chain_page, list_checkpoints,
};

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

/// Checks every checkpoint's signature, then every entry's link.
pub async fn verify_chain(db: &Db, keyring: &Keyring) -> Result<Verification, AuditError> {
    let checkpoints = list_checkpoints(db).await?;
    if let Some(bad) = first_unsigned(keyring, &checkpoints)? {
        return Ok(Verification::Broken(ChainBreak::BadCheckpoint { tree_size: bad }));
    }
    let head = find_chain_head(db).await?;
    let first = list_chain_page(db, 0, 1).await?;
    let (start_seq, start_hash) = match first.first() {
        None | Some(AuditRow { seq: 1, .. }) => (0, GENESIS_HASH.to_vec()),
        // A pruned prefix: the checkpoint at its end vouches for it, or something is missing.
        Some(row) => match checkpoints.iter().find(|c| c.tree_size == row.seq - 1) {
            Some(anchor) => (anchor.tree_size, anchor.head_hash.clone()),
            None => {
                let pruned = checkpoints.iter().map(|c| c.tree_size).filter(|s| *s < row.seq);
                let seq = pruned.max().unwrap_or(0) + 1;
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

/// A break, once the verifier's question (which row holds this hash?) is answered.
async fn settle(db: &Db, finding: ChainFinding) -> Result<ChainBreak, AuditError> {
    Ok(match finding {
        ChainFinding::Broken(kind) => kind,
        ChainFinding::Lookup { seq, prev_hash } => {
            ChainVerifier::resolve(seq, find_seq_by_hash(db, &prev_hash).await?)
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
