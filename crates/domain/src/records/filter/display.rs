//! Printing a [`Filter`] back to the language: `parse_filter(&filter.to_string())` gives the same
//! filter for any filter `parse_filter` produced (as long as the text stays within
//! `MAX_INPUT_BYTES`: printing adds spaces).
//!
//! Parentheses are printed only where the tree needs them — an `and` or `or` inside another
//! `and`/`or` of the same precedence or lower, anything compound under `!` — so printing never
//! nests deeper than the text that was parsed.

use std::fmt::{self, Display, Formatter, Write};

use super::{CompareOp, Filter, Literal};

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Or(items) => join(f, items, " || ", |item| matches!(item, Self::Or(_))),
            Self::And(items) => {
                join(f, items, " && ", |item| matches!(item, Self::Or(_) | Self::And(_)))
            }
            Self::Not(inner) => {
                f.write_char('!')?;
                if matches!(**inner, Self::Or(_) | Self::And(_)) {
                    write!(f, "({inner})")
                } else {
                    write!(f, "{inner}")
                }
            }
            Self::Compare { field, op, value } => write!(f, "{field} {op} {value}"),
            Self::In { field, values } => {
                write!(f, "{field} in (")?;
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_char(')')
            }
        }
    }
}

fn join(
    f: &mut Formatter<'_>,
    items: &[Filter],
    separator: &str,
    needs_parentheses: impl Fn(&Filter) -> bool,
) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        if needs_parentheses(item) {
            write!(f, "({item})")?;
        } else {
            write!(f, "{item}")?;
        }
    }
    Ok(())
}

impl Display for CompareOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => {
                f.write_char('"')?;
                for c in text.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c if c.is_control() => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                        c => f.write_char(c)?,
                    }
                }
                f.write_char('"')
            }
            Self::Number(digits) => f.write_str(digits),
            Self::Bool(value) => write!(f, "{value}"),
            Self::Null => f.write_str("null"),
        }
    }
}
