//! `/api/me/*`: the signed-in user's own account, sessions and API keys.

mod api_keys;
mod profile;
mod sessions;

use axum::routing::{delete, get};
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    RouteTable::new()
        .signed_in("/api/me", get(profile::me))
        .signed_in("/api/me/sessions", get(sessions::list_my_sessions))
        .signed_in("/api/me/sessions/{id}", delete(sessions::end_my_session))
        .signed_in(
            "/api/me/api-keys",
            get(api_keys::list_my_api_keys).post(api_keys::create_my_api_key),
        )
        .signed_in("/api/me/api-keys/{id}", delete(api_keys::revoke_my_api_key))
}

#[derive(OpenApi)]
#[openapi(paths(
    profile::me,
    sessions::list_my_sessions,
    sessions::end_my_session,
    api_keys::list_my_api_keys,
    api_keys::create_my_api_key,
    api_keys::revoke_my_api_key,
))]
pub(super) struct Api;
