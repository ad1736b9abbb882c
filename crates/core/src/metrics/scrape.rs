//! The gauges read from the database at each scrape: shared state, the same on every instance.

use metrics::Label;
use rampart_store::StoreError;
use rampart_store::audit::{find_chain_head, find_latest_checkpoint};
use rampart_store::backups::{latest_successful_backup, latest_successful_drill};
use rampart_store::outbox::count_outbox_messages;
use rampart_store::sessions::count_live_sessions;
use rampart_store::sign_in_throttle::{count_blocked_ips, count_throttled_addresses};

use crate::AppState;
use crate::keys::key_status;

const SESSIONS: &str = "rampart_sessions_active";
const THROTTLED: &str = "rampart_sign_in_throttled_addresses";
const BLOCKED_IPS: &str = "rampart_sign_in_blocked_ips";
const CHAIN_LENGTH: &str = "rampart_audit_chain_length";
const SINCE_CHECKPOINT: &str = "rampart_audit_seconds_since_checkpoint";
const KEY_AGE: &str = "rampart_key_age_seconds";
const OUTBOX: &str = "rampart_outbox_messages";
const BACKUP_AGE: &str = "rampart_backup_age_seconds";
const DRILL_AGE: &str = "rampart_restore_drill_age_seconds";
const DRILL_RTO: &str = "rampart_restore_drill_rto_seconds";
const DRILL_RPO: &str = "rampart_restore_drill_rpo_seconds";
const REENCRYPTION_PENDING: &str = "rampart_reencryption_pending";
const REENCRYPTION_CHECKED: &str = "rampart_reencryption_checked";
const REENCRYPTION_REWRITTEN: &str = "rampart_reencryption_rewritten";

pub(super) const GAUGES: &[(&str, &str)] = &[
    (SESSIONS, "sessions not expired and not idle, on every instance"),
    (THROTTLED, "addresses whose sign-ins are throttled (5 or more consecutive failures)"),
    (BLOCKED_IPS, "client addresses blocked for password spraying"),
    (CHAIN_LENGTH, "events in the audit hash chain (its head position)"),
    (SINCE_CHECKPOINT, "seconds since the newest signed audit checkpoint (-1: none yet)"),
    (KEY_AGE, "age in seconds of the data key new writes use, by purpose"),
    (OUTBOX, "e-mails waiting in the outbox"),
    (BACKUP_AGE, "seconds since the newest successful backup finished (-1: none yet)"),
    (DRILL_AGE, "seconds since the newest successful restore drill (-1: none yet)"),
    (DRILL_RTO, "seconds the newest successful restore drill took to restore and verify"),
    (DRILL_RPO, "age in seconds of the data the newest successful restore drill restored"),
    (
        REENCRYPTION_PENDING,
        "1 while old field or blind-index key versions are still in the keyring",
    ),
    (REENCRYPTION_CHECKED, "values the re-encryption in progress has checked (0: none running)"),
    (REENCRYPTION_REWRITTEN, "values the re-encryption in progress has rewritten"),
];

/// Reads the shared gauges into the recorder, just before it is rendered.
pub async fn refresh_shared_gauges(state: &AppState) -> Result<(), StoreError> {
    let metrics = &state.metrics;
    let now = state.clock.now();
    let idle_since = now - state.settings.sessions.idle_timeout();
    let sessions = count_live_sessions(&state.db, now, idle_since).await?;
    metrics.set_gauge(SESSIONS, vec![], sessions as f64);
    let free = i64::from(state.settings.sign_in.free_failures);
    metrics.set_gauge(THROTTLED, vec![], count_throttled_addresses(&state.db, free).await? as f64);
    metrics.set_gauge(BLOCKED_IPS, vec![], count_blocked_ips(&state.db, now).await? as f64);
    let head = find_chain_head(&state.db).await?;
    metrics.set_gauge(CHAIN_LENGTH, vec![], head.seq as f64);
    let newest = find_latest_checkpoint(&state.db, None).await?.map(|c| c.at);
    let since = newest.map_or(-1.0, |at| (now - at).as_seconds_f64().max(0.0));
    metrics.set_gauge(SINCE_CHECKPOINT, vec![], since);
    metrics.set_gauge(OUTBOX, vec![], count_outbox_messages(&state.db).await? as f64);
    let backup = latest_successful_backup(&state.db).await?;
    let age_of = |at: time::OffsetDateTime| (now - at).as_seconds_f64().max(0.0);
    metrics.set_gauge(BACKUP_AGE, vec![], backup.map_or(-1.0, |run| age_of(run.finished_at)));
    let drill = latest_successful_drill(&state.db).await?;
    metrics.set_gauge(DRILL_AGE, vec![], drill.as_ref().map_or(-1.0, |d| age_of(d.finished_at)));
    if let Some(drill) = drill {
        metrics.set_gauge(DRILL_RTO, vec![], drill.rto_seconds.unwrap_or_default());
        metrics.set_gauge(DRILL_RPO, vec![], drill.rpo_seconds.unwrap_or_default());
    }
    let keyring = state.keyring.current();
    let pending = [rampart_crypto::Purpose::Fields, rampart_crypto::Purpose::BlindIndex]
        .iter()
        .any(|purpose| keyring.versions(*purpose).len() > 1);
    metrics.set_gauge(REENCRYPTION_PENDING, vec![], if pending { 1.0 } else { 0.0 });
    let progress = rampart_store::jobs::find_job_progress(&state.db, "reencrypt").await?;
    let (checked, rewritten) = progress.map_or((0, 0), |p| (p.checked, p.updated));
    metrics.set_gauge(REENCRYPTION_CHECKED, vec![], checked as f64);
    metrics.set_gauge(REENCRYPTION_REWRITTEN, vec![], rewritten as f64);
    let keys = key_status(&state.db).await.map_err(|error| match error {
        crate::keys::KeysError::Store(store) => store,
        _ => StoreError::Conflict("the keys table holds a key Rampart does not know"),
    })?;
    for purpose in keys {
        if let Some(current) = purpose.versions.last() {
            let age = (now - current.created_at).as_seconds_f64().max(0.0);
            metrics.set_gauge(KEY_AGE, vec![Label::new("purpose", purpose.purpose.name())], age);
        }
    }
    Ok(())
}
