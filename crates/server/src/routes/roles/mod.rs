//! `/api/roles` and `/api/users/{id}/roles`: the roles there are (built-in and custom), and who
//! holds which, where. Everything here needs `roles:manage`; every change also needs a recent
//! re-authentication (step-up), and nobody can give more than they hold.
//!
//! - `custom.rs`: custom roles made of `resource:action` permissions;
//! - `grants.rs`: granting a role to a user for all departments or listed ones, and revoking it.

mod custom;
mod grants;

use axum::routing::{get, put};
use rampart_domain::Permission;
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    let manage = Permission::RolesManage;
    RouteTable::new()
        .permitted("/api/roles", manage, get(custom::list_roles).post(custom::create_role))
        .permitted(
            "/api/roles/{name}",
            manage,
            put(custom::change_role).delete(custom::delete_role),
        )
        .permitted("/api/users/{id}/roles", manage, get(grants::list_grants))
        .permitted(
            "/api/users/{id}/roles/{role}",
            manage,
            put(grants::grant).delete(grants::revoke),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    custom::list_roles,
    custom::create_role,
    custom::change_role,
    custom::delete_role,
    grants::list_grants,
    grants::grant,
    grants::revoke,
))]
pub(super) struct Api;
