//! `/api/collections`: what the business stores, defined at run time. Defining, changing and
//! deleting a collection needs `collections:manage` (each handler's first check); reading a
//! definition needs only to reach the collection (`access/records.rs`; anyone else gets 404, as
//! for a collection that does not exist).
//!
//! - `definition.rs`: the definition a client sends, checked;
//! - `manage.rs`: the handlers.

mod definition;
mod manage;

use rampart_domain::Permission;
use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    // Reading a definition follows the records policy (the collections a caller reaches);
    // changing one takes `collections:manage`.
    let manage = Access::Permission(Permission::CollectionsManage);
    RouteTable::new()
        .get("/api/collections", Access::RecordPolicy, manage::list_collections)
        .post("/api/collections", manage, manage::create_collection)
        .get("/api/collections/{name}", Access::RecordPolicy, manage::get_collection)
        .put("/api/collections/{name}", manage, manage::change_collection)
        .delete("/api/collections/{name}", manage, manage::delete_collection)
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
