//! The order of a record list: `created_at`, `-created_at` (a leading `-` is descending),
//! `updated_at`, or one field.
//!
//! Only required, non-sensitive fields of a kind with a meaningful order can sort. Required
//! means never null, so a keyset cursor is always (value, id) with no null ordering to get
//! right; sensitive values are encrypted and have no order the store can see.

use std::fmt;

use super::names::FieldName;
use super::schema::{CollectionSchema, FieldKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    Field(FieldName),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// Newest first.
impl Default for Sort {
    fn default() -> Self {
        Self { key: SortKey::CreatedAt, descending: true }
    }
}

/// The text [`parse_sort`] reads.
impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.descending { "-" } else { "" };
        match &self.key {
            SortKey::CreatedAt => write!(f, "{sign}created_at"),
            SortKey::UpdatedAt => write!(f, "{sign}updated_at"),
            SortKey::Field(name) => write!(f, "{sign}{name}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    #[error("sort by created_at, updated_at or a field name, with a leading - for descending")]
    Syntax,
    #[error("`{field}` is not a field of this collection")]
    UnknownField { field: String },
    #[error("field `{field}` cannot sort: only required fields can (they are never empty)")]
    NotRequired { field: String },
    #[error("field `{field}` is sensitive and cannot sort")]
    Sensitive { field: String },
    #[error(
        "field `{field}` cannot sort: only text, integer, decimal, date_time, enum, email and boolean fields can"
    )]
    Kind { field: String },
}

/// Parses a sort; empty (or only white space) is the default, `-created_at`.
pub fn parse_sort(input: &str, schema: &CollectionSchema) -> Result<Sort, SortError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(Sort::default());
    }
    let (descending, name) = match input.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, input),
    };
    let key = match name {
        "created_at" => SortKey::CreatedAt,
        "updated_at" => SortKey::UpdatedAt,
        _ => SortKey::Field(sortable_field(name, schema)?),
    };
    Ok(Sort { key, descending })
}

fn sortable_field(name: &str, schema: &CollectionSchema) -> Result<FieldName, SortError> {
    // Not a valid field name: nothing to repeat in the message.
    let parsed = FieldName::parse(name).map_err(|_| SortError::Syntax)?;
    let field = || name.to_owned();
    let def = schema.field(name).ok_or_else(|| SortError::UnknownField { field: field() })?;
    if def.sensitive {
        return Err(SortError::Sensitive { field: field() });
    }
    let sortable = matches!(
        def.kind,
        FieldKind::Text { .. }
            | FieldKind::Integer { .. }
            | FieldKind::Decimal { .. }
            | FieldKind::DateTime
            | FieldKind::Enum { .. }
            | FieldKind::Email
            | FieldKind::Boolean
    );
    if !sortable {
        return Err(SortError::Kind { field: field() });
    }
    if !def.required {
        return Err(SortError::NotRequired { field: field() });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::test_schema;

    #[test]
    fn an_empty_sort_is_newest_first() {
        let schema = test_schema();
        assert_eq!(
            parse_sort("", &schema).unwrap(),
            Sort { key: SortKey::CreatedAt, descending: true }
        );
        assert_eq!(parse_sort("  ", &schema).unwrap(), Sort::default());
    }

    #[test]
    fn a_leading_minus_sorts_descending() {
        let schema = test_schema();
        assert_eq!(
            parse_sort("created_at", &schema).unwrap(),
            Sort { key: SortKey::CreatedAt, descending: false }
        );
        assert_eq!(
            parse_sort("-updated_at", &schema).unwrap(),
            Sort { key: SortKey::UpdatedAt, descending: true }
        );
        let total = parse_sort("-total", &schema).unwrap();
        assert_eq!(total.key, SortKey::Field(FieldName::parse("total").unwrap()));
        assert!(total.descending);
        assert_eq!(total.to_string(), "-total");
    }

    #[test]
    fn only_required_plain_fields_of_an_ordered_kind_can_sort() {
        let schema = test_schema();
        assert!(parse_sort("title", &schema).is_ok());
        assert!(parse_sort("status", &schema).is_ok());
        assert_eq!(
            parse_sort("count", &schema),
            Err(SortError::NotRequired { field: "count".into() })
        );
        assert_eq!(parse_sort("notes", &schema), Err(SortError::Kind { field: "notes".into() }));
        assert_eq!(
            parse_sort("phone", &schema),
            Err(SortError::Sensitive { field: "phone".into() })
        );
        assert_eq!(
            parse_sort("customer", &schema),
            Err(SortError::Kind { field: "customer".into() })
        );
        assert_eq!(
            parse_sort("nothing", &schema),
            Err(SortError::UnknownField { field: "nothing".into() })
        );
    }

    #[test]
    fn a_sort_that_is_not_a_name_is_a_syntax_error() {
        let schema = test_schema();
        assert_eq!(parse_sort("--total", &schema), Err(SortError::Syntax));
        assert_eq!(parse_sort("id", &schema), Err(SortError::Syntax));
        assert_eq!(parse_sort("Total", &schema), Err(SortError::Syntax));
        assert_eq!(parse_sort("total,title", &schema), Err(SortError::Syntax));
    }
}
