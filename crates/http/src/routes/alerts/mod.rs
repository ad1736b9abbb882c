//! `/api/alerts`: what the detection rules raised (`audit:read` to see them, `incident:manage`
//! to acknowledge or resolve them), and the live feed.

mod list;
mod status;
mod stream;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let read = Access::Permission(Permission::AuditRead);
    let manage = Access::Permission(Permission::IncidentManage);
    RouteTable::new()
        .get("/api/alerts", read, list::list_alerts)
        .get("/api/alerts/stream", read, stream::alert_stream)
        .post("/api/alerts/{id}/status", manage, status::set_alert_status)
}

#[derive(OpenApi)]
#[openapi(paths(list::list_alerts, stream::alert_stream, status::set_alert_status))]
pub(super) struct Api;
