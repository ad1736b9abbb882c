//! `/api/users/*` and `/api/sessions`: what an administrator (`users:manage`) does to other
//! people's accounts: list and search them, list and end their sessions, disable and enable
//! them, end everyone's sessions, see and reset their second factors.

mod erase;
mod factors;
mod list;
mod sessions;
mod status;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let manage = Access::Permission(Permission::UsersManage);
    RouteTable::new()
        .get("/api/users", manage, list::list_users)
        .delete("/api/users/{id}", manage, erase::erase_user)
        .get("/api/users/{id}/sessions", manage, sessions::list_user_sessions)
        .delete("/api/users/{id}/sessions", manage, sessions::end_user_sessions)
        .get("/api/users/{id}/factors", manage, factors::list_user_factors)
        .delete("/api/users/{id}/factors", manage, factors::reset_user_factors)
        .post("/api/users/{id}/disable", manage, status::disable_user)
        .post("/api/users/{id}/enable", manage, status::enable_user)
        .delete("/api/sessions", manage, sessions::end_everyones_sessions)
}

#[derive(OpenApi)]
#[openapi(paths(
    list::list_users,
    erase::erase_user,
    sessions::list_user_sessions,
    sessions::end_user_sessions,
    factors::list_user_factors,
    factors::reset_user_factors,
    status::disable_user,
    status::enable_user,
    sessions::end_everyones_sessions,
))]
pub(super) struct Api;
