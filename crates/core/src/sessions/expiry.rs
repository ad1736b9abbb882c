//! Expired sessions leave the database: an hourly chore on every instance. An expired session
//! already counts for nothing (every check compares `expires_at`); deleting it keeps the table,
//! and a stolen copy of the database, to the sessions that could still be used.

use std::time::Duration;

use rampart_store::StoreError;
use rampart_store::sessions::delete_sessions_expired_before;
use tokio::task::JoinHandle;

use crate::AppState;

const EVERY: Duration = Duration::from_secs(3600);

/// Deletes every session past its absolute expiry; returns how many went.
pub async fn purge_expired_sessions(state: &AppState) -> Result<u64, StoreError> {
    delete_sessions_expired_before(&state.db, state.clock.now()).await
}

pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    crate::periodic::spawn_every(state, EVERY, |state| async move {
        if let Err(error) = purge_expired_sessions(&state).await {
            tracing::warn!(error = %error, "sessions: expired sessions were not purged; retrying in an hour");
        }
    })
}
