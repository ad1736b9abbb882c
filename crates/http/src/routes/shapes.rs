//! JSON Schemas for the fields a handler parses further than their JSON type: the document
//! states the rule the handler applies, so that a client (or schemathesis) sending what the
//! schema allows is not refused, and what it refuses is outside the schema. `#[schema(schema_with
//! = …)]` takes a function without arguments, hence one function per shape.

use rampart_domain::Permission;
use serde_json::json;
use utoipa::openapi::schema::{
    AdditionalProperties, Array, ArrayBuilder, Object, ObjectBuilder, SchemaType, Type,
};

use crate::ApiError;

/// A slug: a collection, role or field name (`rampart_domain::records::names`).
pub(crate) fn slug_schema() -> Object {
    string_matching("^[a-z][a-z0-9_]{0,62}$")
}

/// A department's name: a slug that may also contain `-`.
pub(crate) fn department_name_schema() -> Object {
    string_matching("^[a-z][a-z0-9_-]{0,62}$")
}

/// A display title (`rampart_domain::title`): one line of 1 to 100 characters, not blank.
pub(crate) fn title_schema() -> Object {
    text_schema(false, 100)
}

/// Text that is not blank, of at most `max` characters, without control characters (but line
/// breaks where `lines`): what `trim`, `char::is_control` and a count of characters accept.
pub(crate) fn text_schema(lines: bool, max: usize) -> Object {
    let other = if lines { r"[^\x00-\x09\x0b-\x1f\x7f-\x9f]" } else { r"[^\x00-\x1f\x7f-\x9f]" };
    let visible = r"[^\s\x00-\x1f\x7f-\x9f]";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^{other}*{visible}{other}*$")))
        .min_length(Some(1))
        .max_length(Some(max))
        .build()
}

/// One line of at most `max` characters, possibly empty: no control characters.
pub(crate) fn line_schema(max: usize) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^[^\x00-\x1f\x7f-\x9f]*$"))
        .max_length(Some(max))
        .build()
}

/// Why, for the audit trail or a timeline: one line of at most 500 characters, possibly empty.
pub(crate) fn reason_schema() -> Object {
    line_schema(500)
}

/// Department names, or `null` (every department).
pub(crate) fn department_names_schema() -> Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(department_name_schema())
        .build()
}

/// Permission names (`resource:action`), each known.
pub(crate) fn permission_names_schema() -> Array {
    ArrayBuilder::new().items(one_of(Permission::ALL.map(Permission::as_str))).build()
}

/// One of `values`: a string the handler parses into an enum of its own.
pub(crate) fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.into_iter().map(str::to_owned)))
        .build()
}

/// What `navigator.credentials.get()` gives, as JSON: webauthn-rs' `PublicKeyCredential`.
pub(crate) fn credential_schema() -> Object {
    let response = closed_object(
        &["authenticatorData", "clientDataJSON", "signature"],
        &[("userHandle", base64url())],
    );
    credential(response)
}

/// What `navigator.credentials.create()` gives, as JSON: webauthn-rs'
/// `RegisterPublicKeyCredential`.
pub(crate) fn new_credential_schema() -> Object {
    credential(closed_object(&["attestationObject", "clientDataJSON"], &[]))
}

/// A credential around its `response`. Its other members (`extensions`, `transports`) are left
/// out: a browser's are read, made-up ones would only be refused.
fn credential(response: Object) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("id", string_matching("^[A-Za-z0-9_-]+$"))
        .required("id")
        .property("rawId", base64url())
        .required("rawId")
        .property("response", response)
        .required("response")
        .property("type", one_of(["public-key"]))
        .required("type")
        .additional_properties(Some(AdditionalProperties::<_>::FreeForm(false)))
        .build()
}

/// An object of the `required` base64url members and the `optional` ones, nothing else.
fn closed_object(required: &[&str], optional: &[(&str, Object)]) -> Object {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for name in required {
        object = object.property(*name, base64url()).required(*name);
    }
    for (name, schema) in optional {
        object = object.property(*name, schema.clone());
    }
    object.additional_properties(Some(AdditionalProperties::<_>::FreeForm(false))).build()
}

/// Binary as webauthn-rs reads it: base64url without padding, in whole groups of four and then
/// two or three characters whose unused low bits are zero (other endings do not decode).
fn base64url() -> Object {
    string_matching(
        "^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$",
    )
}

/// Gives every `uuid` and `date-time` string of the document the pattern its parser applies.
/// In JSON Schema 2020-12 `format` is only an annotation, so `""` is a valid `uuid`; the
/// pattern makes the rule part of the schema. Patterns are given as written by the parsers'
/// canonical output (lower-case hyphenated UUIDs, RFC 3339 date-times), which every answer
/// uses too.
pub(crate) fn constrain_formats(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let pattern = match map.get("format").and_then(|f| f.as_str()) {
                Some("uuid") => Some(UUID),
                Some("date-time") => Some(DATE_TIME),
                _ => None,
            };
            if let Some(pattern) = pattern {
                map.entry("pattern").or_insert_with(|| pattern.into());
            }
            map.values_mut().for_each(constrain_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(constrain_formats),
        _ => {}
    }
}

/// Makes the component schema `name` require at least one of `members` as a string: a body that
/// takes one of several alternatives (a TOTP code or a recovery code), which a derived schema
/// cannot say. A schema missing from the document is an error, not a rule silently dropped.
pub(crate) fn require_any_of(
    document: &mut serde_json::Value,
    name: &str,
    members: &[&str],
) -> Result<(), ApiError> {
    let schema = document
        .pointer_mut(&format!("/components/schemas/{name}"))
        .and_then(serde_json::Value::as_object_mut)
        .ok_or_else(|| {
            ApiError::internal(std::io::Error::other(format!(
                "no schema {name} in the API document"
            )))
        })?;
    let alternatives = members
        .iter()
        .map(|member| json!({ "required": [member], "properties": { *member: { "type": "string" } } }))
        .collect();
    schema.insert("anyOf".to_owned(), serde_json::Value::Array(alternatives));
    Ok(())
}

const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// RFC 3339 as `time`'s parser takes it (its day of the month is not checked against the month
/// here: a 30 February is refused by the handler).
const DATE_TIME: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

fn string_matching(pattern: &str) -> Object {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).build()
}
