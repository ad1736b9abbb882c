//! Business records: collections defined at run time, and their records.
//!
//! - `collection.rs`: a collection's definition (schema, department scoping, public forms);
//! - `write.rs`: creating and changing a record (validate, sanitise, check, seal, store);
//! - `seal.rs`: where a record's sensitive fields are encrypted, and its blind indexes made;
//! - `view.rs`: a record as a caller sees it (sensitive fields only for those who may);
//! - `schema_change.rs`: a new definition applied to existing records, or refused;
//! - `purge.rs`: the bin, emptied after `records.bin_days`;
//! - `rekey.rs`: records in the key re-encryption job.
//!
//! Who reaches which record is decided in `access/records.rs`; the HTTP side is
//! `routes/records/`. The schema, validation and the filter language are pure rules in
//! `rampart_domain::records`; the SQL in `rampart_store::records`.

mod collection;
pub mod purge;
pub mod rekey;
pub mod schema_change;
pub mod seal;
pub mod view;
pub mod write;

pub use collection::{Collection, CollectionError, load_collection};
pub use view::RecordView;
