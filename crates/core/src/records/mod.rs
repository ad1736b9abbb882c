//! Business records: collections defined at run time, and their records.
//!
//! - `collection.rs`: a collection's definition (schema, department scoping, public forms);
//! - `definitions.rs`: collections listed, read, created, changed and deleted;
//! - `forms.rs`: public website forms creating records (rate limit, honeypot);
//! - `edit.rs`: a caller's record writes (create, update, bin, restore): decided, audited;
//! - `write.rs`: creating and changing a record (validate, sanitise, check, seal, store);
//! - `seal.rs`: where a record's sensitive fields are encrypted, and its blind indexes made;
//! - `view.rs`: a record as a caller sees it (sensitive fields only for those who may);
//! - `reach.rs`: the collection and record a caller reaches, refusals audited;
//! - `list.rs`: a page of records (filter language, sort, cursor, the bin);
//! - `present.rs`: what a caller is shown of records, sensitive reads audited;
//! - `schema_change.rs`: a new definition applied to existing records, or refused;
//! - `purge.rs`: the bin, emptied after `records.bin_days`;
//! - `rekey.rs`: records in the key re-encryption job.
//!
//! Who reaches which record is decided in `access/records.rs`; the HTTP side (parsing, answers,
//! ETags) is the server crate's `routes/records/`. The schema, validation and the filter
//! language are pure rules in `rampart_domain::records`; the SQL in `rampart_store::records`.

mod collection;
pub mod definitions;
mod edit;
pub mod forms;
pub mod list;
mod present;
pub mod purge;
mod reach;
pub mod rekey;
pub mod schema_change;
pub mod seal;
pub mod view;
pub mod write;

pub use collection::{Collection, CollectionError, load_collection};
pub use edit::{EditError, bin_as, create_as, restore_as, update_as};
pub use present::{present, read_as};
pub use reach::{reach_by_id, reach_collection, reach_record};
pub use view::RecordView;

/// Why records could not be read for a caller.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Unknown, or not reached by this caller: the same to them (404 at the HTTP edge).
    #[error("no such collection or record")]
    NotReached,
    /// A sealed part did not open (a wrong key or a tampered row): the read fails closed.
    #[error("a record's sensitive fields could not be opened")]
    Unopenable(#[source] rampart_crypto::CryptoError),
    /// A blind index of a filtered value could not be computed (the keyring).
    #[error("a lookup could not be computed")]
    Index(#[source] rampart_crypto::CryptoError),
    /// A stored collection definition that does not parse.
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Store(#[from] rampart_store::StoreError),
}
