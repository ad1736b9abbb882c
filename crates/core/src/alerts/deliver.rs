//! The delivery loop: every instance runs it; a delivery is claimed for a lease before it is
//! attempted, so one instance sends it. It wakes when this instance raises an alert, and every
//! second for the rest (retries, alerts raised elsewhere). A failed attempt is retried after 1 s,
//! doubling up to 5 minutes; after `alerts.max_attempts` it is marked `dead`, which the API shows.

use std::time::Duration;

use rampart_store::alerts::{
    AlertRow, DeliveryOutcome, DeliveryRow, claim_due_deliveries, find_alert, finish_delivery,
};
use rampart_store::roles::list_users_with_roles;
use tokio::task::JoinHandle;

use super::webhook::WebhookClient;
use crate::AppState;
use crate::accounts::find_account_by_id;
use crate::mail::{OutgoingEmail, enqueue};
use crate::unit_of_work::UnitOfWork;

const POLL: Duration = Duration::from_secs(1);
const LEASE: time::Duration = time::Duration::seconds(60);
const BATCH: u64 = 20;
const MAX_RETRY_SECS: i64 = 300;

/// Starts the loop; abort the handle to stop it. Without a `client` (it could not be built),
/// webhook deliveries fail and are retried, then marked dead, as the API shows.
pub(crate) fn start<W: WebhookClient>(state: &AppState, client: Option<W>) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = deliver_due(&state, client.as_ref()).await {
                tracing::warn!(error = %error, "alerts: could not claim deliveries; retrying");
            }
            tokio::select! {
                () = state.alert_signals.delivery.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

async fn deliver_due(
    state: &AppState,
    client: Option<&impl WebhookClient>,
) -> Result<(), rampart_store::StoreError> {
    loop {
        let now = state.clock.now();
        let claimed = claim_due_deliveries(&state.db, now, now + LEASE, BATCH).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        for delivery in &claimed {
            let Some(alert) = find_alert(&state.db, delivery.alert_id).await? else { continue };
            let attempt = match delivery.sink.as_str() {
                "webhook" => match client {
                    Some(client) => super::webhook::send(state, client, &alert).await,
                    None => Err("no webhook client".to_owned()),
                },
                "email" => email_officers(state, &alert).await,
                other => Err(format!("unknown sink {other}")),
            };
            finish(state, delivery, attempt).await?;
        }
    }
}

async fn finish(
    state: &AppState,
    delivery: &DeliveryRow,
    attempt: Result<(), String>,
) -> Result<(), rampart_store::StoreError> {
    let now = state.clock.now();
    let attempts = delivery.attempts + 1;
    let outcome = match &attempt {
        Ok(()) => DeliveryOutcome::Delivered,
        Err(error)
            if attempts
                >= i32::try_from(state.settings.alerts.max_attempts).unwrap_or(i32::MAX) =>
        {
            tracing::error!(alert_id = delivery.alert_id, sink = %delivery.sink, attempts, error = %error, "alert delivery dead after the last attempt");
            DeliveryOutcome::Dead { error }
        }
        Err(error) => {
            let wait = (1_i64 << attempts.clamp(0, 20).saturating_sub(1)).min(MAX_RETRY_SECS);
            tracing::warn!(alert_id = delivery.alert_id, sink = %delivery.sink, attempts, error = %error, retry_in_secs = wait, "alert delivery failed");
            DeliveryOutcome::Retry { at: now + time::Duration::seconds(wait), error }
        }
    };
    finish_delivery(&state.db, delivery, outcome, now).await
}

/// Queues the alert, by e-mail, to every owner and security officer.
async fn email_officers(state: &AppState, alert: &AlertRow) -> Result<(), String> {
    let officers = list_users_with_roles(&state.db, &["owner", "security_officer"])
        .await
        .map_err(|_| "the officers could not be read".to_owned())?;
    let subject =
        format!("[{}] {} alert: {}", state.settings.accounts.site_name, alert.severity, alert.rule);
    let body = format!(
        "Rampart raised an alert.\n\nRule: {}\nSeverity: {}\nAbout: {}\nAt: {} (Unix time)\nDetails: {}\n\n\
         See it with GET /api/alerts; what it means and what to do: docs/monitoring.md.\n",
        alert.rule,
        alert.severity,
        alert.subject,
        alert.raised_at.unix_timestamp(),
        alert.details
    );
    let mut addresses = Vec::new();
    for id in officers {
        let Ok(Some(account)) = find_account_by_id(state, id).await else { continue };
        addresses.push(account.email);
    }
    let queue_failed = |_| "the e-mail could not be queued".to_owned();
    let mut work =
        UnitOfWork::begin(state).await.map_err(|_| "the outbox is unavailable".to_owned())?;
    for to in addresses {
        let message = OutgoingEmail { to, subject: subject.clone(), body: body.clone() };
        enqueue(&mut work, message).await.map_err(queue_failed)?;
    }
    work.commit().await.map_err(|_| "the e-mail could not be queued".to_owned())
}
