//! The delivery loop: started by `serve` when `smtp.host` is set, stopped with the server.
//!
//! It wakes when a message is queued on this instance, and every `smtp.poll_interval_secs` for
//! the rest (retries, messages queued by other instances). Each round claims due messages for a
//! lease, checks once that the relay can be reached, then sends them one by one:
//! - delivered: deleted;
//! - the relay cannot be reached (down, TLS refused, our credentials refused): released untried,
//!   so an outage or a configuration mistake costs no attempts and loses no mail;
//! - refused by the relay: retried after 30 s, doubling up to an hour; after `smtp.max_attempts`
//!   refusals it is logged and deleted (the links it holds expire anyway, and a message the relay
//!   keeps refusing should not be retried forever);
//! - does not decrypt: logged as `crypt_decrypt_fail` and deleted (fail closed).
//!
//! A send that succeeded but whose deletion failed is sent again after the lease: delivery is at
//! least once. Logs carry the outbox id and the failure's kind, nothing of the message.

use std::sync::Arc;
use std::time::Duration;

use rampart_store::outbox::{
    OutboxRow, claim_due_outbox_messages, delete_outbox_message, release_outbox_message,
    reschedule_outbox_message,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use rampart_domain::AuditAction;

use super::open_message;
use super::smtp::{Relay, SendFailure};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::unit_of_work::record;

/// Messages claimed per round.
const BATCH: u64 = 10;
/// The shortest claim; longer when one message may take longer (see [`lease_for`]).
const MIN_LEASE: Duration = Duration::from_secs(60);
const FIRST_RETRY_SECS: u64 = 30;
const MAX_RETRY_SECS: u64 = 3600;

/// The running worker; [`DeliveryWorker::stop`] ends it.
#[derive(Debug)]
pub(crate) struct DeliveryWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DeliveryWorker {
    /// Starts delivery, or, without `smtp.host`, says once that mail will wait in the outbox.
    pub(crate) fn start(state: &AppState) -> Option<Self> {
        let Some(relay) = state.mailer.relay.clone() else {
            tracing::warn!(
                "smtp.host is not set: e-mail is not sent; messages wait in the outbox until it is"
            );
            return None;
        };
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(state.clone(), relay, stopped));
        Some(Self { stop, task })
    }

    /// Asks the loop to stop after the message in hand, and waits for it up to `grace`.
    pub(crate) async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}

async fn run(state: AppState, relay: Arc<Relay>, mut stop: watch::Receiver<bool>) {
    let interval = state.settings.smtp.poll_interval();
    let mut worker = Round { state: &state, relay: &relay, stop: stop.clone(), relay_down: false };
    loop {
        worker.deliver_due().await;
        tokio::select! {
            _ = stop.changed() => break,
            () = state.mailer.wake.notified() => {}
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// How a batch ended.
enum Batch {
    /// Every message was delivered, rescheduled or dropped.
    Sent,
    /// The claim ran short (slow sends): the rest were given back, to be claimed afresh.
    LeaseShort,
    /// The relay went away, or the worker is stopping: the rest were given back.
    Stopped,
}

struct Round<'a> {
    state: &'a AppState,
    relay: &'a Relay,
    stop: watch::Receiver<bool>,
    /// Whether the last check found the relay unusable (to log an outage once, not every poll).
    relay_down: bool,
}

impl Round<'_> {
    /// Sends everything due, batch after batch, until nothing is due or the relay is down.
    async fn deliver_due(&mut self) {
        let lease = lease_for(self.relay.budget);
        loop {
            let now = self.state.clock.now();
            let claimed = match claim_due_outbox_messages(&self.state.db, now, lease, BATCH).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(error = %error, "outbox: could not claim messages; retrying at the next poll");
                    return;
                }
            };
            if claimed.is_empty() {
                return;
            }
            let full = claimed.len() as u64 == BATCH;
            match self.send_all(&claimed).await {
                Batch::Sent if full => {}
                Batch::LeaseShort => {}
                Batch::Sent | Batch::Stopped => return,
            }
        }
    }

    /// Sends claimed messages; when it stops early, the rest are given back.
    async fn send_all(&mut self, claimed: &[OutboxRow]) -> Batch {
        if let Err(kind) = self.relay.check_reachable().await {
            self.note_relay(Some(&kind));
            self.release(claimed, Some(&kind)).await;
            return Batch::Stopped;
        }
        self.note_relay(None);
        for (index, row) in claimed.iter().enumerate() {
            if *self.stop.borrow() {
                self.release(&claimed[index..], None).await;
                return Batch::Stopped;
            }
            if !self.lease_covers_a_send(row) {
                self.release(&claimed[index..], None).await;
                return Batch::LeaseShort;
            }
            if let Err(kind) = self.deliver(row).await {
                self.note_relay(Some(&kind));
                self.release(&claimed[index..], Some(&kind)).await;
                return Batch::Stopped;
            }
        }
        Batch::Sent
    }

    /// One message: `Err` only when the relay went away (the message is then still claimed).
    async fn deliver(&self, row: &OutboxRow) -> Result<(), String> {
        let keyring = self.state.keyring.current();
        let message = match open_message(&keyring, row.id, &row.message_ciphertext) {
            Ok(message) => message,
            Err(_) => {
                tracing::error!(outbox_id = %row.id, "crypt_decrypt_fail: a queued e-mail does not decrypt; dropped");
                let event = AuditEvent::failure(AuditAction::CryptDecryptFail)
                    .target(format!("outbox:{}", row.id))
                    .detail("field", "outbox.message");
                if let Err(error) = record(self.state, event).await {
                    tracing::error!(error = %error, "audit: could not record crypt_decrypt_fail");
                }
                self.delete(row).await;
                return Ok(());
            }
        };
        match self.relay.send(row.id, &message).await {
            Ok(()) => {
                tracing::info!(outbox_id = %row.id, attempts = row.attempts + 1, "e-mail delivered");
                self.delete(row).await;
                Ok(())
            }
            Err(SendFailure::RelayDown(kind)) => Err(kind),
            Err(SendFailure::Refused(kind)) => {
                self.refused(row, &kind).await;
                Ok(())
            }
        }
    }

    async fn refused(&self, row: &OutboxRow, kind: &str) {
        let attempts = row.attempts.saturating_add(1);
        if attempts >= i64::from(self.state.settings.smtp.max_attempts) {
            tracing::error!(outbox_id = %row.id, attempts, smtp_error = kind, "e-mail refused by the relay too often; dropped");
            self.delete(row).await;
            return;
        }
        let next = self.state.clock.now() + retry_delay(row.attempts);
        tracing::warn!(outbox_id = %row.id, attempts, smtp_error = kind, "e-mail refused by the relay; will retry");
        if let Err(error) = reschedule_outbox_message(&self.state.db, row.id, next, kind).await {
            tracing::warn!(outbox_id = %row.id, error = %error, "outbox: could not reschedule; the claim will expire");
        }
    }

    async fn delete(&self, row: &OutboxRow) {
        if let Err(error) = delete_outbox_message(&self.state.db, row.id).await {
            tracing::warn!(outbox_id = %row.id, error = %error, "outbox: could not delete a finished message");
        }
    }

    async fn release(&self, rows: &[OutboxRow], kind: Option<&str>) {
        for row in rows {
            if let Err(error) = release_outbox_message(&self.state.db, row.id, kind).await {
                tracing::warn!(outbox_id = %row.id, error = %error, "outbox: could not release a claim; it will expire");
            }
        }
    }

    /// Logs an outage when it starts and when it ends, not at every poll.
    fn note_relay(&mut self, down: Option<&str>) {
        match (down, self.relay_down) {
            (Some(kind), false) => {
                tracing::warn!(
                    smtp_error = kind,
                    "SMTP relay unusable; e-mail waits in the outbox"
                );
            }
            (None, true) => tracing::info!("SMTP relay usable again"),
            _ => {}
        }
        self.relay_down = down.is_some();
    }

    /// Whether the claim outlasts the longest a send can take, so no other instance takes the
    /// message over while it is being sent.
    fn lease_covers_a_send(&self, row: &OutboxRow) -> bool {
        let left = row.claimed_until.map(|until| until - self.state.clock.now());
        left.is_some_and(|left| left > self.relay.budget)
    }
}

/// Long enough for a whole batch, one send at a time, with room to spare.
fn lease_for(budget: Duration) -> time::Duration {
    let needed = budget.saturating_mul(2);
    time::Duration::try_from(needed.max(MIN_LEASE)).unwrap_or(time::Duration::HOUR)
}

/// The wait after the `failures`+1-th refusal: 30 s, doubling, at most an hour.
fn retry_delay(failures: i64) -> time::Duration {
    let doublings = u32::try_from(failures.clamp(0, 16)).unwrap_or(16);
    let secs = FIRST_RETRY_SECS.saturating_mul(1 << doublings).min(MAX_RETRY_SECS);
    time::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_thirty_seconds_to_at_most_an_hour() {
        let delays: Vec<i64> = (0..9).map(|n| retry_delay(n).whole_seconds()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(i64::MAX).whole_seconds(), 3600);
    }

    #[test]
    fn the_lease_outlasts_a_send() {
        assert_eq!(lease_for(Duration::from_secs(30)), time::Duration::seconds(60));
        assert_eq!(lease_for(Duration::from_secs(90)), time::Duration::seconds(180));
    }
}
