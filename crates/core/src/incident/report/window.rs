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
    /// Whether `at` falls in the window (at or after `since`, before `until`).
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.since <= at && at < self.until
    }

    pub fn new(since: OffsetDateTime, until: OffsetDateTime) -> Result<Self, ReportError> {
        if until <= since {
            return Err(ReportError::EmptyWindow);
        }
        Ok(Self { since, until })
    }
}

/// Rows read per query.
const PAGE: u64 = 1000;

/// One page read for a window: the events inside it, and the position to read on from.
pub(crate) struct Page {
    pub rows: Vec<AuditRow>,
    /// The last position the query returned (inside the window or not); `None`: nothing left.
    pub last_seq: Option<i64>,
}

/// Up to a page of the window's events matching `filter` (its times are replaced by the
/// window's) after position `after`, oldest first. SQLite keeps times as RFC 3339 text, whose
/// order is not the times' order within one second ("…:22Z" sorts after "…:22.85Z"): the query
/// asks for a second more on each side, and the window is applied exactly here.
pub(crate) async fn page_after(
    db: &Db,
    window: Window,
    filter: &AuditFilter,
    after: i64,
) -> Result<Page, ReportError> {
    let second = time::Duration::seconds(1);
    let filter = AuditFilter {
        since: Some(window.since - second),
        until: Some(window.until + second),
        ..filter.clone()
    };
    let rows = list_audit_page(db, &filter, after, PAGE).await?;
    let last_seq = rows.last().map(|row| row.seq);
    let rows = rows.into_iter().filter(|row| window.contains(row.entry.at)).collect();
    Ok(Page { rows, last_seq })
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
        let Some(last_seq) = page.last_seq else { return Ok(rows) };
        after = last_seq;
        rows.extend(page.rows);
    }
}
