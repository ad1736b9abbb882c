//! `/api/users/*` and `/api/sessions`: what an administrator (`users:manage`) does to other
//! people's accounts: list and end their sessions, disable and enable them, end everyone's
//! sessions, see and reset their second factors.

mod factors;
mod sessions;
mod status;

use axum::routing::{delete, get, post};
use rampart_domain::Permission;
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    let manage = Permission::UsersManage;
    RouteTable::new()
        .permitted(
            "/api/users/{id}/sessions",
            manage,
            get(sessions::list_user_sessions).delete(sessions::end_user_sessions),
        )
        .permitted(
            "/api/users/{id}/factors",
            manage,
            get(factors::list_user_factors).delete(factors::reset_user_factors),
        )
        .permitted("/api/users/{id}/disable", manage, post(status::disable_user))
        .permitted("/api/users/{id}/enable", manage, post(status::enable_user))
        .permitted("/api/sessions", manage, delete(sessions::end_everyones_sessions))
}

#[derive(OpenApi)]
#[openapi(paths(
    sessions::list_user_sessions,
    sessions::end_user_sessions,
    factors::list_user_factors,
    factors::reset_user_factors,
    status::disable_user,
    status::enable_user,
    sessions::end_everyones_sessions,
))]
pub(super) struct Api;
