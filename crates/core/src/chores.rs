//! The background chores every serving instance runs beside its listeners: the data keys kept
//! current, the outbox delivered, the audit chain sealed and checked, alerts delivered, the
//! records bin and expired sessions purged, the backup schedule watched, old ciphertexts
//! re-encrypted, SQLite's write-ahead log truncated. Each reports its own failures and tries again at its next round.

use std::time::Duration;

use rampart_crypto::MasterKey;
use tokio::task::JoinHandle;

use crate::AppState;
use crate::alerts::WebhookClient;
use crate::mail::worker::DeliveryWorker;

/// How often SQLite's write-ahead log is folded into the database and truncated.
const WAL_TRUNCATION: Duration = Duration::from_secs(600);

/// The running chores; [`Chores::stop`] ends them.
#[derive(Debug)]
pub struct Chores {
    tasks: Vec<JoinHandle<()>>,
    mail: Option<DeliveryWorker>,
}

impl Chores {
    /// Starts every chore. `master_key` unwraps the data keys other instances add; `webhook`
    /// POSTs alerts (`None`: webhook deliveries fail, are retried, then marked dead).
    pub fn start(
        state: &AppState,
        master_key: MasterKey,
        webhook: Option<impl WebhookClient>,
    ) -> Self {
        let keyring_reload = tokio::spawn(state.keyring.clone().keep_current(
            state.db.clone(),
            master_key,
            state.settings.keys.reload_interval(),
        ));
        let tasks = vec![
            keyring_reload,
            crate::audit::start_worker(state),
            crate::alerts::start_delivery(state, webhook),
            crate::alerts::start_chain_check(state),
            crate::records::purge::start(state),
            crate::sessions::start_expiry(state),
            crate::backup::start_schedule(state),
            crate::keys::start_background_reencryption(state),
            start_wal_truncation(state),
        ];
        Self { tasks, mail: DeliveryWorker::start(state) }
    }

    /// Stops every chore; the message the mail worker has in hand, if any, may finish within
    /// `grace` (the rest stay queued for the next start).
    pub async fn stop(self, grace: Duration) {
        for task in &self.tasks {
            task.abort();
        }
        if let Some(worker) = self.mail {
            worker.stop(grace).await;
        }
    }
}

fn start_wal_truncation(state: &AppState) -> JoinHandle<()> {
    crate::periodic::spawn_every(state, WAL_TRUNCATION, |state| async move {
        if let Err(error) = state.db.truncate_wal().await {
            tracing::warn!(error = %error, "the write-ahead log was not truncated; trying again later");
        }
    })
}
