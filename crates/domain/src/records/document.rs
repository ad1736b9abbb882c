//! A record's fields: a JSON object checked against the collection's schema.
//!
//! [`validate_document`] takes what the client sent — all fields on create, a patch on update —
//! and returns the full document to store, every value in its one normalised form. It reports
//! every problem at once (a form shows them all), and no message repeats a submitted value.

mod values;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::names::FieldName;
use super::schema::{CollectionSchema, FieldKind};
use crate::Email;

pub(crate) use values::{
    Problem, normalise, normalise_date_time, normalise_uuid, strip_phone_separators,
};

/// A record's fields by name.
pub type Document = serde_json::Map<String, Value>;

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name; `"_"` for a key that is not even a valid field name (it is not
    /// repeated: a client may have put anything there).
    pub field: String,
    /// Stable, for programs: `unknown_field`, `required`, `type`, `too_long`, …
    pub code: &'static str,
    /// For people; never contains the submitted value.
    pub message: String,
}

/// Every field error of a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DocumentErrors {
    pub errors: Vec<FieldError>,
}

impl DocumentErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.errors.iter()
    }
}

impl fmt::Display for DocumentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the record is invalid: ")?;
        for (index, error) in self.errors.iter().enumerate() {
            let separator = if index == 0 { "" } else { "; " };
            write!(f, "{separator}`{}` {}", error.field, error.message)?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a DocumentErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// Checks `input` against `schema` and returns the full document to store.
///
/// With `previous` (an update), `input` is a patch: its fields replace the stored ones and a
/// JSON `null` clears one. Stored values the patch does not touch are kept as they are (they were
/// checked when written: a schema made stricter later must not block editing another field),
/// but stored keys the schema no longer has are dropped. The result holds only set fields, never
/// a `null`.
pub fn validate_document(
    schema: &CollectionSchema,
    input: &Document,
    previous: Option<&Document>,
) -> Result<Document, DocumentErrors> {
    let mut errors = Vec::new();
    for key in input.keys().filter(|key| schema.field(key).is_none()) {
        errors.push(unknown_field(key));
    }
    let mut document = Document::new();
    for def in schema.fields() {
        let name = def.name.as_str();
        let value = match input.get(name) {
            Some(Value::Null) => None,
            Some(value) => match normalise(&def.kind, value) {
                Ok(value) => Some(value),
                Err(Problem { code, message }) => {
                    errors.push(FieldError { field: name.to_owned(), code, message });
                    continue;
                }
            },
            None => {
                previous.and_then(|previous| previous.get(name)).filter(|v| !v.is_null()).cloned()
            }
        };
        match value {
            Some(value) => {
                document.insert(name.to_owned(), value);
            }
            None if def.required => {
                let message = if input.contains_key(name) {
                    "is required and cannot be cleared"
                } else {
                    "is required"
                };
                errors.push(FieldError {
                    field: name.to_owned(),
                    code: "required",
                    message: message.to_owned(),
                });
            }
            None => {}
        }
    }
    if errors.is_empty() { Ok(document) } else { Err(DocumentErrors { errors }) }
}

fn unknown_field(key: &str) -> FieldError {
    let (field, message) = if super::names::RESERVED_FIELDS.contains(&key) {
        (key.to_owned(), "is a built-in column that the server sets; leave it out")
    } else if FieldName::parse(key).is_ok() {
        (key.to_owned(), "is not a field of this collection")
    } else {
        ("_".to_owned(), "a key is not a field name (lower case letters, digits and _)")
    };
    FieldError { field, code: "unknown_field", message: message.to_owned() }
}

/// The canonical text of a value for equality: what uniqueness compares and what the blind index
/// of a sensitive field is computed from. `None` for kinds that have no such form (and for a
/// value that does not fit the kind). Accepts a stored value or one still to be normalised.
pub fn lookup_key(kind: &FieldKind, value: &Value) -> Option<String> {
    if !kind.has_lookup_key() {
        return None;
    }
    let stored = normalise(kind, value).ok()?;
    match (kind, stored) {
        // Case-insensitive, like accounts: `Ada@Example.COM` and `ada@example.com` are one.
        (FieldKind::Email, Value::String(text)) => Email::parse(&text).ok().map(|e| e.normalized()),
        (FieldKind::Integer { .. }, Value::Number(number)) => Some(number.to_string()),
        (_, Value::String(text)) => Some(text),
        _ => None,
    }
}

/// Splits a document into (plain fields, sensitive fields): the store encrypts the second.
/// A key the schema does not know goes with the sensitive ones: when in doubt, encrypt.
pub fn split_sensitive(schema: &CollectionSchema, doc: &Document) -> (Document, Document) {
    let mut plain = Document::new();
    let mut sensitive = Document::new();
    for (key, value) in doc {
        let is_plain = schema.field(key).is_some_and(|def| !def.sensitive);
        let side = if is_plain { &mut plain } else { &mut sensitive };
        side.insert(key.clone(), value.clone());
    }
    (plain, sensitive)
}

/// The inverse of [`split_sensitive`]. A key in both (which `split_sensitive` never produces)
/// takes the sensitive side's value.
pub fn merge(plain: Document, sensitive: Document) -> Document {
    let mut doc = plain;
    doc.extend(sensitive);
    doc
}

#[cfg(test)]
mod tests;
