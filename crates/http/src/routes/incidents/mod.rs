//! `/api/incidents`: incidents with their timelines, and containment taken from one
//! (`incident:manage`; every write also needs a fresh re-authentication, like lockdown).
//!
//! - `read.rs`: list, and one with its timeline;
//! - `write.rs`: open, update (severity, summary, status — `closed` closes for good — and a note);
//! - `containment.rs`: revoke sessions or API keys, disable an account, force password resets.

mod containment;
mod read;
mod write;

use rampart_core::incident::incidents::IncidentRow;
use rampart_domain::Permission;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{Access, RouteTable};
use rampart_core::incident::timeline::TimelineEntry;

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::IncidentManage);
    RouteTable::new()
        .get("/api/incidents", manage, read::list_incidents)
        .post("/api/incidents", manage, write::open_incident)
        .get("/api/incidents/{id}", manage, read::get_incident)
        .patch("/api/incidents/{id}", manage, write::update_incident)
        .post("/api/incidents/{id}/containment", manage, containment::contain)
}

#[derive(OpenApi)]
#[openapi(paths(
    read::list_incidents,
    write::open_incident,
    read::get_incident,
    write::update_incident,
    containment::contain,
))]
pub(super) struct Api;

/// One incident (with its timeline when asked for one).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct IncidentView {
    id: Uuid,
    /// `low`, `medium`, `high` or `critical`.
    severity: String,
    summary: String,
    /// `open`, `contained` or `closed` (final).
    status: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    opened_at: OffsetDateTime,
    /// Who opened it (none: the command line).
    opened_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    closed_at: Option<OffsetDateTime>,
    /// Oldest first: notes, alerts raised and containment taken while it was open, and its own
    /// changes (`GET /api/incidents/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::routes::schemas::TimelineEntrySchema>>)]
    timeline: Option<Vec<TimelineEntry>>,
}

impl IncidentView {
    fn of(row: IncidentRow, timeline: Option<Vec<TimelineEntry>>) -> Self {
        Self {
            id: row.id,
            severity: row.severity,
            summary: row.summary,
            status: row.status,
            opened_at: row.opened_at,
            opened_by: row.opened_by,
            updated_at: row.updated_at,
            closed_at: row.closed_at,
            timeline,
        }
    }
}

const FORBIDDEN: &str = "`forbidden`: the caller does not hold `incident:manage`";
const FORBIDDEN_OR_REAUTH: &str = "`forbidden`: the caller does not hold `incident:manage`; \
    `reauth_required`: step up first (`POST /api/auth/reauth`)";
const LOCKDOWN: &str = "`lockdown`: the caller may not act during a lockdown";
