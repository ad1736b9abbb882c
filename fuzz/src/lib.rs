//! What the fuzz targets share: one schema with every field kind, a sensitive searchable field
//! and a sensitive field that is not searchable.

use std::sync::OnceLock;

use rampart_domain::records::{CollectionSchema, Document};

pub fn schema() -> &'static CollectionSchema {
    static SCHEMA: OnceLock<CollectionSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_value(serde_json::json!([
            {"name": "title", "type": "text", "max_length": 100, "required": true, "unique": true},
            {"name": "notes", "type": "long_text", "max_length": 2000},
            {"name": "body", "type": "long_text", "rich": true},
            {"name": "count", "type": "integer", "min": 0, "max": 1000},
            {"name": "big", "type": "integer"},
            {"name": "total", "type": "decimal", "scale": 2, "required": true},
            {"name": "rate", "type": "decimal", "scale": 8},
            {"name": "paid", "type": "boolean"},
            {"name": "due", "type": "date_time"},
            {"name": "email", "type": "email"},
            {"name": "fax", "type": "phone"},
            {"name": "phone", "type": "phone", "sensitive": true, "searchable": true},
            {"name": "contact", "type": "email", "sensitive": true, "searchable": true, "unique": true},
            {"name": "ssn", "type": "text", "sensitive": true},
            {"name": "status", "type": "enum", "values": ["open", "won", "lost"], "required": true},
            {"name": "meta", "type": "json"},
            {"name": "customer", "type": "reference", "collection": "customers"}
        ]))
        .expect("the fuzz schema is valid")
    })
}

/// A valid stored document of [`schema`], the `previous` of an update.
pub fn previous() -> &'static Document {
    static PREVIOUS: OnceLock<Document> = OnceLock::new();
    PREVIOUS.get_or_init(|| {
        let serde_json::Value::Object(input) = serde_json::json!({
            "title": "Invoice 7", "total": 12.5, "status": "open", "count": 3,
            "phone": "+41446681800", "notes": "two\nlines", "due": "2026-12-01T10:00:00Z"
        }) else {
            unreachable!()
        };
        rampart_domain::records::validate_document(schema(), &input, None)
            .expect("the previous document is valid")
    })
}
