//! `/api/roles` and `/api/users/{id}/roles`: the roles there are (built-in and custom), and who
//! holds which, where. Everything here needs `roles:manage`; every change also needs a recent
//! re-authentication (step-up), and nobody can give more than they hold.
//!
//! - `custom.rs`: custom roles made of `resource:action` permissions;
//! - `grants.rs`: granting a role to a user for all departments or listed ones, and revoking it.

mod custom;
mod grants;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::RolesManage);
    RouteTable::new()
        .get("/api/roles", manage, custom::list_roles)
        .post("/api/roles", manage, custom::create_role)
        .put("/api/roles/{name}", manage, custom::change_role)
        .delete("/api/roles/{name}", manage, custom::delete_role)
        .get("/api/users/{id}/roles", manage, grants::list_grants)
        .put("/api/users/{id}/roles/{role}", manage, grants::grant)
        .delete("/api/users/{id}/roles/{role}", manage, grants::revoke)
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
