//! A session as its user (or an administrator) sees it: never the token or its hash.

use rampart_core::sessions::SessionRow;
use rampart_domain::device::browser_family;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionView {
    id: Uuid,
    /// The browser family, e.g. "firefox".
    device: &'static str,
    user_agent: String,
    ip: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    last_seen_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// Whether this is the session the request came through.
    current: bool,
}

/// The sessions among `rows` that are still usable, as views.
pub(crate) fn session_views(rows: Vec<SessionRow>, current: Option<Uuid>) -> Vec<SessionView> {
    rows.into_iter()
        .map(|row| SessionView {
            id: row.id,
            device: browser_family(&row.user_agent),
            current: Some(row.id) == current,
            user_agent: row.user_agent,
            ip: row.ip,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            expires_at: row.expires_at,
        })
        .collect()
}
