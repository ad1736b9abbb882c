//! A display title (departments, collections): trimmed, 1 to 100 characters, one line.

/// What a title must be, as a refusal says it.
pub const TITLE_RULE: &str = "title: 1 to 100 characters, no control characters";

/// `title` trimmed, or `None` when it is blank, longer than 100 characters or holds a control
/// character (a line break, a terminal escape).
pub fn checked_title(title: &str) -> Option<String> {
    let title = title.trim();
    let fits =
        !title.is_empty() && title.chars().count() <= 100 && !title.chars().any(char::is_control);
    fits.then(|| title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_one_trimmed_line_of_at_most_a_hundred_characters() {
        assert_eq!(checked_title("  Leads \t").as_deref(), Some("Leads"));
        assert_eq!(checked_title(&"x".repeat(100)).map(|t| t.len()), Some(100));
        for refused in ["", "   ", "two\nlines", "bell\u{7}", &"x".repeat(101)] {
            assert_eq!(checked_title(refused), None, "{refused:?}");
        }
    }
}
