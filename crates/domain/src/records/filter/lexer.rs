//! Tokens of the filter language, each with the byte position where it starts.

use super::{CompareOp, FilterError, MAX_STRING_CHARS};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Or,
    And,
    Not,
    LParen,
    RParen,
    Comma,
    Op(CompareOp),
    /// A field name or one of the words `in`, `true`, `false`, `null` (the parser decides which
    /// by position, so a field may be called `in`).
    Word(String),
    Str(String),
    /// The digits as written (`-12.50`).
    Num(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) position: usize,
}

pub(super) fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut lexer = Lexer { bytes: input.as_bytes(), input, at: 0 };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next_token(&mut self) -> Result<Option<Token>, FilterError> {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
        let position = self.at;
        let Some(byte) = self.peek() else { return Ok(None) };
        let next = self.bytes.get(self.at + 1).copied();
        let (tok, len) = match (byte, next) {
            (b'|', Some(b'|')) => (Tok::Or, 2),
            (b'&', Some(b'&')) => (Tok::And, 2),
            (b'!', Some(b'=')) => (Tok::Op(CompareOp::Ne), 2),
            (b'<', Some(b'=')) => (Tok::Op(CompareOp::Le), 2),
            (b'>', Some(b'=')) => (Tok::Op(CompareOp::Ge), 2),
            (b'!', _) => (Tok::Not, 1),
            (b'<', _) => (Tok::Op(CompareOp::Lt), 1),
            (b'>', _) => (Tok::Op(CompareOp::Gt), 1),
            (b'=', _) => (Tok::Op(CompareOp::Eq), 1),
            (b'~', _) => (Tok::Op(CompareOp::Contains), 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'"' | b'\'', _) => return self.string(byte).map(|tok| Some(Token { tok, position })),
            (b'-' | b'0'..=b'9', _) => {
                return self.number().map(|tok| Some(Token { tok, position }));
            }
            (b'a'..=b'z', _) => return Ok(Some(Token { tok: self.word(), position })),
            _ => return Err(FilterError::UnexpectedCharacter { position }),
        };
        self.at += len;
        Ok(Some(Token { tok, position }))
    }

    fn word(&mut self) -> Tok {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            self.at += 1;
        }
        Tok::Word(self.input[start..self.at].to_owned())
    }

    /// `-?digits(.digits)?`, kept as text: the field's kind decides what number it is.
    fn number(&mut self) -> Result<Tok, FilterError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |lexer: &mut Self| {
            let from = lexer.at;
            while lexer.peek().is_some_and(|b| b.is_ascii_digit()) {
                lexer.at += 1;
            }
            lexer.at > from
        };
        if !digits(self) {
            return Err(FilterError::InvalidNumber { position: start });
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(FilterError::InvalidNumber { position: start });
            }
        }
        if self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
            return Err(FilterError::InvalidNumber { position: start });
        }
        Ok(Tok::Num(self.input[start..self.at].to_owned()))
    }

    fn string(&mut self, quote: u8) -> Result<Tok, FilterError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        let mut chars = 0usize;
        loop {
            let rest = &self.input[self.at..];
            let Some(c) = rest.chars().next() else {
                return Err(FilterError::UnterminatedString { position: start });
            };
            let here = self.at;
            self.at += c.len_utf8();
            let decoded = match c {
                _ if c as u32 == u32::from(quote) => break,
                '\\' => self.escape(here)?,
                c => c,
            };
            if decoded == '\u{0}' {
                return Err(FilterError::NulInString { position: here });
            }
            chars += 1;
            if chars > MAX_STRING_CHARS {
                return Err(FilterError::StringTooLong { position: start });
            }
            out.push(decoded);
        }
        Ok(Tok::Str(out))
    }

    /// After a backslash at `position`: `\"` `\'` `\\` `\n` `\r` `\t` `\u{1F600}`.
    fn escape(&mut self, position: usize) -> Result<char, FilterError> {
        let invalid = FilterError::InvalidEscape { position };
        let Some(byte) = self.peek() else {
            return Err(FilterError::UnterminatedString { position });
        };
        self.at += 1;
        match byte {
            b'"' => Ok('"'),
            b'\'' => Ok('\''),
            b'\\' => Ok('\\'),
            b'n' => Ok('\n'),
            b'r' => Ok('\r'),
            b't' => Ok('\t'),
            b'u' => {
                if self.peek() != Some(b'{') {
                    return Err(invalid);
                }
                self.at += 1;
                let from = self.at;
                while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) && self.at - from < 6 {
                    self.at += 1;
                }
                let hex = &self.input[from..self.at];
                if hex.is_empty() || self.peek() != Some(b'}') {
                    return Err(invalid);
                }
                self.at += 1;
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).ok_or(invalid)
            }
            _ => Err(invalid),
        }
    }
}
