//! `/api/collections`: what the business stores, defined at run time. Defining, changing and
//! deleting a collection needs `collections:manage` (each handler's first check); reading a
//! definition needs only to reach the collection (`access/records.rs`; anyone else gets 404, as
//! for a collection that does not exist).
//!
//! - `definition.rs`: the definition a client sends, checked;
//! - `manage.rs`: the handlers.

mod definition;
mod manage;

use axum::routing::get;
use utoipa::OpenApi;

use super::RouteTable;

pub(super) fn routes() -> RouteTable {
    RouteTable::new()
        .record_policy(
            "/api/collections",
            get(manage::list_collections).post(manage::create_collection),
        )
        .record_policy(
            "/api/collections/{name}",
            get(manage::get_collection)
                .put(manage::change_collection)
                .delete(manage::delete_collection),
        )
}

#[derive(OpenApi)]
#[openapi(paths(
    manage::list_collections,
    manage::create_collection,
    manage::get_collection,
    manage::change_collection,
    manage::delete_collection,
))]
pub(super) struct Api;
