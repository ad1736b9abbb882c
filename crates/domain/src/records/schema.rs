//! A collection's schema: its fields, their kinds and flags, checked once when the collection is
//! defined.
//!
//! JSON shape of a field: `{"name":"total","type":"decimal","scale":2,"required":true}` — the
//! kind's tag and options sit beside the flags. serde cannot combine `flatten` with
//! `deny_unknown_fields`, so [`FieldDef`] serializes with `flatten` but deserializes through a
//! private flat struct (`wire.rs`) that knows every key, refuses unknown ones, and refuses an
//! option that does not belong to the field's type (`scale` on a text field).

mod wire;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::names::{CollectionName, FieldName};

pub const MAX_FIELDS: usize = 100;
pub const TEXT_MAX_LENGTH: u32 = 10_000;
pub const LONG_TEXT_MAX_LENGTH: u32 = 1_000_000;
pub const DECIMAL_MAX_SCALE: u8 = 8;
/// Integers are kept within what a JavaScript number (and an `f64`) holds exactly.
pub const INTEGER_LIMIT: i64 = (1 << 53) - 1;
pub const ENUM_MAX_VALUES: usize = 200;
pub const ENUM_VALUE_MAX_CHARS: usize = 100;

const fn default_text_max_length() -> u32 {
    1000
}
const fn default_long_text_max_length() -> u32 {
    100_000
}
const fn default_scale() -> u8 {
    2
}

/// What a field holds. Limits are checked by [`CollectionSchema::parse`].
///
/// Deserialized alone, serde lets the unit variants (`{"type":"boolean"}`) ignore extra keys;
/// [`FieldDef`]'s deserializer refuses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// One line of text.
    Text {
        #[serde(default = "default_text_max_length")]
        max_length: u32,
    },
    /// Several lines; `rich` means HTML, which the server sanitises before it is stored.
    LongText {
        #[serde(default)]
        rich: bool,
        #[serde(default = "default_long_text_max_length")]
        max_length: u32,
    },
    Integer {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// A JSON number with at most `scale` decimals, below 10^15 in magnitude.
    Decimal {
        #[serde(default = "default_scale")]
        scale: u8,
    },
    Boolean,
    DateTime,
    Email,
    Phone,
    Enum {
        values: Vec<String>,
    },
    Json,
    /// The id of a record of another collection (its existence is the store's to check).
    Reference {
        collection: CollectionName,
    },
}

impl FieldKind {
    /// The `type` tag, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::LongText { .. } => "long_text",
            Self::Integer { .. } => "integer",
            Self::Decimal { .. } => "decimal",
            Self::Boolean => "boolean",
            Self::DateTime => "date_time",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Enum { .. } => "enum",
            Self::Json => "json",
            Self::Reference { .. } => "reference",
        }
    }

    /// Whether a value of this kind has a canonical lookup text ([`super::lookup_key`]): the
    /// kinds a blind index can serve, hence the kinds a sensitive field may be searched or kept
    /// unique by.
    pub fn has_lookup_key(&self) -> bool {
        matches!(
            self,
            Self::Text { .. }
                | Self::Email
                | Self::Phone
                | Self::Integer { .. }
                | Self::Enum { .. }
                | Self::DateTime
                | Self::Reference { .. }
        )
    }
}

/// One field of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDef {
    pub name: FieldName,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub required: bool,
    pub unique: bool,
    /// Encrypted at rest and shown only with `records:read_sensitive`.
    pub sensitive: bool,
    /// A sensitive field that can still be found by equality, through a blind index.
    pub searchable: bool,
}

impl<'de> Deserialize<'de> for FieldDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = wire::FieldDefWire::deserialize(deserializer)?;
        FieldDef::try_from(wire).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("a collection needs at least one field")]
    NoFields,
    #[error("a collection has at most {MAX_FIELDS} fields")]
    TooManyFields,
    #[error("field `{field}` is defined twice; field names must be distinct")]
    DuplicateField { field: String },
    #[error("field `{field}`: `{option}` does not apply to a field of type {kind}")]
    OptionNotForType { field: String, option: &'static str, kind: &'static str },
    #[error("field `{field}`: a field of type enum needs `values`")]
    MissingValues { field: String },
    #[error("field `{field}`: a field of type reference needs `collection`")]
    MissingCollection { field: String },
    #[error(
        "field `{field}` cannot be searchable unless it is also sensitive (fields that are not sensitive can always be filtered)"
    )]
    SearchableNotSensitive { field: String },
    #[error(
        "field `{field}`: a {kind} field cannot be searchable or unique while sensitive; only text, email, phone, integer, enum, date_time and reference fields have a lookup form"
    )]
    NoLookupForm { field: String, kind: &'static str },
    #[error("field `{field}`: a {kind} field cannot be unique")]
    UniqueNotForType { field: String, kind: &'static str },
    #[error("field `{field}`: max_length must be between 1 and {limit}")]
    MaxLength { field: String, limit: u32 },
    #[error("field `{field}`: scale must be at most {DECIMAL_MAX_SCALE}")]
    Scale { field: String },
    #[error("field `{field}`: min and max must lie within ±{INTEGER_LIMIT}")]
    IntegerBound { field: String },
    #[error("field `{field}`: min must not be greater than max")]
    MinAboveMax { field: String },
    #[error("field `{field}`: an enum has between 1 and {ENUM_MAX_VALUES} values")]
    EnumValueCount { field: String },
    #[error(
        "field `{field}`: each enum value is 1 to {ENUM_VALUE_MAX_CHARS} characters without control characters"
    )]
    EnumValue { field: String },
    #[error("field `{field}`: enum values must be distinct")]
    EnumDuplicate { field: String },
}

/// The fields of a collection, checked against every rule above. Built only by
/// [`CollectionSchema::parse`] (or deserialized from a JSON array of fields, through it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSchema {
    fields: Vec<FieldDef>,
}

impl CollectionSchema {
    pub fn parse(fields: Vec<FieldDef>) -> Result<Self, SchemaError> {
        if fields.is_empty() {
            return Err(SchemaError::NoFields);
        }
        if fields.len() > MAX_FIELDS {
            return Err(SchemaError::TooManyFields);
        }
        for (index, field) in fields.iter().enumerate() {
            if fields[..index].iter().any(|earlier| earlier.name == field.name) {
                return Err(SchemaError::DuplicateField { field: field.name.to_string() });
            }
            check_field(field)?;
        }
        Ok(Self { fields })
    }

    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| field.name.as_str() == name)
    }
}

/// Serialized as the JSON array it is deserialized from (not `{"fields": […]}`).
impl Serialize for CollectionSchema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CollectionSchema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = Vec::<FieldDef>::deserialize(deserializer)?;
        CollectionSchema::parse(fields).map_err(serde::de::Error::custom)
    }
}

fn check_field(def: &FieldDef) -> Result<(), SchemaError> {
    let field = || def.name.to_string();
    let kind = def.kind.type_name();
    if def.searchable && !def.sensitive {
        return Err(SchemaError::SearchableNotSensitive { field: field() });
    }
    // A sensitive field is unique (or searchable) through its blind index, which needs the
    // value's canonical lookup text; so both flags need a kind that has one.
    if def.sensitive && (def.searchable || def.unique) && !def.kind.has_lookup_key() {
        return Err(SchemaError::NoLookupForm { field: field(), kind });
    }
    // Uniqueness is enforced through the same lookup text (a blind index of it), sensitive or
    // not: a kind without one (long text, JSON, boolean, decimal) cannot be unique.
    if def.unique && !def.kind.has_lookup_key() {
        return Err(SchemaError::UniqueNotForType { field: field(), kind });
    }
    check_kind_limits(def)
}

fn check_kind_limits(def: &FieldDef) -> Result<(), SchemaError> {
    let field = || def.name.to_string();
    match &def.kind {
        FieldKind::Text { max_length } if !(1..=TEXT_MAX_LENGTH).contains(max_length) => {
            Err(SchemaError::MaxLength { field: field(), limit: TEXT_MAX_LENGTH })
        }
        FieldKind::LongText { max_length, .. }
            if !(1..=LONG_TEXT_MAX_LENGTH).contains(max_length) =>
        {
            Err(SchemaError::MaxLength { field: field(), limit: LONG_TEXT_MAX_LENGTH })
        }
        FieldKind::Decimal { scale } if *scale > DECIMAL_MAX_SCALE => {
            Err(SchemaError::Scale { field: field() })
        }
        FieldKind::Integer { min, max } => {
            let in_range = |bound: &Option<i64>| bound.is_none_or(|b| b.abs() <= INTEGER_LIMIT);
            if !in_range(min) || !in_range(max) {
                return Err(SchemaError::IntegerBound { field: field() });
            }
            match (min, max) {
                (Some(min), Some(max)) if min > max => {
                    Err(SchemaError::MinAboveMax { field: field() })
                }
                _ => Ok(()),
            }
        }
        FieldKind::Enum { values } => check_enum_values(def, values),
        _ => Ok(()),
    }
}

fn check_enum_values(def: &FieldDef, values: &[String]) -> Result<(), SchemaError> {
    let field = || def.name.to_string();
    if values.is_empty() || values.len() > ENUM_MAX_VALUES {
        return Err(SchemaError::EnumValueCount { field: field() });
    }
    for (index, value) in values.iter().enumerate() {
        let chars = value.chars().count();
        if chars == 0 || chars > ENUM_VALUE_MAX_CHARS || value.chars().any(char::is_control) {
            return Err(SchemaError::EnumValue { field: field() });
        }
        if values[..index].contains(value) {
            return Err(SchemaError::EnumDuplicate { field: field() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
