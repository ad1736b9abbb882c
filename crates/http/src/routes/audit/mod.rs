//! `/api/audit`: searching the audit trail (`audit:read`). Verification and export are commands
//! (`rampart audit verify | export`): they read the whole trail.

mod search;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    RouteTable::new().get(
        "/api/audit",
        Access::Permission(Permission::AuditRead),
        search::search_audit,
    )
}

#[derive(OpenApi)]
#[openapi(paths(search::search_audit))]
pub(super) struct Api;
