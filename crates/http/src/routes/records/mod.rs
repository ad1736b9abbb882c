//! `/api/collections/{name}/records`: the business records API. Every route is signed in and
//! decided by the collection's and the record's rules (`access/records.rs`): the function level
//! (`records:read`, `records:write`, or a customer's own records), the object level (another
//! department's or another customer's record answers 404, audited) and the field level
//! (sensitive fields absent without `records:read_sensitive`; writing them refused).
//!
//! - `list.rs`: filter, sort, cursor pages, and the bin;
//! - `read.rs`: one record, with its `ETag`;
//! - `create.rs`, `update.rs` (`If-Match` → 409 on a stale version), `delete.rs` (bin, restore).
//!
//! What the caller reaches (404, audited, for the rest) and what they are shown of a record
//! (the `sensitive_read` audit) are the use cases' (`records/reach.rs`, `records/present.rs`).

mod create;
mod delete;
mod list;
mod read;
mod update;

use utoipa::OpenApi;

use super::{Access, RouteTable};

pub(super) fn routes() -> RouteTable {
    let records = Access::RecordPolicy;
    RouteTable::new()
        .get("/api/collections/{name}/records", records, list::list_records)
        .post("/api/collections/{name}/records", records, create::create_record)
        .get("/api/collections/{name}/records/{id}", records, read::get_record)
        .patch("/api/collections/{name}/records/{id}", records, update::update_record)
        .delete("/api/collections/{name}/records/{id}", records, delete::delete_record)
        .post("/api/collections/{name}/records/{id}/restore", records, delete::restore_record)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list::list_records,
        create::create_record,
        read::get_record,
        update::update_record,
        delete::delete_record,
        delete::restore_record,
    ),
    components(schemas(crate::routes::schemas::RecordViewSchema))
)]
pub(super) struct Api;

/// Descriptions several record routes share.
const NOT_REACHED: &str = "`not_found`: no such collection or record, or the caller does not \
    reach it (another department's or customer's)";
