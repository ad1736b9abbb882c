//! Storing an alert (once per rule, subject and window, across instances), recording it in the
//! audit trail, and waking the delivery worker and the live feeds.

use rampart_domain::{AlertRule, AuditAction};
use rampart_store::StoreError;
use rampart_store::alerts::{NewAlert, insert_alert};
use serde_json::Value;
use time::OffsetDateTime;

use crate::AppState;
use crate::audit::AuditEvent;

/// Raises `rule` about `subject`. Returns the new alert's id, or `None` when it already fired for
/// this subject in the current window.
pub async fn raise(
    state: &AppState,
    rule: AlertRule,
    subject: &str,
    details: Value,
) -> Result<Option<i64>, StoreError> {
    let settings = &state.settings.alerts;
    let now = state.clock.now();
    let window = match rule {
        AlertRule::AuthzFailureBurst | AlertRule::MassSensitiveReads => settings.burst_window_secs,
        _ => settings.window_secs,
    };
    let mut sinks = Vec::new();
    if settings.webhook_url.is_some() {
        sinks.push("webhook");
    }
    if settings.email_security_officers {
        sinks.push("email");
    }
    let alert = NewAlert {
        rule: rule.as_str().to_owned(),
        severity: rule.severity().as_str().to_owned(),
        subject: subject.to_owned(),
        window_start: window_start(now, window),
        raised_at: now,
        details: details.to_string(),
    };
    let transaction = state.db.begin().await?;
    let Some(id) = insert_alert(&transaction, &alert, &sinks).await? else { return Ok(None) };
    if rule == AlertRule::AuditChainBroken {
        // The chain cannot take the event that would record this alert: the alert's own row is
        // the record, and the new segment's first entry names the break.
        transaction.commit().await?;
    } else {
        let event = AuditEvent::success(AuditAction::AlertRaised)
            .target(format!("alert:{id}"))
            .detail("rule", rule.as_str())
            .detail("severity", rule.severity().as_str())
            .detail("subject", subject);
        crate::audit::commit_with(state, transaction, &event).await?;
    }
    tracing::warn!(alert_id = id, rule = %rule, severity = rule.severity().as_str(), "alert raised");
    state.metrics.alert_raised(rule.as_str(), rule.severity().as_str());
    state.alert_signals.delivery.notify_one();
    state.alert_signals.feed.notify_waiters();
    Ok(Some(id))
}

/// The start of the fixed window of `window_secs` that `now` falls in.
fn window_start(now: OffsetDateTime, window_secs: u64) -> OffsetDateTime {
    let window = i64::try_from(window_secs.max(1)).unwrap_or(i64::MAX);
    let start = now.unix_timestamp() - now.unix_timestamp().rem_euclid(window);
    OffsetDateTime::from_unix_timestamp(start).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_one_window_share_its_start_and_the_next_window_does_not() {
        let at = |secs| OffsetDateTime::from_unix_timestamp(secs).unwrap();
        assert_eq!(window_start(at(1_200), 600), at(1_200));
        assert_eq!(window_start(at(1_799), 600), at(1_200));
        assert_eq!(window_start(at(1_800), 600), at(1_800));
    }
}
