//! The audit trail's housekeeping while `serve` runs: a signed checkpoint every
//! `audit.checkpoint_interval_secs` when events came since the last one (appends sign one every
//! `audit.checkpoint_every` events themselves), and, hourly, retention. (The hourly full
//! verification, which raises `audit_chain_broken`, is `alerts/chain_check.rs`.)
//!
//! Every instance runs it; the database decides which one signs a given head (see
//! `rampart_store::audit::checkpoint_head`), so several instances make no duplicate checkpoints.

use rampart_domain::AuditAction;
use rampart_store::audit::{find_last_seq_before, find_latest_checkpoint, prune_audit_events};
use time::Duration;
use tokio::task::JoinHandle;

use super::{AuditError, AuditEvent, checkpoint_now};
use crate::AppState;

const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Soon after start, so an instance restarted more often than hourly still prunes.
const RETENTION_FIRST: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts the loop; abort the handle to stop it.
pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        // The first round one period after start, not at once: nothing is due yet.
        let every = state.settings.audit.checkpoint_interval();
        let start = tokio::time::Instant::now();
        let mut checkpoints = tokio::time::interval_at(start + every, every);
        let mut retention = tokio::time::interval_at(start + RETENTION_FIRST, RETENTION_EVERY);
        loop {
            tokio::select! {
                _ = checkpoints.tick() => {
                    let keyring = state.keyring.current();
                    if let Err(error) = checkpoint_now(&state.db, &keyring, state.clock.now()).await {
                        tracing::warn!(error = %error, "audit: could not sign a checkpoint; retrying");
                    }
                }
                _ = retention.tick() => {
                    if let Err(error) = apply_retention(&state).await {
                        tracing::warn!(error = %error, "audit: retention did not run; retrying in an hour");
                    }
                }
            }
        }
    })
}

/// Deletes events older than `audit.retention_days`, up to the newest signed checkpoint among
/// them (which stays, as proof of what came before), and records that it did. Returns the
/// position pruned through, if anything was.
pub async fn apply_retention(state: &AppState) -> Result<Option<i64>, AuditError> {
    let days = state.settings.audit.retention_days;
    if days == 0 {
        return Ok(None);
    }
    let cutoff = state.clock.now() - Duration::days(i64::try_from(days).unwrap_or(i64::MAX));
    let Some(last_old) = find_last_seq_before(&state.db, cutoff).await? else {
        return Ok(None);
    };
    let Some(through) =
        find_latest_checkpoint(&state.db, Some(last_old)).await?.map(|c| c.tree_size)
    else {
        return Ok(None);
    };
    let transaction = state.db.begin().await?;
    let deleted = prune_audit_events(&transaction, through).await?;
    if deleted == 0 {
        return Ok(None);
    }
    let event = AuditEvent::success(AuditAction::AuditPruned)
        .detail("through_seq", through)
        .detail("deleted", deleted)
        .detail("retention_days", days);
    super::commit_with(state, transaction, &event).await?;
    Ok(Some(through))
}
