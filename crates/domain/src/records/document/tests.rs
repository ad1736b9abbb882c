use serde_json::{Value, json};

use super::*;
use crate::records::schema::FieldDef;
use crate::records::test_schema;

mod properties;

fn doc(value: Value) -> Document {
    match value {
        Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

/// The smallest valid record of the test schema, plus `extra`.
fn record(extra: Value) -> Document {
    let mut base = doc(json!({"title": "Invoice", "total": 10, "status": "open"}));
    base.extend(doc(extra));
    base
}

/// The one error of validating `extra` on top of a valid record.
fn only_error(extra: Value) -> FieldError {
    let errors = validate_document(&test_schema(), &record(extra), None).unwrap_err().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

fn stored(extra: Value) -> Document {
    validate_document(&test_schema(), &record(extra), None).unwrap()
}

#[test]
fn a_valid_record_comes_back_normalised_with_only_its_set_fields() {
    let result = stored(json!({
        "phone": "+41 (44) 668-18.00",
        "due": "2026-12-01T11:00:00+01:00",
        "email": "  Ada@Example.COM ",
        "customer": "0190A3C2-7D1E-7000-8000-00000000000F",
        "total": 19.99,
        "meta": {"a": [1, 2, {"b": null}]},
    }));
    assert_eq!(result["phone"], json!("+41446681800"));
    assert_eq!(result["due"], json!("2026-12-01T10:00:00.000000Z"));
    assert_eq!(result["email"], json!("Ada@Example.COM"));
    assert_eq!(result["customer"], json!("0190a3c2-7d1e-7000-8000-00000000000f"));
    assert_eq!(result["total"], json!(19.99));
    // Only set fields: `paid`, `notes`… were not sent and are not there as nulls.
    assert_eq!(result.len(), 8);
    assert!(result.values().all(|value| !value.is_null()));
}

#[test]
fn every_field_error_is_reported_at_once() {
    let input = doc(json!({"title": 5, "total": "x", "status": "maybe", "colour": "red"}));
    let errors = validate_document(&test_schema(), &input, None).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["colour", "title", "total", "status"]);
    assert!(errors.to_string().contains("`status` must be one of: open, won, lost"));
}

#[test]
fn an_unknown_field_is_refused_and_a_built_in_column_is_explained() {
    assert_eq!(only_error(json!({"colour": "red"})).code, "unknown_field");
    let column = only_error(json!({"owner_id": "x"}));
    assert_eq!(column.field, "owner_id");
    assert!(column.message.contains("built-in column"));
    // A key that is not even a name is not repeated.
    let odd = only_error(json!({"SECRET key": 1}));
    assert_eq!(odd.field, "_");
}

#[test]
fn a_required_field_must_be_present_and_cannot_be_cleared() {
    let missing = validate_document(&test_schema(), &doc(json!({"title": "a", "total": 1})), None);
    let error = missing.unwrap_err().errors.remove(0);
    assert_eq!((error.field.as_str(), error.code), ("status", "required"));
    assert_eq!(only_error(json!({"status": null})).message, "is required and cannot be cleared");
}

#[test]
fn an_update_applies_the_patch_to_the_stored_document() {
    let schema = test_schema();
    let previous = stored(json!({"notes": "old", "count": 3}));
    let patch = doc(json!({"notes": null, "count": 4}));
    let result = validate_document(&schema, &patch, Some(&previous)).unwrap();
    assert_eq!(result.get("notes"), None);
    assert_eq!(result["count"], json!(4));
    assert_eq!(result["title"], json!("Invoice"));
    // Clearing a required field in a patch is refused like leaving it out of a create.
    let clear =
        validate_document(&schema, &doc(json!({"title": null})), Some(&previous)).unwrap_err();
    assert_eq!(clear.errors[0].code, "required");
}

#[test]
fn an_update_drops_stored_keys_the_schema_no_longer_has() {
    let mut previous = stored(json!({}));
    previous.insert("removed_field".into(), json!("x"));
    previous.insert("paid".into(), Value::Null);
    let result = validate_document(&test_schema(), &Document::new(), Some(&previous)).unwrap();
    assert!(!result.contains_key("removed_field"));
    assert!(!result.contains_key("paid"));
}

#[test]
fn text_is_one_line_within_its_length() {
    assert_eq!(
        only_error(json!({"title": "x".repeat(101)})).message,
        "must be at most 100 characters"
    );
    assert!(stored(json!({"title": "é".repeat(100)})).contains_key("title"));
    assert_eq!(only_error(json!({"title": "a\nb"})).code, "control_character");
    assert_eq!(only_error(json!({"title": "a\rb"})).code, "control_character");
    assert_eq!(only_error(json!({"title": "a\tb"})).code, "control_character");
    assert_eq!(only_error(json!({"title": 1})).code, "type");
}

#[test]
fn nul_is_refused_with_its_own_message_because_postgresql_cannot_store_it() {
    let error = only_error(json!({"title": "a\u{0}b"}));
    assert_eq!(error.code, "nul_character");
    assert!(error.message.contains("NUL"));
    assert_eq!(only_error(json!({"notes": "a\u{0}"})).code, "nul_character");
    assert_eq!(only_error(json!({"meta": {"k": ["\u{0}"]}})).code, "nul_character");
    assert_eq!(only_error(json!({"meta": {"k\u{0}": 1}})).code, "nul_character");
}

#[test]
fn long_text_allows_line_breaks_and_tabs_but_no_other_control_character() {
    assert!(stored(json!({"notes": "a\nb\r\n\tc"})).contains_key("notes"));
    assert_eq!(only_error(json!({"notes": "a\u{7}b"})).code, "control_character");
    assert_eq!(only_error(json!({"notes": "x".repeat(2001)})).code, "too_long");
}

#[test]
fn integers_are_whole_within_their_bounds() {
    assert_eq!(stored(json!({"count": 7}))["count"], json!(7));
    assert_eq!(stored(json!({"count": 7.0}))["count"], json!(7));
    assert_eq!(only_error(json!({"count": 7.5})).code, "type");
    assert_eq!(only_error(json!({"count": "7"})).code, "type");
    assert_eq!(only_error(json!({"count": -1})).message, "must be at least 0");
    assert_eq!(only_error(json!({"count": 1001})).message, "must be at most 1000");
    let schema = CollectionSchema::parse(vec![FieldDef {
        name: FieldName::parse("n").unwrap(),
        kind: FieldKind::Integer { min: None, max: None },
        required: false,
        unique: false,
        sensitive: false,
        searchable: false,
    }])
    .unwrap();
    let check = |value: Value| validate_document(&schema, &doc(json!({"n": value})), None);
    assert!(check(json!(9_007_199_254_740_991_i64)).is_ok());
    assert!(check(json!(-9_007_199_254_740_991_i64)).is_ok());
    assert!(check(json!(9_007_199_254_740_992_i64)).is_err());
    assert!(check(json!(u64::MAX)).is_err());
    assert!(check(json!(1e300)).is_err());
}

#[test]
fn decimals_have_at_most_their_scale_of_decimals() {
    assert_eq!(stored(json!({"total": 0.1}))["total"], json!(0.1));
    assert_eq!(stored(json!({"total": 1.10}))["total"], json!(1.1));
    assert_eq!(stored(json!({"total": 5.0}))["total"], json!(5));
    assert_eq!(stored(json!({"total": -0.0}))["total"], json!(0));
    assert_eq!(stored(json!({"total": 0.1 + 0.2}))["total"], json!(0.3));
    assert_eq!(only_error(json!({"total": 1.005})).message, "must have at most 2 decimals");
    assert_eq!(only_error(json!({"total": 1e15})).code, "out_of_range");
    assert_eq!(only_error(json!({"total": -1e15})).code, "out_of_range");
    assert!(stored(json!({"total": 999_999_999_999_999.0})).contains_key("total"));
    assert_eq!(only_error(json!({"total": "1.00"})).code, "type");
}

#[test]
fn booleans_are_true_or_false() {
    assert_eq!(stored(json!({"paid": true}))["paid"], json!(true));
    assert_eq!(only_error(json!({"paid": "true"})).code, "type");
    assert_eq!(only_error(json!({"paid": 1})).code, "type");
}

#[test]
fn date_times_are_stored_in_utc_with_six_decimals() {
    let at = |text: &str| stored(json!({"due": text}))["due"].clone();
    assert_eq!(at("2026-12-01T10:00:00Z"), json!("2026-12-01T10:00:00.000000Z"));
    assert_eq!(at("2026-12-01T10:00:00.1234567-02:30"), json!("2026-12-01T12:30:00.123456Z"));
    assert_eq!(at("0001-01-01T00:00:00Z"), json!("0001-01-01T00:00:00.000000Z"));
    assert_eq!(only_error(json!({"due": "2026-12-01"})).code, "date_time");
    assert_eq!(only_error(json!({"due": "2026-12-01T10:00:00"})).code, "date_time");
    assert_eq!(only_error(json!({"due": "2026-13-01T10:00:00Z"})).code, "date_time");
    // Converting to UTC would leave the years 0001-9999.
    assert_eq!(only_error(json!({"due": "0001-01-01T00:00:00+01:00"})).code, "date_time");
    assert_eq!(only_error(json!({"due": "9999-12-31T23:30:00-01:00"})).code, "date_time");
}

#[test]
fn emails_are_parsed_and_kept_as_given_but_trimmed() {
    assert_eq!(stored(json!({"email": " Ada@Example.com"}))["email"], json!("Ada@Example.com"));
    let error = only_error(json!({"email": "not-an-address"}));
    assert_eq!(error.code, "email");
    assert!(error.message.contains('@'));
}

#[test]
fn phone_numbers_keep_only_digits_and_a_leading_plus() {
    let phone = |text: &str| stored(json!({"phone": text}))["phone"].clone();
    assert_eq!(phone("(044) 668 18 00"), json!("0446681800"));
    assert_eq!(phone("+1.555.123.4567"), json!("+15551234567"));
    for bad in
        ["12345", "1234567890123456", "+41 44 x 668", "41+446681800", "++41446681800", "٤٤٦٦٨١٨٠٠"]
    {
        assert_eq!(only_error(json!({"phone": bad})).code, "phone", "{bad}");
    }
}

#[test]
fn an_enum_takes_exactly_one_of_its_values() {
    assert!(stored(json!({"status": "won"})).contains_key("status"));
    let error = only_error(json!({"status": "Won"}));
    assert_eq!(error.message, "must be one of: open, won, lost");
}

#[test]
fn json_is_limited_in_depth_and_size() {
    let mut deep = json!(1);
    for _ in 0..16 {
        deep = json!([deep]);
    }
    assert!(stored(json!({"meta": deep.clone()})).contains_key("meta"));
    assert_eq!(only_error(json!({"meta": [deep]})).code, "too_deep");
    assert!(stored(json!({"meta": "x".repeat(65_000)})).contains_key("meta"));
    assert_eq!(only_error(json!({"meta": "x".repeat(65_535)})).code, "too_large");
}

#[test]
fn a_reference_is_a_uuid_in_lower_case() {
    for bad in [
        "0190a3c2-7d1e-7000-8000-00000000000",
        "0190a3c27d1e70008000000000000000",
        "0190a3c2-7d1e-7000-8000-00000000000g",
        "{0190a3c2-7d1e-7000-8000-000000000000}",
    ] {
        assert_eq!(only_error(json!({"customer": bad})).code, "uuid", "{bad}");
    }
}

#[test]
fn lookup_keys_are_the_canonical_text_of_equality() {
    let schema = test_schema();
    let kind = |name: &str| schema.field(name).unwrap().kind.clone();
    assert_eq!(
        lookup_key(&kind("email"), &json!("Ada@Example.COM")),
        Some("ada@example.com".into())
    );
    assert_eq!(lookup_key(&kind("title"), &json!("Café")), Some("Café".into()));
    assert_eq!(lookup_key(&kind("status"), &json!("won")), Some("won".into()));
    assert_eq!(lookup_key(&kind("count"), &json!(42)), Some("42".into()));
    assert_eq!(
        lookup_key(&kind("due"), &json!("2026-12-01T11:00:00+01:00")),
        Some("2026-12-01T10:00:00.000000Z".into())
    );
    assert_eq!(lookup_key(&kind("phone"), &json!("+41 44 668 18 00")), Some("+41446681800".into()));
    assert_eq!(
        lookup_key(&kind("customer"), &json!("0190A3C2-7D1E-7000-8000-00000000000F")),
        Some("0190a3c2-7d1e-7000-8000-00000000000f".into())
    );
    for none in ["total", "paid", "notes", "meta"] {
        assert_eq!(lookup_key(&kind(none), &json!(1)), None, "{none}");
    }
    assert_eq!(lookup_key(&kind("count"), &json!("not a number")), None);
}

#[test]
fn sensitive_fields_split_off_and_merge_back() {
    let schema = test_schema();
    let full = stored(json!({"phone": "+41446681800", "ssn": "756.1234.5678.97", "notes": "hi"}));
    let (plain, sensitive) = split_sensitive(&schema, &full);
    assert_eq!(sensitive.keys().collect::<Vec<_>>(), ["phone", "ssn"]);
    assert!(plain.contains_key("notes") && !plain.contains_key("phone"));
    assert_eq!(merge(plain, sensitive), full);
}

#[test]
fn a_key_the_schema_does_not_know_is_kept_with_the_sensitive_fields() {
    let (plain, sensitive) = split_sensitive(&test_schema(), &doc(json!({"mystery": 1})));
    assert!(plain.is_empty());
    assert_eq!(sensitive["mystery"], json!(1));
}
