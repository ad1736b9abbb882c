//! The flat JSON form of a field, as received: every key any kind may use, unknown keys refused.
//! Converting it to a [`FieldDef`] refuses the options that do not belong to the field's type, so
//! `{"type":"text","scale":2}` is an error rather than a silently ignored key.

use serde::Deserialize;

use super::{
    CollectionName, FieldDef, FieldKind, FieldName, SchemaError, default_long_text_max_length,
    default_scale, default_text_max_length,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum KindTag {
    Text,
    LongText,
    Integer,
    Decimal,
    Boolean,
    DateTime,
    Email,
    Phone,
    Enum,
    Json,
    Reference,
}

impl KindTag {
    fn type_name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::LongText => "long_text",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Boolean => "boolean",
            Self::DateTime => "date_time",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Enum => "enum",
            Self::Json => "json",
            Self::Reference => "reference",
        }
    }

    /// The options this type takes, beside the flags every field has.
    fn options(self) -> &'static [&'static str] {
        match self {
            Self::Text => &["max_length"],
            Self::LongText => &["rich", "max_length"],
            Self::Integer => &["min", "max"],
            Self::Decimal => &["scale"],
            Self::Enum => &["values"],
            Self::Reference => &["collection"],
            Self::Boolean | Self::DateTime | Self::Email | Self::Phone | Self::Json => &[],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldDefWire {
    name: FieldName,
    #[serde(rename = "type")]
    kind: KindTag,
    max_length: Option<u32>,
    rich: Option<bool>,
    min: Option<i64>,
    max: Option<i64>,
    scale: Option<u8>,
    values: Option<Vec<String>>,
    collection: Option<CollectionName>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    searchable: bool,
}

impl TryFrom<FieldDefWire> for FieldDef {
    type Error = SchemaError;

    fn try_from(wire: FieldDefWire) -> Result<Self, SchemaError> {
        let present = [
            ("max_length", wire.max_length.is_some()),
            ("rich", wire.rich.is_some()),
            ("min", wire.min.is_some()),
            ("max", wire.max.is_some()),
            ("scale", wire.scale.is_some()),
            ("values", wire.values.is_some()),
            ("collection", wire.collection.is_some()),
        ];
        let field = || wire.name.to_string();
        if let Some((option, _)) =
            present.iter().find(|(option, set)| *set && !wire.kind.options().contains(option))
        {
            return Err(SchemaError::OptionNotForType {
                field: field(),
                option,
                kind: wire.kind.type_name(),
            });
        }
        let kind = match wire.kind {
            KindTag::Text => {
                FieldKind::Text { max_length: wire.max_length.unwrap_or(default_text_max_length()) }
            }
            KindTag::LongText => FieldKind::LongText {
                rich: wire.rich.unwrap_or(false),
                max_length: wire.max_length.unwrap_or(default_long_text_max_length()),
            },
            KindTag::Integer => FieldKind::Integer { min: wire.min, max: wire.max },
            KindTag::Decimal => FieldKind::Decimal { scale: wire.scale.unwrap_or(default_scale()) },
            KindTag::Boolean => FieldKind::Boolean,
            KindTag::DateTime => FieldKind::DateTime,
            KindTag::Email => FieldKind::Email,
            KindTag::Phone => FieldKind::Phone,
            KindTag::Enum => FieldKind::Enum {
                values: wire.values.ok_or_else(|| SchemaError::MissingValues { field: field() })?,
            },
            KindTag::Json => FieldKind::Json,
            KindTag::Reference => FieldKind::Reference {
                collection: wire
                    .collection
                    .ok_or_else(|| SchemaError::MissingCollection { field: field() })?,
            },
        };
        Ok(FieldDef {
            name: wire.name,
            kind,
            required: wire.required,
            unique: wire.unique,
            sensitive: wire.sensitive,
            searchable: wire.searchable,
        })
    }
}
