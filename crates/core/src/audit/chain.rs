//! Appending to the chain and signing its head. The formats are in `rampart_crypto::ChainedEvent`
//! and `docs/crypto.md`; the locking that makes each append follow the one before, on any
//! instance, is in `rampart_store::audit::append_audit_event`.

use rampart_crypto::{ChainedEvent, CheckpointSigner, Keyring, link_hash};
use rampart_store::StoreError;
use rampart_store::audit::{
    AuditEntry, ChainHead, CheckpointRow, Sealed, append_audit_event, checkpoint_head,
};
use rampart_store::{Db, Executor};
use time::OffsetDateTime;

use super::AuditError;

/// `at` without its nanoseconds: both engines store microseconds exactly, and what is hashed
/// must be what is read back.
pub fn truncate_to_micros(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1000 * 1000).unwrap_or(at)
}

pub(super) fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The bytes the chain hashes for `entry`.
pub(super) fn canonical(entry: &AuditEntry) -> Vec<u8> {
    let actor = entry.actor_user_id.map(|id| id.hyphenated().to_string());
    ChainedEvent {
        at_micros: micros(entry.at),
        action: &entry.action,
        outcome: &entry.outcome,
        actor: actor.as_deref(),
        ip: entry.ip.as_deref(),
        user_agent: entry.user_agent.as_deref(),
        session_hash: entry.session_hash.as_deref(),
        target: entry.target.as_deref(),
        details: &entry.details,
    }
    .canonical()
}

/// Appends `entry` (its time already truncated with [`truncate_to_micros`]); signs a checkpoint
/// in the same transaction when `checkpoint_every` events have passed since the last one.
/// Returns the entry's position in the chain.
pub async fn append_event(
    db: &impl Executor,
    keyring: &Keyring,
    checkpoint_every: u64,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    let canonical = canonical(entry);
    let every = i64::try_from(checkpoint_every).unwrap_or(i64::MAX);
    append_audit_event(db, entry, |head| {
        let hash = link_hash(&head.hash, &canonical);
        let due = head.seq - head.checkpointed_seq >= every;
        let checkpoint =
            if due { try_checkpoint(keyring, head.seq, &hash, entry.at) } else { None };
        Sealed { hash: hash.to_vec(), checkpoint }
    })
    .await
}

/// Signs the chain's head if events came since the newest checkpoint (the timer's half of
/// `audit.checkpoint_every` / `audit.checkpoint_interval_secs`). Returns the signed tree size.
pub async fn checkpoint_now(
    db: &Db,
    keyring: &Keyring,
    now: OffsetDateTime,
) -> Result<Option<i64>, AuditError> {
    let signer = keyring.checkpoint_signer()?;
    let now = truncate_to_micros(now);
    let signed =
        checkpoint_head(db, |head: &ChainHead| checkpoint(&signer, head.seq, &head.hash, now))
            .await?;
    Ok(signed)
}

/// A checkpoint at `tree_size` for an append, or `None` (logged) if the keyring has no usable
/// audit key: the event is still written, and the next checkpoint will cover it.
fn try_checkpoint(
    keyring: &Keyring,
    tree_size: i64,
    head_hash: &[u8],
    at: OffsetDateTime,
) -> Option<CheckpointRow> {
    match keyring.checkpoint_signer() {
        Ok(signer) => Some(checkpoint(&signer, tree_size, head_hash, at)),
        Err(error) => {
            tracing::error!(error = %error, "audit: cannot sign a checkpoint");
            None
        }
    }
}

fn checkpoint(
    signer: &CheckpointSigner,
    tree_size: i64,
    head_hash: &[u8],
    at: OffsetDateTime,
) -> CheckpointRow {
    CheckpointRow {
        tree_size,
        head_hash: head_hash.to_vec(),
        at,
        key_version: i32::try_from(signer.version()).unwrap_or(i32::MAX),
        signature: signer.sign(tree_size, head_hash, micros(at)),
    }
}
