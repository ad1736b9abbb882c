//! Properties of `validate_document` over generated input: it never panics, and no message
//! ever contains a submitted value.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const MARKER: &str = "SECRET-";

/// Strings that carry the marker, with the characters most likely to trip a validator.
fn secret_string() -> impl Strategy<Value = String> {
    ("[a-zA-Z0-9 @.+()\\-:\n\t\u{0}é😀]{0,12}", "[a-zA-Z0-9@.\u{0}]{0,12}")
        .prop_map(|(before, after)| format!("{before}{MARKER}{after}"))
}

fn secret_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        secret_string().prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((secret_string(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn any_key() -> impl Strategy<Value = String> {
    let names: Vec<String> = test_schema().fields().iter().map(|f| f.name.to_string()).collect();
    prop_oneof![
        3 => prop::sample::select(names),
        1 => secret_string(),
        1 => Just("id".to_owned()),
    ]
}

fn any_document() -> impl Strategy<Value = Document> {
    prop::collection::vec((any_key(), secret_value()), 0..8)
        .prop_map(|entries| entries.into_iter().collect())
}

fn assert_no_echo(result: &Result<Document, DocumentErrors>) {
    if let Err(errors) = result {
        assert!(!errors.to_string().contains(MARKER), "{errors}");
        for error in errors {
            assert!(!error.field.contains(MARKER) && !error.message.contains(MARKER), "{error:?}");
        }
    }
}

proptest! {
    #[test]
    fn validation_never_panics_and_never_repeats_a_value(input in any_document(), previous in any_document()) {
        let schema = test_schema();
        assert_no_echo(&validate_document(&schema, &input, None));
        assert_no_echo(&validate_document(&schema, &input, Some(&previous)));
    }

    #[test]
    fn every_field_kind_refuses_secrets_without_repeating_them(value in secret_value()) {
        let schema = test_schema();
        for def in schema.fields() {
            let input: Document = [(def.name.to_string(), value.clone())].into_iter().collect();
            assert_no_echo(&validate_document(&schema, &input, None));
        }
    }
}

/// Builds `[[[…1…]]]` `depth` deep without recursion.
fn nested(depth: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// serde_json's `Drop` recurses; taking the value apart level by level keeps every drop shallow.
fn drop_iteratively(mut value: Value) {
    while let Value::Array(mut items) = value {
        value = items.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn json_nested_ten_thousand_deep_is_refused_without_overflowing_the_stack() {
    let schema = test_schema();
    let mut input = record(json!({}));
    input.insert("meta".into(), nested(10_000));
    let errors = validate_document(&schema, &input, None).unwrap_err();
    assert_eq!(errors.errors[0].code, "too_deep");
    if let Some(meta) = input.remove("meta") {
        drop_iteratively(meta);
    }
}
