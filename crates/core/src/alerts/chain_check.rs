//! The hourly full verification of the audit trail on every instance: a broken trail raises
//! `audit_chain_broken` (what `rampart audit verify` runs too). Here, above both the trail and
//! the alerts, so that neither depends on the other.
//!
//! A broken trail is also *marked* broken (`audit_head.broken_seq`): from then on every action
//! that must be audited is refused — 503 `audit_unavailable` — until an operator starts a new
//! segment (`rampart audit new-segment`, `audit/segment.rs`). Neither the report nor the mark
//! depends on appending to the broken chain: the alert is stored without a chain event.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::AppState;
use crate::audit::{AuditError, Verification, verify_chain};

const EVERY: Duration = Duration::from_secs(3600);
/// Soon after start, so an instance restarted more often than hourly still checks.
const FIRST: Duration = Duration::from_secs(60);

/// [`verify_chain`], and a broken trail raised as the `audit_chain_broken` alert (what `rampart
/// audit verify` and the hourly check in `serve` run).
pub async fn verify_and_alert(state: &AppState) -> Result<Verification, AuditError> {
    let verification = verify_chain(&state.db, &state.keyring.current()).await?;
    if let Verification::Broken(found) = &verification {
        // The finding stands whatever happens next: a failure to mark or to alert is logged,
        // never allowed to replace the report.
        if let Err(error) = rampart_store::audit::mark_chain_broken(&state.db, found.seq()).await {
            tracing::error!(error = %error, "audit: could not mark the trail broken");
        }
        let details = serde_json::json!({ "first_break": found.to_string(), "seq": found.seq() });
        let rule = rampart_domain::AlertRule::AuditChainBroken;
        if let Err(error) = super::raise(state, rule, "audit_trail", details).await {
            tracing::error!(error = %error, "audit: could not raise audit_chain_broken");
        }
    }
    Ok(verification)
}

/// After an append found the chain not where its head says (rows moved behind its back): verify
/// now rather than within the hour, once at a time, unless the trail is already marked broken.
pub(crate) fn check_soon(state: &AppState) {
    let running = &state.alert_signals.chain_check;
    if running.swap(true, Ordering::AcqRel) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let marked = rampart_store::audit::find_chain_head(&state.db)
            .await
            .is_ok_and(|head| head.broken_seq.is_some());
        if !marked {
            match verify_and_alert(&state).await {
                Ok(Verification::Broken(found)) => {
                    tracing::error!(first_break = %found, "audit: the trail is NOT intact");
                }
                Ok(Verification::Intact(_)) => {}
                Err(error) => tracing::warn!(error = %error, "audit: could not verify the trail"),
            }
        }
        state.alert_signals.chain_check.store(false, Ordering::Release);
    });
}

/// Starts the hourly check; abort the handle to stop it.
pub(crate) fn start(state: &AppState) -> JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + FIRST, EVERY);
        loop {
            ticks.tick().await;
            match verify_and_alert(&state).await {
                Ok(Verification::Broken(found)) => {
                    tracing::error!(first_break = %found, "audit: the trail is NOT intact");
                }
                Ok(Verification::Intact(_)) => {}
                Err(error) => tracing::warn!(error = %error, "audit: could not verify the trail"),
            }
        }
    })
}
