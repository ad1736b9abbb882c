//! The time window a bundle covers, and its audit events, read once in chain order: the slice
//! the other files are derived from.

use rampart_store::Db;
use rampart_store::audit::{AuditFilter, AuditRow, list_audit_page};
use serde::Serialize;
use time::OffsetDateTime;

use super::ReportError;

/// Events at or after `since` and before `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

impl Window {
    pub fn new(since: OffsetDateTime, until: OffsetDateTime) -> Result<Self, ReportError> {
        if until <= since {
            return Err(ReportError::EmptyWindow);
        }
        Ok(Self { since, until })
    }
}

/// Rows read per query.
const PAGE: u64 = 1000;

/// Up to a page of the window's events matching `filter` (its times are replaced by the
/// window's) after position `after`, oldest first.
pub(crate) async fn page_after(
    db: &Db,
    window: Window,
    filter: &AuditFilter,
    after: i64,
) -> Result<Vec<AuditRow>, ReportError> {
    let filter =
        AuditFilter { since: Some(window.since), until: Some(window.until), ..filter.clone() };
    Ok(list_audit_page(db, &filter, after, PAGE).await?)
}

/// All the window's events matching `filter`, oldest first (for narrow filters: one reader's).
pub(crate) async fn events_in(
    db: &Db,
    window: Window,
    filter: AuditFilter,
) -> Result<Vec<AuditRow>, ReportError> {
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let page = page_after(db, window, &filter, after).await?;
        let Some(last) = page.last() else { return Ok(rows) };
        after = last.seq;
        rows.extend(page);
    }
}
