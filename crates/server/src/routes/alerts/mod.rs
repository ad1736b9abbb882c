//! `/api/alerts`: what the detection rules raised (`audit:read` to see them, `incident:manage`
//! to acknowledge or resolve them), and the live feed.

mod list;
mod status;
mod stream;

use axum::routing::{get, post};
use rampart_domain::Permission;
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    RouteTable::new()
        .permitted("/api/alerts", Permission::AuditRead, get(list::list_alerts))
        .permitted("/api/alerts/stream", Permission::AuditRead, get(stream::alert_stream))
        .permitted(
            "/api/alerts/{id}/status",
            Permission::IncidentManage,
            post(status::set_alert_status),
        )
}

#[derive(OpenApi)]
#[openapi(paths(list::list_alerts, stream::alert_stream, status::set_alert_status))]
pub(super) struct Api;
