//! One value against its field's kind: type, limits, and the one stored form.
//!
//! Every message says what is wrong and never repeats the value: it may be a secret or personal
//! data, and error messages end up in logs and in other people's screenshots.

use serde_json::{Number, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::Email;
use crate::records::schema::{FieldKind, INTEGER_LIMIT};

pub(crate) const JSON_MAX_DEPTH: usize = 16;
pub(crate) const JSON_MAX_BYTES: usize = 65_536;
const DECIMAL_LIMIT: f64 = 1e15;
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 6..=15;
/// How many enum values a message lists before it stops naming them.
const ENUM_VALUES_SHOWN: usize = 12;

/// Why a value was refused: a stable code and a message that does not contain the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

fn problem(code: &'static str, message: impl Into<String>) -> Problem {
    Problem { code, message: message.into() }
}

fn wrong_type(expected: &str) -> Problem {
    problem("type", format!("must be {expected}"))
}

/// The stored form of `value`, or why it does not fit `kind`. `null` is not a value here: the
/// caller treats it as "clear the field".
pub(crate) fn normalise(kind: &FieldKind, value: &Value) -> Result<Value, Problem> {
    match kind {
        FieldKind::Text { max_length } => {
            let text = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            check_text(text, *max_length, |c| c.is_control())?;
            Ok(value.clone())
        }
        FieldKind::LongText { max_length, .. } => {
            let text = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            check_text(text, *max_length, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))?;
            Ok(value.clone())
        }
        FieldKind::Integer { min, max } => integer(value, *min, *max).map(Value::from),
        FieldKind::Decimal { scale } => decimal(value, *scale),
        FieldKind::Boolean => {
            value.as_bool().map(Value::Bool).ok_or_else(|| wrong_type("true or false"))
        }
        FieldKind::DateTime => {
            let text = value.as_str().ok_or_else(|| wrong_type("a date-time string"))?;
            normalise_date_time(text).map(Value::String)
        }
        FieldKind::Email => {
            let text = value.as_str().ok_or_else(|| wrong_type("an e-mail address string"))?;
            let email = Email::parse(text).map_err(|error| problem("email", error.to_string()))?;
            Ok(Value::String(email.as_str().to_owned()))
        }
        FieldKind::Phone => {
            let text = value.as_str().ok_or_else(|| wrong_type("a phone number string"))?;
            normalise_phone(text).map(Value::String)
        }
        FieldKind::Enum { values } => {
            let text = value.as_str().ok_or_else(|| wrong_type("a string"))?;
            if values.iter().any(|allowed| allowed == text) {
                Ok(value.clone())
            } else {
                Err(problem("not_allowed", one_of_message(values)))
            }
        }
        FieldKind::Json => {
            check_json(value)?;
            Ok(value.clone())
        }
        FieldKind::Reference { .. } => {
            let text = value.as_str().ok_or_else(|| wrong_type("a record id (UUID) string"))?;
            normalise_uuid(text).map(Value::String)
        }
    }
}

/// `forbidden` says which control characters the kind refuses; NUL is always refused, with its
/// own message, because PostgreSQL cannot store it in text or JSON.
fn check_text(
    text: &str,
    max_length: u32,
    forbidden: impl Fn(char) -> bool,
) -> Result<(), Problem> {
    if text.contains('\u{0}') {
        return Err(problem("nul_character", "must not contain the NUL character (U+0000)"));
    }
    if text.chars().any(forbidden) {
        return Err(problem(
            "control_character",
            "must not contain control characters (a text field is one line; use long_text for several)",
        ));
    }
    if text.chars().count() > max_length as usize {
        return Err(problem("too_long", format!("must be at most {max_length} characters")));
    }
    Ok(())
}

fn one_of_message(values: &[String]) -> String {
    if values.len() <= ENUM_VALUES_SHOWN {
        format!("must be one of: {}", values.join(", "))
    } else {
        format!("must be one of the {} values the schema lists", values.len())
    }
}

fn integer(value: &Value, min: Option<i64>, max: Option<i64>) -> Result<i64, Problem> {
    let number = match value {
        Value::Number(number) => number,
        _ => return Err(wrong_type("a whole number")),
    };
    // `3.0` is accepted as 3: some clients cannot tell the two apart.
    let integer = match (number.as_i64(), number.as_f64()) {
        (Some(integer), _) => Some(integer),
        (None, Some(float)) if float.fract() == 0.0 && float.abs() <= INTEGER_LIMIT as f64 => {
            Some(float as i64)
        }
        (None, Some(float)) if float.fract() != 0.0 => return Err(wrong_type("a whole number")),
        _ => None,
    };
    let integer = integer
        .filter(|integer| integer.abs() <= INTEGER_LIMIT)
        .ok_or_else(|| problem("out_of_range", format!("must lie within ±{INTEGER_LIMIT}")))?;
    if let Some(min) = min.filter(|min| integer < *min) {
        return Err(problem("out_of_range", format!("must be at least {min}")));
    }
    if let Some(max) = max.filter(|max| integer > *max) {
        return Err(problem("out_of_range", format!("must be at most {max}")));
    }
    Ok(integer)
}

fn decimal(value: &Value, scale: u8) -> Result<Value, Problem> {
    let number =
        value.as_f64().filter(|_| value.is_number()).ok_or_else(|| wrong_type("a number"))?;
    if !number.is_finite() || number.abs() >= DECIMAL_LIMIT {
        return Err(problem("out_of_range", "must be smaller than 10^15 in magnitude"));
    }
    let factor = 10f64.powi(i32::from(scale));
    let scaled = number * factor;
    let rounded = scaled.round();
    // Binary floating point cannot hold 0.1 exactly: a tolerance tells "2 decimals" from "3".
    if (scaled - rounded).abs() > 1e-9 * scaled.abs().max(1.0) {
        return Err(problem("scale", format!("must have at most {scale} decimals")));
    }
    let stored = rounded / factor;
    // One stored form per value: whole numbers as JSON integers (which also turns -0 into 0).
    if stored.fract() == 0.0 && stored.abs() <= INTEGER_LIMIT as f64 {
        return Ok(Value::from(stored as i64));
    }
    Number::from_f64(stored).map(Value::Number).ok_or_else(|| wrong_type("a number"))
}

/// RFC 3339 in, UTC with exactly six decimals and `Z` out: one width, so string order is time
/// order, and microseconds, the precision of PostgreSQL's timestamps (finer digits are dropped).
pub(crate) fn normalise_date_time(text: &str) -> Result<String, Problem> {
    let invalid = || {
        problem(
            "date_time",
            "must be an RFC 3339 date-time with an offset, such as 2026-12-01T10:00:00Z, between years 0001 and 9999",
        )
    };
    let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| invalid())?;
    let utc = parsed.checked_to_offset(UtcOffset::UTC).ok_or_else(invalid)?;
    if !(1..=9999).contains(&utc.year()) {
        return Err(invalid());
    }
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    utc.format(&format).map_err(|_| invalid())
}

/// Digits with an optional leading `+`; spaces, dashes, dots and parentheses are dropped.
fn normalise_phone(text: &str) -> Result<String, Problem> {
    let stripped = strip_phone_separators(text).ok_or_else(invalid_phone)?;
    let digits = stripped.strip_prefix('+').unwrap_or(&stripped);
    if !PHONE_DIGITS.contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_phone());
    }
    Ok(stripped)
}

/// The phone text without separators, or `None` when it has a character a phone number cannot
/// have (a `+` is allowed only first). Also the form a `~` filter on a phone field searches for.
pub(crate) fn strip_phone_separators(text: &str) -> Option<String> {
    let text = text.trim();
    let mut out = String::with_capacity(text.len());
    for (index, c) in text.char_indices() {
        match c {
            '0'..='9' => out.push(c),
            '+' if index == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    Some(out)
}

fn invalid_phone() -> Problem {
    problem(
        "phone",
        "must be a phone number of 6 to 15 digits, optionally starting with +; only spaces, dashes, dots and parentheses may separate them",
    )
}

/// A UUID in its 8-4-4-4-12 hexadecimal form, lower-cased.
pub(crate) fn normalise_uuid(text: &str) -> Result<String, Problem> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let groups: Vec<&str> = text.split('-').collect();
    let shaped = groups.len() == GROUPS.len()
        && groups
            .iter()
            .zip(GROUPS)
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()));
    if !shaped {
        return Err(problem(
            "uuid",
            "must be a record id: a UUID such as 0190a3c2-7d1e-7000-8000-000000000000",
        ));
    }
    Ok(text.to_ascii_lowercase())
}

/// Depth and NUL are checked by walking the value with an explicit stack (a value nested ten
/// thousand deep must not overflow ours); the size is measured only once the depth is known to
/// be small, because serde_json's serializer recurses.
fn check_json(value: &Value) -> Result<(), Problem> {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let has_nul = |text: &str| text.contains('\u{0}');
        match value {
            Value::Array(_) | Value::Object(_) if depth >= JSON_MAX_DEPTH => {
                return Err(problem(
                    "too_deep",
                    format!("must be nested at most {JSON_MAX_DEPTH} levels deep"),
                ));
            }
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(map) => {
                if map.keys().any(|key| has_nul(key)) {
                    return Err(json_nul());
                }
                stack.extend(map.values().map(|item| (item, depth + 1)));
            }
            Value::String(text) if has_nul(text) => return Err(json_nul()),
            _ => {}
        }
    }
    let mut counter = SizeLimit { written: 0 };
    if serde_json::to_writer(&mut counter, value).is_err() {
        return Err(problem(
            "too_large",
            format!("must be at most {JSON_MAX_BYTES} bytes as JSON"),
        ));
    }
    Ok(())
}

fn json_nul() -> Problem {
    problem("nul_character", "must not contain the NUL character (U+0000) in any string or key")
}

/// Counts the bytes serde_json writes and fails as soon as they pass the limit.
struct SizeLimit {
    written: usize,
}

impl std::io::Write for SizeLimit {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written += buf.len();
        if self.written > JSON_MAX_BYTES {
            return Err(std::io::Error::other("too large"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
