//! Business records: collections defined at run time, each record a JSON document checked
//! against its collection's schema.
//!
//! Pure rules only — the store turns [`TypedFilter`] and [`Sort`] into SQL, encrypts what
//! [`split_sensitive`] sets apart and checks that references exist.
//!
//! - [`names`]: collection, field and department names.
//! - [`schema`]: field kinds and the rules a schema must follow.
//! - [`document`]: validating and normalising a record's fields.
//! - [`filter`] and [`typed_filter`]: the filter language, parsed, then checked against a schema.
//! - [`sort`]: the order of a list.

pub mod document;
pub mod filter;
pub mod names;
pub mod schema;
pub mod sort;
pub mod typed_filter;

pub use document::{
    Document, DocumentErrors, FieldError, lookup_key, merge, split_sensitive, validate_document,
};
pub use filter::{CompareOp, Filter, FilterError, Literal, parse_filter};
pub use names::{CollectionName, DepartmentName, FieldName, NameError, RESERVED_FIELDS};
pub use schema::{CollectionSchema, FieldDef, FieldKind, SchemaError};
pub use sort::{Sort, SortError, SortKey, parse_sort};
pub use typed_filter::{Column, FilterAccess, Scalar, Target, TypedFilter, check_filter};

/// A schema with every kind of field, shared by the tests of this module.
#[cfg(test)]
pub(crate) fn test_schema() -> CollectionSchema {
    serde_json::from_value(serde_json::json!([
        {"name": "title", "type": "text", "max_length": 100, "required": true, "unique": true},
        {"name": "notes", "type": "long_text", "max_length": 2000},
        {"name": "body", "type": "long_text", "rich": true},
        {"name": "count", "type": "integer", "min": 0, "max": 1000},
        {"name": "total", "type": "decimal", "scale": 2, "required": true},
        {"name": "paid", "type": "boolean"},
        {"name": "due", "type": "date_time"},
        {"name": "email", "type": "email"},
        {"name": "phone", "type": "phone", "sensitive": true, "searchable": true},
        {"name": "fax", "type": "phone"},
        {"name": "ssn", "type": "text", "sensitive": true},
        {"name": "status", "type": "enum", "values": ["open", "won", "lost"], "required": true},
        {"name": "meta", "type": "json"},
        {"name": "customer", "type": "reference", "collection": "customers"}
    ]))
    .expect("the test schema is valid")
}
