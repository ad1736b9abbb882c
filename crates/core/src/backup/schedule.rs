//! What `serve` does about backups by itself, every few minutes on every instance: raise
//! `backup_stale` when the newest successful backup is older than `backup.max_age_hours`, and
//! make the scheduled backup when one is due — on one instance only (the first to claim the
//! period in `job_progress`), followed by retention.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rampart_domain::AlertRule;
use rampart_domain::detection::is_backup_stale;
use rampart_store::backups::{latest_backup_run, latest_successful_backup};
use rampart_store::installation::find_installation;
use rampart_store::jobs::claim_periodic_job;
use tokio::task::JoinHandle;

use super::BackupError;
use super::create::{BackupReport, create_backup};
use super::manifest::{list_backups, manifest_path};
use crate::AppState;

const EVERY: Duration = Duration::from_secs(300);
/// After a failed scheduled backup, the next attempt waits this long (not a whole interval).
const RETRY_AFTER: time::Duration = time::Duration::hours(1);
const JOB: &str = "backup_schedule";

pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    crate::periodic::spawn_every(state, EVERY, |state| async move {
        if let Err(error) = check_backup_age(&state).await {
            tracing::warn!(error = %error, "backups: the age of the last backup could not be checked");
        }
        if let Err(error) = run_scheduled_backup(&state).await {
            tracing::warn!(error = %error, "backups: the scheduled backup did not run");
        }
    })
}

/// Raises `backup_stale` (once per alert window) when backups are configured and the newest
/// successful one — or, before the first, the installation itself — is older than the limit.
/// Returns whether the backups are stale.
pub async fn check_backup_age(state: &AppState) -> Result<bool, BackupError> {
    let settings = &state.settings.backup;
    if settings.recipients.is_empty() {
        return Ok(false);
    }
    let now = state.clock.now();
    let since = match latest_successful_backup(&state.db).await? {
        Some(run) => run.finished_at,
        None => find_installation(&state.db).await?.map_or(now, |i| i.created_at),
    };
    let age = now - since;
    if !is_backup_stale(age, settings.max_age()) {
        return Ok(false);
    }
    let details = serde_json::json!({
        "hours_since_last_backup": age.whole_hours(),
        "max_age_hours": settings.max_age_hours,
    });
    crate::alerts::raise(state, AlertRule::BackupStale, "deployment", details).await?;
    Ok(true)
}

/// Makes the scheduled backup if one is due and this instance claimed it; then keeps the newest
/// `backup.keep`. Returns the backup made, if any.
pub async fn run_scheduled_backup(state: &AppState) -> Result<Option<BackupReport>, BackupError> {
    let settings = &state.settings.backup;
    let Some(interval) = settings.interval() else { return Ok(None) };
    if settings.recipients.is_empty() {
        return Ok(None);
    }
    let now = state.clock.now();
    let interval = time::Duration::try_from(interval).unwrap_or(time::Duration::DAY);
    let due = match latest_backup_run(&state.db).await? {
        None => true,
        Some(run) if run.outcome == "success" => run.finished_at + interval <= now,
        Some(run) => run.finished_at + RETRY_AFTER.min(interval) <= now,
    };
    // The claim moves the period's start to now: only one instance per period gets `true`.
    let slack = time::Duration::seconds(30);
    if !due
        || !claim_periodic_job(&state.db, JOB, now, now - interval.min(RETRY_AFTER) + slack).await?
    {
        return Ok(None);
    }
    let report = create_backup(state).await?;
    let directory = settings.directory(&state.settings.storage);
    for removed in prune_backups(&directory, settings.keep)? {
        tracing::info!(file = %removed.display(), "backups: removed by retention");
    }
    Ok(Some(report))
}

/// Deletes all but the newest `keep` backups (and their manifests) in `directory`. Returns what
/// was deleted.
pub fn prune_backups(directory: &Path, keep: u64) -> Result<Vec<PathBuf>, BackupError> {
    let backups = list_backups(directory)?;
    let keep = usize::try_from(keep).unwrap_or(usize::MAX);
    let excess = backups.len().saturating_sub(keep);
    let mut removed = Vec::with_capacity(excess);
    for (path, _) in backups.into_iter().take(excess) {
        std::fs::remove_file(&path)?;
        std::fs::remove_file(manifest_path(&path))?;
        removed.push(path);
    }
    Ok(removed)
}
