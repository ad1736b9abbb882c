//! Before values are rewritten under a new key version, every instance must hold that version:
//! an instance still on the previous keyring (each re-reads it every `keys.reload_interval_secs`)
//! could not find an e-mail address or a record whose blind index was already rebuilt, nor read a
//! field sealed under the new key. The rewrite therefore waits until the newest field and
//! blind-index keys are older than two reload intervals (and a second).

use std::time::Duration;

use rampart_crypto::Purpose;
use rampart_domain::Clock;
use rampart_store::Db;
use rampart_store::keys::list_keys;

use super::KeysError;
use super::load::identify;

/// How long a new key must have existed before re-encryption starts, for `reload_interval`.
pub fn settle_time(reload_interval: Duration) -> Duration {
    reload_interval * 2 + Duration::from_secs(1)
}

/// How much longer the newest field and blind-index keys must exist before they are `settle`
/// old (zero: they are).
pub async fn settle_remaining(
    db: &Db,
    clock: &dyn Clock,
    settle: Duration,
) -> Result<Duration, KeysError> {
    let mut newest = None;
    for row in list_keys(db).await? {
        let (purpose, _) = identify(&row)?;
        if matches!(purpose, Purpose::Fields | Purpose::BlindIndex) {
            newest = newest.max(Some(row.created_at));
        }
    }
    let Some(newest) = newest else { return Ok(Duration::ZERO) };
    let age = (clock.now() - newest).max(time::Duration::ZERO);
    Ok(settle.saturating_sub(age.try_into().unwrap_or(Duration::MAX)))
}

/// Waits (really sleeps) until the newest field and blind-index keys are `settle` old; returns
/// how long it waited.
pub async fn wait_for_every_instance(
    db: &Db,
    clock: &dyn Clock,
    settle: Duration,
) -> Result<Duration, KeysError> {
    let wait = settle_remaining(db, clock, settle).await?;
    if !wait.is_zero() {
        tracing::info!(
            seconds = wait.as_secs_f64(),
            "re-encryption waits for every instance to load the new keys"
        );
        tokio::time::sleep(wait).await;
    }
    Ok(wait)
}
