//! Names of collections, fields and departments.
//!
//! They become SQL identifiers and JSON keys, so they are the narrowest useful alphabet: a lower
//! case letter, then up to 62 lower case letters, digits or `_` (departments also allow `-`).
//! 63 characters is PostgreSQL's identifier limit, and one case means `Total` and `total` can
//! never be two columns. Field names also cannot shadow the built-in record columns
//! ([`RESERVED_FIELDS`]).

use std::fmt;

use serde::{Deserialize, Serialize};

const MAX_LEN: usize = 63;

/// Columns every record has; a field of the schema cannot take their names.
pub const RESERVED_FIELDS: [&str; 9] = [
    "id",
    "collection",
    "department",
    "owner_id",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "created_by",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a name cannot be empty")]
    Empty,
    #[error("a name is at most {MAX_LEN} characters")]
    TooLong,
    #[error("a name must start with a lower case letter (a-z)")]
    Start,
    #[error("a name may contain only lower case letters, digits and {allowed}")]
    Character { allowed: &'static str },
    #[error("`{name}` is a built-in record column; choose another field name")]
    Reserved { name: &'static str },
}

/// Checks the shared slug rule; `extra` are the punctuation characters allowed after the first.
fn check_slug(input: &str, extra: &[char]) -> Result<(), NameError> {
    let mut chars = input.chars();
    let first = chars.next().ok_or(NameError::Empty)?;
    if input.len() > MAX_LEN {
        return Err(NameError::TooLong);
    }
    if !first.is_ascii_lowercase() {
        return Err(NameError::Start);
    }
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c);
    if !chars.all(ok) {
        let allowed = if extra.contains(&'-') { "_ or -" } else { "_" };
        return Err(NameError::Character { allowed });
    }
    Ok(())
}

/// Implements the string plumbing shared by the three names: `as_str`, `Display`, and serde as a
/// plain string that is parsed again on the way in.
macro_rules! name_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = NameError;
            fn try_from(value: String) -> Result<Self, NameError> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// The name of a collection (`customers`, `invoices`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CollectionName(String);

impl CollectionName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        check_slug(input, &['_'])?;
        Ok(Self(input.to_owned()))
    }
}

/// The name of a field of a collection's schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldName(String);

impl FieldName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        check_slug(input, &['_'])?;
        if let Some(name) = RESERVED_FIELDS.iter().find(|reserved| **reserved == input) {
            return Err(NameError::Reserved { name });
        }
        Ok(Self(input.to_owned()))
    }
}

/// The name of a department (`sales`, `north-east`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentName(String);

impl DepartmentName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        check_slug(input, &['_', '-'])?;
        Ok(Self(input.to_owned()))
    }
}

name_type!(CollectionName);
name_type!(FieldName);
name_type!(DepartmentName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_slugs_parse_as_every_kind_of_name() {
        assert_eq!(CollectionName::parse("customers").unwrap().as_str(), "customers");
        assert_eq!(FieldName::parse("total_2026").unwrap().to_string(), "total_2026");
        assert_eq!(DepartmentName::parse("north-east_2").unwrap().as_str(), "north-east_2");
        assert!(FieldName::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn names_outside_the_slug_rule_are_refused_with_the_reason() {
        assert_eq!(CollectionName::parse(""), Err(NameError::Empty));
        assert_eq!(CollectionName::parse(&"a".repeat(64)), Err(NameError::TooLong));
        assert_eq!(CollectionName::parse("1st"), Err(NameError::Start));
        assert_eq!(CollectionName::parse("_x"), Err(NameError::Start));
        assert_eq!(CollectionName::parse("Total"), Err(NameError::Start));
        assert!(matches!(CollectionName::parse("to tal"), Err(NameError::Character { .. })));
        assert!(matches!(FieldName::parse("north-east"), Err(NameError::Character { .. })));
        assert!(matches!(FieldName::parse("café"), Err(NameError::Character { .. })));
        assert!(matches!(DepartmentName::parse("a.b"), Err(NameError::Character { .. })));
    }

    #[test]
    fn a_field_cannot_take_the_name_of_a_built_in_column() {
        for reserved in RESERVED_FIELDS {
            assert_eq!(FieldName::parse(reserved), Err(NameError::Reserved { name: reserved }));
        }
        // A collection may still be called `version`: only fields share the record's columns.
        assert!(CollectionName::parse("version").is_ok());
    }

    #[test]
    fn names_serialize_as_strings_and_deserialize_through_parse() {
        let name = FieldName::parse("total").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"total\"");
        let back: FieldName = serde_json::from_str("\"total\"").unwrap();
        assert_eq!(back, name);
        assert!(serde_json::from_str::<FieldName>("\"Total\"").is_err());
        assert!(serde_json::from_str::<FieldName>("\"owner_id\"").is_err());
        assert!(serde_json::from_str::<DepartmentName>("\"sales-1\"").is_ok());
    }
}
