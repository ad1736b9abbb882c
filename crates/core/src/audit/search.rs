//! Searching the audit trail (`GET /api/audit`): newest first, a page at a time.

use rampart_store::StoreError;
use rampart_store::audit::search_audit_events;
pub use rampart_store::audit::{AuditFilter, AuditRow};

use crate::AppState;

/// Up to `limit` events matching `filter`, newest first; `more`: there are older ones.
pub async fn search_events(
    state: &AppState,
    filter: &AuditFilter,
    limit: u64,
) -> Result<(Vec<AuditRow>, bool), StoreError> {
    let mut rows = search_audit_events(&state.db, filter, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more))
}
