//! In `serve`: after a rotation, existing values are re-encrypted by themselves, in the
//! background, on one instance (the first to claim the job in `job_progress`; the claim holds
//! for 15 minutes, after which another instance takes over a run that died). It starts only once every instance holds the new keys
//! (`settle.rs`), resumes from its saved cursor after a crash or a restart (the job is
//! `reencrypt.rs`'s, shared with `rampart keys reencrypt`), logs its progress and shows it as
//! the `rampart_reencryption_*` gauges. When a complete pass leaves old versions in place (an
//! e-mail still queued under one), the next pass waits an hour.

use std::time::Duration;

use rampart_crypto::{Keyring, Purpose};
use rampart_store::jobs::{
    JobProgressRow, claim_periodic_job, find_job_progress, save_job_progress,
};
use tokio::task::JoinHandle;

use super::{KeysError, ReencryptReport, reencrypt, settle_remaining, settle_time};
use crate::AppState;

const EVERY: Duration = Duration::from_secs(30);
const CLAIM_HOLDS: time::Duration = time::Duration::minutes(15);
const BATCH_SIZE: u64 = 500;
const LEASE: &str = "reencrypt_lease";
const LAST_PASS: &str = "reencrypt_last_pass";
const AFTER_A_PASS: time::Duration = time::Duration::hours(1);

pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    crate::periodic::spawn_every(state, EVERY, |state| async move {
        match reencrypt_step(&state).await {
            Ok(Some(report)) if report.complete => tracing::info!(
                checked = report.checked,
                rewritten = report.rewritten,
                retired = report.retired.len(),
                "background re-encryption: pass complete"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(error = %error, "background re-encryption did not run"),
        }
    })
}

/// The field and blind-index versions in the keyring, as a signature: a pass is needed while
/// some purpose has more than one.
fn versions_signature(keyring: &Keyring) -> Option<String> {
    let purposes = [Purpose::Fields, Purpose::BlindIndex];
    if purposes.iter().all(|purpose| keyring.versions(*purpose).len() <= 1) {
        return None;
    }
    Some(
        purposes
            .iter()
            .map(|purpose| format!("{}={:?}", purpose.name(), keyring.versions(*purpose)))
            .collect::<Vec<_>>()
            .join(";"),
    )
}

async fn release_claim(state: &AppState) -> Result<(), KeysError> {
    rampart_store::jobs::delete_job_progress(&state.db, LEASE).await?;
    Ok(())
}

/// The re-encryption, if one is needed now and this instance claimed it. Returns what it did.
pub async fn reencrypt_step(state: &AppState) -> Result<Option<ReencryptReport>, KeysError> {
    if !state.settings.keys.background_reencryption {
        return Ok(None);
    }
    let keyring = state.keyring.current();
    let Some(signature) = versions_signature(&keyring) else { return Ok(None) };
    let now = state.clock.now();
    if let Some(last) = find_job_progress(&state.db, LAST_PASS).await?
        && last.cursor == signature
        && now - last.updated_at < AFTER_A_PASS
    {
        return Ok(None);
    }
    let settle = settle_time(state.settings.keys.reload_interval());
    if !settle_remaining(&state.db, state.clock.as_ref(), settle).await?.is_zero() {
        return Ok(None);
    }
    if !claim_periodic_job(&state.db, LEASE, now, now - CLAIM_HOLDS).await? {
        return Ok(None);
    }
    let report = reencrypt(
        &state.db,
        &keyring,
        state.random.as_ref(),
        state.clock.as_ref(),
        BATCH_SIZE,
        None,
    )
    .await?;
    // Done: the claim is released, so the next rotation's pass need not wait for it to lapse.
    release_claim(state).await?;
    if report.complete {
        let last = JobProgressRow {
            name: LAST_PASS.into(),
            cursor: signature,
            checked: i64::try_from(report.checked).unwrap_or(i64::MAX),
            updated: i64::try_from(report.rewritten).unwrap_or(i64::MAX),
            updated_at: now,
        };
        save_job_progress(&state.db, &last).await?;
    }
    Ok(Some(report))
}
