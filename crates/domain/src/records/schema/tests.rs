use serde_json::json;

use super::*;
use crate::records::test_schema;

fn field(value: serde_json::Value) -> FieldDef {
    serde_json::from_value(value).unwrap()
}

fn schema_of(fields: serde_json::Value) -> Result<CollectionSchema, SchemaError> {
    let fields: Vec<FieldDef> = serde_json::from_value(fields).unwrap();
    CollectionSchema::parse(fields)
}

#[test]
fn a_field_reads_its_type_and_options_beside_its_flags() {
    let def = field(json!({"name": "total", "type": "decimal", "scale": 2, "required": true}));
    assert_eq!(def.name.as_str(), "total");
    assert_eq!(def.kind, FieldKind::Decimal { scale: 2 });
    assert!(def.required && !def.unique && !def.sensitive && !def.searchable);
}

#[test]
fn options_left_out_take_their_defaults() {
    assert_eq!(
        field(json!({"name": "a", "type": "text"})).kind,
        FieldKind::Text { max_length: 1000 }
    );
    assert_eq!(
        field(json!({"name": "a", "type": "long_text"})).kind,
        FieldKind::LongText { rich: false, max_length: 100_000 }
    );
    assert_eq!(
        field(json!({"name": "a", "type": "decimal"})).kind,
        FieldKind::Decimal { scale: 2 }
    );
    assert_eq!(
        field(json!({"name": "a", "type": "integer"})).kind,
        FieldKind::Integer { min: None, max: None }
    );
}

#[test]
fn a_field_serializes_to_the_shape_it_is_read_from() {
    let schema = test_schema();
    let text = serde_json::to_value(&schema).unwrap();
    assert!(text.is_array());
    assert_eq!(
        text[4],
        json!({"name": "total", "type": "decimal", "scale": 2, "required": true, "unique": false, "sensitive": false, "searchable": false})
    );
    let back: CollectionSchema = serde_json::from_value(text).unwrap();
    assert_eq!(back, schema);
}

#[test]
fn unknown_keys_and_options_of_another_type_are_refused() {
    let unknown =
        serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "text", "colour": 1}));
    assert!(unknown.unwrap_err().to_string().contains("colour"));
    let wrong =
        serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "text", "scale": 2}));
    assert!(
        wrong.unwrap_err().to_string().contains("`scale` does not apply to a field of type text")
    );
    assert!(serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "colour"})).is_err());
    assert!(serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "enum"})).is_err());
    assert!(serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "reference"})).is_err());
    assert!(serde_json::from_value::<FieldDef>(json!({"name": "Bad", "type": "text"})).is_err());
    assert!(serde_json::from_value::<FieldDef>(json!({"name": "id", "type": "text"})).is_err());
}

#[test]
fn a_field_kind_alone_reads_its_tagged_form() {
    let kind: FieldKind =
        serde_json::from_value(json!({"type": "reference", "collection": "customers"})).unwrap();
    assert_eq!(
        kind,
        FieldKind::Reference { collection: CollectionName::parse("customers").unwrap() }
    );
    assert!(serde_json::from_value::<FieldKind>(json!({"type": "text", "x": 1})).is_err());
    // serde lets an internally tagged unit variant ignore extra keys; a FieldDef does not.
    assert!(
        serde_json::from_value::<FieldDef>(json!({"name": "a", "type": "boolean", "x": 1}))
            .is_err()
    );
}

#[test]
fn a_schema_has_between_one_and_a_hundred_fields() {
    assert_eq!(CollectionSchema::parse(vec![]), Err(SchemaError::NoFields));
    let many: Vec<serde_json::Value> =
        (0..101).map(|i| json!({"name": format!("f{i}"), "type": "text"})).collect();
    assert_eq!(schema_of(json!(many)), Err(SchemaError::TooManyFields));
    assert!(schema_of(json!(many[..100])).is_ok());
}

#[test]
fn field_names_must_be_distinct() {
    let result =
        schema_of(json!([{"name": "a", "type": "text"}, {"name": "a", "type": "integer"}]));
    assert_eq!(result, Err(SchemaError::DuplicateField { field: "a".into() }));
}

#[test]
fn only_a_sensitive_field_can_be_searchable() {
    let result = schema_of(json!([{"name": "a", "type": "text", "searchable": true}]));
    assert_eq!(result, Err(SchemaError::SearchableNotSensitive { field: "a".into() }));
    assert!(
        schema_of(json!([{"name": "a", "type": "text", "searchable": true, "sensitive": true}]))
            .is_ok()
    );
}

#[test]
fn a_searchable_field_needs_a_kind_with_a_lookup_form() {
    for kind in ["text", "email", "phone", "integer", "date_time"] {
        let fields = json!([{"name": "a", "type": kind, "sensitive": true, "searchable": true}]);
        assert!(schema_of(fields).is_ok(), "{kind}");
    }
    for kind in ["long_text", "decimal", "boolean", "json"] {
        let fields = json!([{"name": "a", "type": kind, "sensitive": true, "searchable": true}]);
        assert!(matches!(schema_of(fields), Err(SchemaError::NoLookupForm { .. })), "{kind}");
    }
}

#[test]
fn unique_is_refused_on_kinds_without_a_lookup_form() {
    // Uniqueness is enforced through a blind index of the lookup form, sensitive or not.
    for kind in ["long_text", "json", "boolean", "decimal"] {
        let result = schema_of(json!([{"name": "a", "type": kind, "unique": true}]));
        assert!(matches!(result, Err(SchemaError::UniqueNotForType { .. })), "{kind}");
    }
    assert!(schema_of(json!([{"name": "a", "type": "integer", "unique": true}])).is_ok());
}

#[test]
fn a_sensitive_field_can_be_unique_through_its_blind_index() {
    assert!(
        schema_of(json!([{"name": "a", "type": "email", "unique": true, "sensitive": true}]))
            .is_ok()
    );
    // …but only if it has a lookup form to index.
    let decimal =
        schema_of(json!([{"name": "a", "type": "decimal", "unique": true, "sensitive": true}]));
    assert!(matches!(decimal, Err(SchemaError::NoLookupForm { .. })));
}

#[test]
fn length_scale_and_bounds_stay_within_their_limits() {
    let refused = |fields| schema_of(fields).unwrap_err();
    assert!(matches!(
        refused(json!([{"name": "a", "type": "text", "max_length": 10_001}])),
        SchemaError::MaxLength { .. }
    ));
    assert!(matches!(
        refused(json!([{"name": "a", "type": "text", "max_length": 0}])),
        SchemaError::MaxLength { .. }
    ));
    assert!(schema_of(json!([{"name": "a", "type": "text", "max_length": 10_000}])).is_ok());
    assert!(matches!(
        refused(json!([{"name": "a", "type": "long_text", "max_length": 1_000_001}])),
        SchemaError::MaxLength { .. }
    ));
    assert!(matches!(
        refused(json!([{"name": "a", "type": "decimal", "scale": 9}])),
        SchemaError::Scale { .. }
    ));
    assert!(matches!(
        refused(json!([{"name": "a", "type": "integer", "min": -9_007_199_254_740_992_i64}])),
        SchemaError::IntegerBound { .. }
    ));
    assert!(matches!(
        refused(json!([{"name": "a", "type": "integer", "min": 5, "max": 4}])),
        SchemaError::MinAboveMax { .. }
    ));
}

#[test]
fn enum_values_are_few_short_and_distinct() {
    let refused = |values: serde_json::Value| {
        schema_of(json!([{"name": "a", "type": "enum", "values": values}])).unwrap_err()
    };
    assert!(matches!(refused(json!([])), SchemaError::EnumValueCount { .. }));
    let many: Vec<String> = (0..201).map(|i| format!("v{i}")).collect();
    assert!(matches!(refused(json!(many)), SchemaError::EnumValueCount { .. }));
    assert!(matches!(refused(json!([""])), SchemaError::EnumValue { .. }));
    assert!(matches!(refused(json!(["x".repeat(101)])), SchemaError::EnumValue { .. }));
    assert!(matches!(refused(json!(["a\u{0}b"])), SchemaError::EnumValue { .. }));
    assert!(matches!(refused(json!(["open", "open"])), SchemaError::EnumDuplicate { .. }));
}

#[test]
fn schema_messages_say_what_to_fix() {
    let message = SchemaError::SearchableNotSensitive { field: "phone".into() }.to_string();
    assert!(message.contains("`phone`") && message.contains("sensitive"));
}

#[test]
fn a_schema_finds_its_fields_by_name() {
    let schema = test_schema();
    assert_eq!(schema.field("status").unwrap().kind.type_name(), "enum");
    assert!(schema.field("id").is_none());
    assert_eq!(schema.fields().len(), 14);
}
