//! The hourly full verification of the audit trail on every instance: a broken trail raises
//! `audit_chain_broken` (what `rampart audit verify` runs too). Here, above both the trail and
//! the alerts, so that neither depends on the other.

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
        let details = serde_json::json!({ "first_break": found.to_string(), "seq": found.seq() });
        super::raise(state, rampart_domain::AlertRule::AuditChainBroken, "audit_trail", details)
            .await?;
    }
    Ok(verification)
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
