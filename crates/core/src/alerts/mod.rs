//! Alerts: the detection rules run over every audit event (`detect.rs`, rules in
//! `rampart_domain::detection`), a rule that fires stores an alert once per window and subject
//! (`raise.rs`), and every alert is delivered to its sinks — the signed webhook and e-mail to
//! the owners and security officers — with retries (`deliver.rs`, `webhook.rs`). The live feed
//! (`GET /api/alerts/stream`) reads the table, so it sees alerts raised on any instance. The
//! hourly verification of the audit trail raises `audit_chain_broken` (`chain_check.rs`).

mod chain_check;
mod deliver;
mod detect;
mod raise;
mod read;
mod webhook;

use std::sync::Arc;

use tokio::sync::Notify;

pub use chain_check::verify_and_alert;
pub(crate) use chain_check::{check_soon as check_chain_soon, start as start_chain_check};
pub(crate) use deliver::start as start_delivery;
pub(crate) use detect::observe;
pub use raise::raise;
pub use read::{
    AlertRow, AlertWithDeliveries, DeliveryRow, alert_page, alerts_after, last_alert_id,
    set_alert_status,
};
pub use webhook::{SignedAlert, WebhookClient};

/// Wakes this instance's delivery worker and live feeds when it raised an alert (other instances
/// find it on their next poll, within a second).
#[derive(Debug, Clone, Default)]
pub struct AlertSignals {
    pub(crate) delivery: Arc<Notify>,
    pub(crate) feed: Arc<Notify>,
    /// A verification of the audit trail is running on this instance (one at a time).
    pub(crate) chain_check: Arc<std::sync::atomic::AtomicBool>,
}

impl AlertSignals {
    /// Resolves when this instance raises its next alert: live feeds wait on it between polls.
    pub async fn raised_here(&self) {
        self.feed.notified().await;
    }
}
