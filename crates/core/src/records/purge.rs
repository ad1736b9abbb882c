//! The bin: records deleted longer ago than `records.bin_days` are purged for good, hourly, on
//! every instance (the delete is idempotent, so instances need no coordination).

use std::time::Duration;

use rampart_domain::AuditAction;
use rampart_store::records::purge_binned_records;
use tokio::task::JoinHandle;

use crate::AppState;
use crate::audit::AuditEvent;
use crate::unit_of_work::UnitOfWork;

const EVERY: Duration = Duration::from_secs(3600);

/// Purges what is due now; returns how many records went.
pub async fn purge_bin(state: &AppState) -> Result<u64, rampart_store::StoreError> {
    let days = i64::try_from(state.settings.records.bin_days).unwrap_or(i64::MAX);
    let cutoff = state.clock.now() - time::Duration::days(days);
    let mut work = UnitOfWork::begin(state).await?;
    let purged = purge_binned_records(work.db(), cutoff).await?;
    // Rate-limit windows (forms, anonymous mail) older than a day count for nothing any more.
    let day_ago = state.clock.now() - time::Duration::days(1);
    rampart_store::forms::delete_form_windows_before(work.db(), day_ago).await?;
    rampart_store::mail_requests::delete_mail_windows_before(work.db(), day_ago).await?;
    // Invitations and changes of address a week past their expiry (used or not) are only history,
    // which the audit trail keeps; their rows go, and with them the keys they were sealed with.
    let week_ago = state.clock.now() - time::Duration::days(7);
    rampart_store::invitations::delete_invitations_expired_before(work.db(), week_ago).await?;
    rampart_store::email_changes::delete_email_changes_expired_before(work.db(), week_ago).await?;
    if purged > 0 {
        work.record(AuditEvent::success(AuditAction::RecordsPurged).detail("records", purged));
    }
    work.commit().await?;
    Ok(purged)
}

pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    crate::periodic::spawn_every(state, EVERY, |state| async move {
        if let Err(error) = purge_bin(&state).await {
            tracing::warn!(error = %error, "records: the bin was not purged; retrying in an hour");
        }
    })
}
