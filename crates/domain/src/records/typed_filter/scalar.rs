//! The literals of a comparison turned into the [`Scalar`] the store compares with.

use serde_json::Value;

use super::{Column, FilterError, Literal, Resolved, Scalar, Target, What};
use crate::records::document::{
    Problem, lookup_key, normalise, normalise_date_time, normalise_uuid, strip_phone_separators,
};
use crate::records::filter::CompareOp;
use crate::records::names::DepartmentName;
use crate::records::schema::{FieldKind, INTEGER_LIMIT};

impl Resolved<'_> {
    fn type_error(&self, expected: &'static str) -> FilterError {
        FilterError::Type { field: self.name.to_owned(), expected }
    }

    fn value_error(&self, problem: Problem) -> FilterError {
        FilterError::Value { field: self.name.to_owned(), problem: problem.message }
    }

    pub(super) fn scalar(&self, op: CompareOp, literal: &Literal) -> Result<Scalar, FilterError> {
        if let Literal::Null = literal {
            let is_lookup = matches!(self.target, Target::SensitiveLookup { .. });
            return match op {
                // A blind index has no entry for "no value" to look up.
                CompareOp::Eq if is_lookup => {
                    Err(FilterError::SensitiveField { field: self.name.to_owned() })
                }
                CompareOp::Eq | CompareOp::Ne => Ok(Scalar::Null),
                _ => Err(FilterError::NullOperator { field: self.name.to_owned() }),
            };
        }
        match self.what {
            What::Column(column) => self.column_scalar(column, literal),
            What::Field(def) if def.sensitive => {
                let value = self.json_value(&def.kind, literal)?;
                normalise(&def.kind, &value).map_err(|problem| self.value_error(problem))?;
                lookup_key(&def.kind, &value)
                    .map(Scalar::Text)
                    .ok_or_else(|| self.type_error("a value of its type"))
            }
            What::Field(def) => self.field_scalar(&def.kind, op, literal),
        }
    }

    fn column_scalar(&self, column: Column, literal: &Literal) -> Result<Scalar, FilterError> {
        let Literal::Text(text) = literal else { return Err(self.type_error("a string")) };
        let normalised = match column {
            Column::Id | Column::OwnerId => {
                normalise_uuid(text).map_err(|p| self.value_error(p))?
            }
            Column::CreatedAt | Column::UpdatedAt => {
                normalise_date_time(text).map_err(|p| self.value_error(p))?
            }
            Column::Department => DepartmentName::parse(text)
                .map_err(|error| FilterError::Value {
                    field: self.name.to_owned(),
                    problem: format!("is not a department name: {error}"),
                })?
                .to_string(),
        };
        Ok(Scalar::Text(normalised))
    }

    fn field_scalar(
        &self,
        kind: &FieldKind,
        op: CompareOp,
        literal: &Literal,
    ) -> Result<Scalar, FilterError> {
        match (kind, literal) {
            (FieldKind::Integer { .. }, Literal::Number(digits)) => integer_literal(digits)
                .map(Scalar::Integer)
                .ok_or_else(|| self.type_error("a whole number within ±9007199254740991")),
            (FieldKind::Decimal { .. }, Literal::Number(digits)) => digits
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .map(Scalar::Decimal)
                .ok_or_else(|| self.type_error("a number")),
            (FieldKind::Integer { .. } | FieldKind::Decimal { .. }, _) => {
                Err(self.type_error("a number"))
            }
            (FieldKind::Boolean, Literal::Bool(value)) => Ok(Scalar::Bool(*value)),
            (FieldKind::Boolean, _) => Err(self.type_error("true or false")),
            (_, Literal::Text(text)) => self.text_scalar(kind, op, text),
            _ => Err(self.type_error("a string")),
        }
    }

    /// Text-like kinds. `~` searches for a fragment, which need not be a whole valid value;
    /// every other operator compares with a whole value, normalised as it is stored.
    fn text_scalar(
        &self,
        kind: &FieldKind,
        op: CompareOp,
        text: &str,
    ) -> Result<Scalar, FilterError> {
        if op == CompareOp::Contains {
            return match kind {
                FieldKind::Phone => {
                    strip_phone_separators(text).map(Scalar::Text).ok_or_else(|| {
                        self.type_error(
                            "digits, optionally separated by spaces, dashes, dots or parentheses",
                        )
                    })
                }
                _ => Ok(Scalar::Text(text.to_owned())),
            };
        }
        match kind {
            // Ordering and equality on text compare exact strings; length limits do not apply.
            FieldKind::Text { .. } | FieldKind::LongText { .. } => {
                Ok(Scalar::Text(text.to_owned()))
            }
            _ => match normalise(kind, &Value::String(text.to_owned())) {
                Ok(Value::String(stored)) => Ok(Scalar::Text(stored)),
                Ok(_) => Err(self.type_error("a string")),
                Err(problem) => Err(self.value_error(problem)),
            },
        }
    }

    /// A literal as the JSON value a client would have stored, to compute its lookup key.
    fn json_value(&self, kind: &FieldKind, literal: &Literal) -> Result<Value, FilterError> {
        match (kind, literal) {
            (FieldKind::Integer { .. }, Literal::Number(digits)) => integer_literal(digits)
                .map(Value::from)
                .ok_or_else(|| self.type_error("a whole number within ±9007199254740991")),
            (FieldKind::Integer { .. }, _) => Err(self.type_error("a number")),
            (_, Literal::Text(text)) => Ok(Value::String(text.clone())),
            _ => Err(self.type_error("a string")),
        }
    }
}

/// `-?digits(.digits)?` as an exact integer: a fraction of zeros is allowed (`3.0`), anything
/// else is not a whole number.
fn integer_literal(digits: &str) -> Option<i64> {
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    whole.parse::<i64>().ok().filter(|value| value.abs() <= INTEGER_LIMIT)
}
