//! Which rules an audit event sets off, with the facts each rule needs read from the database.

use rampart_domain::detection::{
    is_authz_failure_burst, is_credential_stuffing, is_mass_sensitive_reading,
    is_mfa_failure_burst, is_password_spraying, is_privileged_grant, is_success_after_failures,
};
use rampart_domain::{AlertRule, AuditAction};
use rampart_store::StoreError;
use rampart_store::audit::{count_recent_events, sum_recent_event_counts};
use rampart_store::sign_in_throttle::{
    count_addresses_tried_from_ip, count_failing_clients_and_addresses,
};
use serde_json::{Value, json};

use super::raise;
use crate::AppState;
use crate::audit::AuditEvent;

/// A rule that fired: about what, and what the security officer should see.
struct Finding {
    rule: AlertRule,
    subject: String,
    details: Value,
}

/// Runs the rules over `event`; raises what fires. Detection never fails the request that was
/// audited: a fault here is logged.
pub(crate) async fn observe(state: &AppState, event: &AuditEvent) {
    let found = match findings(state, event).await {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(error = %error, action = %event.action(), "detection could not read its facts");
            return;
        }
    };
    for finding in found {
        if let Err(error) = raise(state, finding.rule, &finding.subject, finding.details).await {
            tracing::error!(error = %error, rule = %finding.rule, "an alert could not be stored");
        }
    }
}

async fn findings(state: &AppState, event: &AuditEvent) -> Result<Vec<Finding>, StoreError> {
    let settings = &state.settings.alerts;
    let thresholds = settings.thresholds();
    let now = state.clock.now();
    let window = now - settings.window();
    let burst = now - settings.burst_window();
    let db = &state.db;
    let target = event.target_name().map(str::to_owned);
    let actor = event.actor_id();
    let about_account = || target.clone().unwrap_or_else(|| "unknown account".to_owned());
    let by_actor = || actor.map_or_else(|| "unknown".to_owned(), |id| format!("user:{id}"));
    let one = |rule, subject: String, details| vec![Finding { rule, subject, details }];

    Ok(match event.action() {
        AuditAction::BackupFailed => {
            let reason = event.detail_str("reason").unwrap_or("unknown").to_owned();
            one(AlertRule::BackupFailed, "deployment".to_owned(), json!({ "reason": reason }))
        }
        AuditAction::AuthnLoginLock => one(AlertRule::AccountThrottled, about_account(), json!({})),
        AuditAction::AuthnLoginFail => {
            let Some(ip) = event.ip().map(|ip| ip.to_string()) else { return Ok(Vec::new()) };
            let mut found = Vec::new();
            let tried = count(count_addresses_tried_from_ip(db, &ip, window).await?);
            if is_password_spraying(tried, &thresholds) {
                let details = json!({ "addresses_tried": tried });
                found.push(Finding {
                    rule: AlertRule::PasswordSpraying,
                    subject: format!("ip:{ip}"),
                    details,
                });
            }
            let (clients, addresses) = count_failing_clients_and_addresses(db, window).await?;
            let (clients, addresses) = (count(clients), count(addresses));
            if is_credential_stuffing(clients, addresses, &thresholds) {
                let details = json!({ "failing_clients": clients, "addresses_tried": addresses });
                found.push(Finding {
                    rule: AlertRule::CredentialStuffing,
                    subject: "deployment".to_owned(),
                    details,
                });
            }
            found
        }
        AuditAction::AuthnLoginSuccess => {
            let Some(target) = &target else { return Ok(Vec::new()) };
            let failures = count(
                count_recent_events(db, "authn_login_fail", None, Some(target), window).await?,
            );
            if !is_success_after_failures(failures, &thresholds) {
                return Ok(Vec::new());
            }
            one(AlertRule::SuccessAfterFailures, target.clone(), json!({ "failures": failures }))
        }
        AuditAction::AuthnNewDevice => one(AlertRule::NewDevice, about_account(), json!({})),
        AuditAction::AuthnMfaFail => {
            let failures =
                count(count_recent_events(db, "authn_mfa_fail", actor, None, window).await?);
            if !is_mfa_failure_burst(failures, &thresholds) {
                return Ok(Vec::new());
            }
            one(AlertRule::MfaFailureBurst, by_actor(), json!({ "failures": failures }))
        }
        AuditAction::AuthnRecoveryCodeUsed => {
            one(AlertRule::RecoveryCodeUsed, by_actor(), json!({}))
        }
        AuditAction::AuthnMfaRemoved => one(AlertRule::FactorRemoved, about_account(), json!({})),
        AuditAction::PrivilegePermissionsChanged => {
            let role = event.detail_str("role").unwrap_or_default();
            if event.detail_str("change") != Some("granted") || !is_privileged_grant(role) {
                return Ok(Vec::new());
            }
            one(
                AlertRule::PrivilegedRoleGranted,
                about_account(),
                json!({ "role": role, "by": by_actor() }),
            )
        }
        AuditAction::SensitiveRead => {
            // Each event covers `count` records (one page of a list).
            let reads =
                sum_recent_event_counts(db, "sensitive_read", actor, burst, "count").await?;
            if !is_mass_sensitive_reading(reads, &thresholds) {
                return Ok(Vec::new());
            }
            one(AlertRule::MassSensitiveReads, by_actor(), json!({ "reads": reads }))
        }
        AuditAction::AuthzFail => {
            let refusals = count(count_recent_events(db, "authz_fail", actor, None, burst).await?);
            if !is_authz_failure_burst(refusals, &thresholds) {
                return Ok(Vec::new());
            }
            one(AlertRule::AuthzFailureBurst, by_actor(), json!({ "refusals": refusals }))
        }
        AuditAction::KeyRotated => {
            let purpose = event.detail_str("purpose").unwrap_or("unknown").to_owned();
            one(AlertRule::KeyRotated, format!("key:{purpose}"), json!({ "purpose": purpose }))
        }
        AuditAction::LockdownChanged => {
            let on = event.detail_bool("active").unwrap_or(true);
            let subject = if on { "lockdown:on" } else { "lockdown:off" };
            one(
                AlertRule::LockdownChanged,
                subject.to_owned(),
                json!({ "active": on, "by": by_actor() }),
            )
        }
        _ => Vec::new(),
    })
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
