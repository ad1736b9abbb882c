//! The notification template (`--template FILE`): the first line is `Subject: …`, the rest is
//! the plain-text body. `{{collection}}`, `{{since}}`, `{{until}}` and `{{site}}` are replaced
//! in both; nothing else is interpreted. A subject is one line: carriage returns, line feeds
//! and other control characters are refused, so nothing can be smuggled into the headers.

/// Why a template is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("the template's first line must be `Subject: …`")]
    NoSubject,
    #[error("the template's subject is empty")]
    EmptySubject,
    #[error(
        "the template's subject (after its placeholders are filled) contains a control character"
    )]
    ControlInSubject,
    #[error("the template has no body after the subject line")]
    EmptyBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    subject: String,
    body: String,
}

/// What the placeholders stand for in one message.
#[derive(Debug, Clone, Copy)]
pub struct Fill<'a> {
    pub collection: &'a str,
    pub since: &'a str,
    pub until: &'a str,
    pub site: &'a str,
}

impl Template {
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first
            .strip_suffix('\r')
            .unwrap_or(first)
            .strip_prefix("Subject:")
            .ok_or(TemplateError::NoSubject)?
            .trim();
        if subject.is_empty() {
            return Err(TemplateError::EmptySubject);
        }
        if subject.chars().any(char::is_control) {
            return Err(TemplateError::ControlInSubject);
        }
        // One blank line between the subject and the body is the usual layout; it is not kept.
        let body = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n')).unwrap_or(rest);
        if body.trim().is_empty() {
            return Err(TemplateError::EmptyBody);
        }
        Ok(Self { subject: subject.to_owned(), body: body.to_owned() })
    }

    /// The subject and body of one message. The filled subject is checked again: a placeholder's
    /// value (a collection name) must not bring a line break into it either.
    pub fn render(&self, fill: Fill<'_>) -> Result<(String, String), TemplateError> {
        let subject = fill_in(&self.subject, fill);
        if subject.chars().any(char::is_control) {
            return Err(TemplateError::ControlInSubject);
        }
        Ok((subject, fill_in(&self.body, fill)))
    }
}

fn fill_in(text: &str, fill: Fill<'_>) -> String {
    text.replace("{{collection}}", fill.collection)
        .replace("{{since}}", fill.since)
        .replace("{{until}}", fill.until)
        .replace("{{site}}", fill.site)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILL: Fill<'static> =
        Fill { collection: "customers", since: "2026-12-01", until: "2026-12-02", site: "Shop" };

    #[test]
    fn the_first_line_is_the_subject_and_placeholders_are_filled() {
        let template =
            Template::parse("Subject: {{site}}: about your {{collection}} record\n\nBetween {{since}} and {{until}}.\n")
                .unwrap();
        let (subject, body) = template.render(FILL).unwrap();
        assert_eq!(subject, "Shop: about your customers record");
        assert_eq!(body, "Between 2026-12-01 and 2026-12-02.\n");
    }

    #[test]
    fn a_template_without_a_subject_line_or_body_is_refused() {
        assert_eq!(Template::parse("Hello\n\nbody"), Err(TemplateError::NoSubject));
        assert_eq!(Template::parse("Subject:   \n\nbody"), Err(TemplateError::EmptySubject));
        assert_eq!(Template::parse("Subject: hi\n\n  \n"), Err(TemplateError::EmptyBody));
    }

    #[test]
    fn a_subject_cannot_carry_a_header() {
        assert_eq!(
            Template::parse("Subject: hi\rBcc: x@example.com\n\nbody"),
            Err(TemplateError::ControlInSubject)
        );
        let template = Template::parse("Subject: {{collection}}\n\nbody").unwrap();
        let fill = Fill { collection: "a\r\nBcc: x@example.com", ..FILL };
        assert_eq!(template.render(fill), Err(TemplateError::ControlInSubject));
    }
}
