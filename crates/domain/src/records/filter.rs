//! The filter language of record lists: text → [`Filter`] (syntax only; the collection's schema
//! is applied by [`super::check_filter`]).
//!
//! ```text
//! expr       := or
//! or         := and ( "||" and )*
//! and        := unary ( "&&" unary )*
//! unary      := "!" unary | "(" expr ")" | comparison
//! comparison := field op literal | field "in" "(" literal ( "," literal )* ")"
//! op         := "=" | "!=" | "<" | "<=" | ">" | ">=" | "~"     (~ : contains, case-insensitive)
//! field      := [a-z][a-z0-9_]*
//! literal    := string | number | "true" | "false" | "null"
//! string     := "…" or '…', escapes \" \' \\ \n \r \t \u{1F600}
//! number     := -?[0-9]+ ( "." [0-9]+ )?
//! ```
//!
//! White space between tokens is ignored. `&&` binds tighter than `||`; `!` applies to the next
//! unary. Example: `status = "open" && (total >= 100 || customer ~ 'acme')`.
//!
//! Limits, so that a hostile filter costs little: at most [`MAX_INPUT_BYTES`] bytes,
//! [`MAX_DEPTH`] levels of parentheses and `!`, [`MAX_COMPARISONS`] comparisons, [`MAX_IN_VALUES`]
//! values in an `in` list, [`MAX_STRING_CHARS`] characters in a string, no NUL. The parser
//! recurses only per level of nesting, so the depth limit also bounds its stack.
//!
//! Errors name the byte position and the kind of problem, never the text found there: a filter
//! may well contain a searched-for e-mail address or phone number.

mod display;
mod lexer;

use lexer::{Tok, Token};

pub const MAX_INPUT_BYTES: usize = 4096;
pub const MAX_DEPTH: usize = 16;
pub const MAX_COMPARISONS: usize = 32;
pub const MAX_IN_VALUES: usize = 100;
pub const MAX_STRING_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare { field: String, op: CompareOp, value: Literal },
    In { field: String, values: Vec<Literal> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Contains, case-insensitive; text-like fields only.
    Contains,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Contains => "~",
        }
    }
}

/// A literal as written. A number stays the decimal text it was (`-12.50`): the parser does not
/// know the field, and only the field's kind says whether it must be an exact `i64` (integers
/// beyond 2^53 would be rounded by an `f64`) or a decimal; it also makes printing lossless.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("the filter is empty")]
    Empty,
    #[error("a filter is at most {MAX_INPUT_BYTES} bytes")]
    TooLong,
    #[error("unexpected character at byte {position}")]
    UnexpectedCharacter { position: usize },
    #[error("expected {expected} at byte {position}")]
    Expected { position: usize, expected: &'static str },
    #[error("the filter ends where {expected} was expected")]
    UnexpectedEnd { expected: &'static str },
    #[error("the string starting at byte {position} is not closed")]
    UnterminatedString { position: usize },
    #[error("invalid escape at byte {position} (use \\\" \\' \\\\ \\n \\r \\t or \\u{{hex}})")]
    InvalidEscape { position: usize },
    #[error("a string cannot contain NUL (byte {position})")]
    NulInString { position: usize },
    #[error("the string starting at byte {position} is longer than {MAX_STRING_CHARS} characters")]
    StringTooLong { position: usize },
    #[error("invalid number at byte {position} (digits, optionally a minus sign and a fraction)")]
    InvalidNumber { position: usize },
    #[error("more than {MAX_DEPTH} levels of parentheses and ! (byte {position})")]
    TooDeep { position: usize },
    #[error("more than {MAX_COMPARISONS} comparisons (byte {position})")]
    TooManyComparisons { position: usize },
    #[error("an `in` list holds at most {MAX_IN_VALUES} values (byte {position})")]
    ListTooLong { position: usize },
    // Raised by `check_filter`; field names are schema identifiers, safe to repeat.
    #[error("`{field}` is not a field of this collection")]
    UnknownField { field: String },
    #[error(
        "field `{field}` is sensitive: filter on it only with = or in, only if it is searchable, and only with records:read_sensitive"
    )]
    SensitiveField { field: String },
    #[error("field `{field}` holds JSON and cannot be filtered")]
    JsonField { field: String },
    #[error("operator {op} cannot be used on field `{field}`")]
    Operator { field: String, op: &'static str },
    #[error("null can only be compared with = or != (field `{field}`)")]
    NullOperator { field: String },
    #[error("field `{field}` must be compared with {expected}")]
    Type { field: String, expected: &'static str },
    #[error("the value for field `{field}` {problem}")]
    Value { field: String, problem: String },
}

pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(FilterError::TooLong);
    }
    let tokens = lexer::tokenize(input)?;
    if tokens.is_empty() {
        return Err(FilterError::Empty);
    }
    let mut parser = Parser { tokens, at: 0, comparisons: 0 };
    let filter = parser.or(0)?;
    match parser.tokens.get(parser.at) {
        None => Ok(filter),
        Some(token) => {
            Err(FilterError::Expected { position: token.position, expected: "&&, || or the end" })
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    comparisons: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self, expected: &'static str) -> Result<Token, FilterError> {
        let token =
            self.tokens.get(self.at).cloned().ok_or(FilterError::UnexpectedEnd { expected })?;
        self.at += 1;
        Ok(token)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let found = self.peek().is_some_and(|token| token.tok == *tok);
        if found {
            self.at += 1;
        }
        found
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut items = vec![self.and(depth)?];
        while self.eat(&Tok::Or) {
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Filter::Or(items) })
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut items = vec![self.unary(depth)?];
        while self.eat(&Tok::And) {
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Filter::And(items) })
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let token = self.next("a comparison, ( or !")?;
        let deeper = || {
            if depth >= MAX_DEPTH {
                Err(FilterError::TooDeep { position: token.position })
            } else {
                Ok(depth + 1)
            }
        };
        match &token.tok {
            Tok::Not => Ok(Filter::Not(Box::new(self.unary(deeper()?)?))),
            Tok::LParen => {
                let inner = self.or(deeper()?)?;
                let close = self.next(")")?;
                if close.tok != Tok::RParen {
                    return Err(FilterError::Expected { position: close.position, expected: ")" });
                }
                Ok(inner)
            }
            Tok::Word(field) => self.comparison(field.clone(), token.position),
            _ => Err(FilterError::Expected {
                position: token.position,
                expected: "a field name, ( or !",
            }),
        }
    }

    fn comparison(&mut self, field: String, position: usize) -> Result<Filter, FilterError> {
        self.comparisons += 1;
        if self.comparisons > MAX_COMPARISONS {
            return Err(FilterError::TooManyComparisons { position });
        }
        let token = self.next("an operator")?;
        match token.tok {
            Tok::Op(op) => Ok(Filter::Compare { field, op, value: self.literal()? }),
            Tok::Word(word) if word == "in" => {
                let open = self.next("(")?;
                if open.tok != Tok::LParen {
                    return Err(FilterError::Expected { position: open.position, expected: "(" });
                }
                let mut values = vec![self.literal()?];
                loop {
                    let token = self.next(", or )")?;
                    match token.tok {
                        Tok::RParen => break,
                        Tok::Comma if values.len() >= MAX_IN_VALUES => {
                            return Err(FilterError::ListTooLong { position: token.position });
                        }
                        Tok::Comma => values.push(self.literal()?),
                        _ => {
                            return Err(FilterError::Expected {
                                position: token.position,
                                expected: ", or )",
                            });
                        }
                    }
                }
                Ok(Filter::In { field, values })
            }
            _ => Err(FilterError::Expected {
                position: token.position,
                expected: "an operator or in",
            }),
        }
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        const EXPECTED: &str = "a string, a number, true, false or null";
        let token = self.next(EXPECTED)?;
        match token.tok {
            Tok::Str(text) => Ok(Literal::Text(text)),
            Tok::Num(digits) => Ok(Literal::Number(digits)),
            Tok::Word(word) if word == "true" => Ok(Literal::Bool(true)),
            Tok::Word(word) if word == "false" => Ok(Literal::Bool(false)),
            Tok::Word(word) if word == "null" => Ok(Literal::Null),
            _ => Err(FilterError::Expected { position: token.position, expected: EXPECTED }),
        }
    }
}

#[cfg(test)]
mod tests;
