//! Any JSON object as a record of the fuzz schema, on create and as an update. Nothing may panic;
//! a valid document must be a fixed point of validation, split and merge back to itself, and
//! give every field a lookup key without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_domain::records::{lookup_key, merge, split_sensitive, validate_document};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(input)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let schema = rampart_fuzz::schema();
    let created = validate_document(schema, &input, None);
    let _ = validate_document(schema, &input, Some(rampart_fuzz::previous()));
    // What the store hands back is trusted, but must not be able to crash validation either.
    let _ = validate_document(schema, &input, Some(&input));
    let Ok(document) = created else {
        return;
    };
    assert_eq!(validate_document(schema, &document, None).as_ref(), Ok(&document));
    let (plain, sensitive) = split_sensitive(schema, &document);
    assert_eq!(merge(plain, sensitive), document);
    for def in schema.fields() {
        if let Some(value) = document.get(def.name.as_str()) {
            let _ = lookup_key(&def.kind, value);
        }
    }
});
