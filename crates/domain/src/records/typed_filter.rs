//! A parsed [`Filter`] checked against a collection: every name resolved to a built-in column or
//! a schema field, every literal turned into the value the store compares with (normalised as
//! [`super::validate_document`] stores it), every operator allowed for its field's kind.
//!
//! Sensitive fields are encrypted, so the store can only test them for equality, through their
//! blind index: such a field may be used only with `=` or `in`, only if it is `searchable`, and
//! only by a caller who may read sensitive fields. Its values become [`Target::SensitiveLookup`]
//! with the canonical lookup text ([`super::lookup_key`]) that the store hashes.

mod scalar;

use super::filter::{CompareOp, Filter, FilterError, Literal, MAX_DEPTH};
use super::names::FieldName;
use super::schema::{CollectionSchema, FieldDef, FieldKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterAccess {
    /// The caller holds `records:read_sensitive`.
    pub read_sensitive: bool,
}

/// The built-in record columns a filter may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    CreatedAt,
    UpdatedAt,
    OwnerId,
    Department,
}

impl Column {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "created_at" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "owner_id" => Self::OwnerId,
            "department" => Self::Department,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Column(Column),
    /// A field that is not sensitive: compared on its stored value.
    Field {
        name: FieldName,
        kind: FieldKind,
    },
    /// A sensitive, searchable field: compared on its blind index (the value is its lookup key).
    SensitiveLookup {
        name: FieldName,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Decimal(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypedFilter {
    And(Vec<TypedFilter>),
    Or(Vec<TypedFilter>),
    Not(Box<TypedFilter>),
    Compare { target: Target, op: CompareOp, value: Scalar },
    In { target: Target, values: Vec<Scalar> },
}

pub fn check_filter(
    filter: &Filter,
    schema: &CollectionSchema,
    access: FilterAccess,
) -> Result<TypedFilter, FilterError> {
    check(filter, schema, access, 0)
}

/// Recursive, but a hand-built `Filter` deeper than the parser allows is refused rather than
/// walked, so the stack stays bounded.
fn check(
    filter: &Filter,
    schema: &CollectionSchema,
    access: FilterAccess,
    depth: usize,
) -> Result<TypedFilter, FilterError> {
    // A parenthesis of the text can become two levels here (an `or` holding an `and`): allow
    // for that with room to spare; this is a stack guard, not a rule of the language.
    if depth > 4 * MAX_DEPTH {
        return Err(FilterError::TooDeep { position: 0 });
    }
    let all = |items: &[Filter]| -> Result<Vec<TypedFilter>, FilterError> {
        items.iter().map(|item| check(item, schema, access, depth + 1)).collect()
    };
    Ok(match filter {
        Filter::And(items) => TypedFilter::And(all(items)?),
        Filter::Or(items) => TypedFilter::Or(all(items)?),
        Filter::Not(inner) => TypedFilter::Not(Box::new(check(inner, schema, access, depth + 1)?)),
        Filter::Compare { field, op, value } => {
            let resolved = resolve(field, schema, access, Some(*op))?;
            let value = resolved.scalar(*op, value)?;
            TypedFilter::Compare { target: resolved.target, op: *op, value }
        }
        Filter::In { field, values } => {
            let resolved = resolve(field, schema, access, None)?;
            // `x in (null)` would never match in SQL: presence is tested with `= null`.
            if values.contains(&Literal::Null) {
                return Err(FilterError::NullOperator { field: field.clone() });
            }
            let values = values
                .iter()
                .map(|value| resolved.scalar(CompareOp::Eq, value))
                .collect::<Result<_, _>>()?;
            TypedFilter::In { target: resolved.target, values }
        }
    })
}

/// What a filter's name refers to, with what its literals are checked against.
struct Resolved<'a> {
    target: Target,
    name: &'a str,
    what: What<'a>,
}

enum What<'a> {
    Column(Column),
    Field(&'a FieldDef),
}

/// `op` is `None` for `in`, which is equality.
fn resolve<'a>(
    name: &'a str,
    schema: &'a CollectionSchema,
    access: FilterAccess,
    op: Option<CompareOp>,
) -> Result<Resolved<'a>, FilterError> {
    let op_name = op.map_or("in", CompareOp::symbol);
    if let Some(column) = Column::from_name(name) {
        let ordered = matches!(column, Column::CreatedAt | Column::UpdatedAt);
        let allowed = match op {
            None | Some(CompareOp::Eq | CompareOp::Ne) => true,
            Some(CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge) => ordered,
            Some(CompareOp::Contains) => false,
        };
        if !allowed {
            return Err(FilterError::Operator { field: name.to_owned(), op: op_name });
        }
        return Ok(Resolved { target: Target::Column(column), name, what: What::Column(column) });
    }
    let def = schema.field(name).ok_or_else(|| FilterError::UnknownField { field: shown(name) })?;
    if def.sensitive {
        let equality = matches!(op, None | Some(CompareOp::Eq));
        if !(access.read_sensitive && def.searchable && equality) {
            return Err(FilterError::SensitiveField { field: name.to_owned() });
        }
        let target = Target::SensitiveLookup { name: def.name.clone() };
        return Ok(Resolved { target, name, what: What::Field(def) });
    }
    if matches!(def.kind, FieldKind::Json) {
        return Err(FilterError::JsonField { field: name.to_owned() });
    }
    let allowed = match op {
        None | Some(CompareOp::Eq | CompareOp::Ne) => true,
        Some(CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge) => matches!(
            def.kind,
            FieldKind::Integer { .. }
                | FieldKind::Decimal { .. }
                | FieldKind::DateTime
                | FieldKind::Text { .. }
        ),
        Some(CompareOp::Contains) => matches!(
            def.kind,
            FieldKind::Text { .. }
                | FieldKind::LongText { .. }
                | FieldKind::Email
                | FieldKind::Phone
        ),
    };
    if !allowed {
        return Err(FilterError::Operator { field: name.to_owned(), op: op_name });
    }
    let target = Target::Field { name: def.name.clone(), kind: def.kind.clone() };
    Ok(Resolved { target, name, what: What::Field(def) })
}

/// A name in an error. From the parser it matched `[a-z][a-z0-9_]*`, an identifier safe to
/// repeat (cut to 63 characters, the longest field name); a hand-built filter could hold
/// anything, which is not repeated.
fn shown(name: &str) -> String {
    let identifier =
        name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    match name.get(..63) {
        _ if !identifier => "_".to_owned(),
        Some(cut) if cut.len() < name.len() => format!("{cut}…"),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests;
