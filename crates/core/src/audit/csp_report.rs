//! A browser's report that one of our pages broke its Content-Security-Policy.
//!
//! Our pages run no inline code and load nothing from elsewhere, so a violation means someone
//! tried to inject something (a hostile string that got past escaping), a browser extension
//! meddled, or we shipped a bug: each is worth an audit event. Anyone can send a report, so the
//! fields are cut short, and each client address is recorded at most [`REPORTS_PER_HOUR`] times
//! an hour (counted in the database, like public forms, so every instance sees the count);
//! beyond that the reports are dropped without a word.

use rampart_domain::AuditAction;
use rampart_store::StoreError;
use rampart_store::forms::count_form_submission;
use time::Duration;

use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::unit_of_work::record;

/// Reports recorded per client address and hour; the rest are dropped.
pub const REPORTS_PER_HOUR: i64 = 20;
const WINDOW: Duration = Duration::hours(1);
/// The counter's bucket: a name no collection can have (collection names have no `-`), so the
/// public forms' counter table serves here too without a clash.
const BUCKET: &str = "csp-report";
/// The longest value kept of each field: enough to see what was blocked, not a dumping ground.
const FIELD_CHARS: usize = 200;

/// What the report says, as the browser sent it (untrusted text).
#[derive(Debug, Clone, Default)]
pub struct CspViolation {
    /// The page that broke the policy (`document-uri`).
    pub page: String,
    /// The directive it broke (`effective-directive`, else `violated-directive`).
    pub directive: String,
    /// What was blocked (`blocked-uri`: a URL, `inline` or `eval`).
    pub blocked: String,
}

/// Records `violation` as a `csp_violation` event, unless the client sent too many this hour.
/// Whether it was recorded.
pub async fn record_csp_violation(
    state: &AppState,
    client: &ClientContext,
    violation: &CspViolation,
) -> Result<bool, StoreError> {
    let window_start = rampart_domain::clock::window_start(state.clock.now(), WINDOW);
    let ip = client.ip.to_canonical().to_string();
    if count_form_submission(&state.db, BUCKET, &ip, window_start).await? > REPORTS_PER_HOUR {
        return Ok(false);
    }
    let event = AuditEvent::failure(AuditAction::CspViolation)
        .client(client)
        .target(format!("page:{}", cut(&violation.page)))
        .detail("directive", cut(&violation.directive))
        .detail("blocked", cut(&violation.blocked))
        .detail("page", cut(&violation.page));
    record(state, event).await?;
    Ok(true)
}

/// At most [`FIELD_CHARS`] characters of `text`.
fn cut(text: &str) -> String {
    text.chars().take(FIELD_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fields_are_cut_short() {
        assert_eq!(cut(&"a".repeat(1000)).len(), FIELD_CHARS);
        assert_eq!(cut("inline"), "inline");
    }
}
