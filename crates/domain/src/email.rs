//! `Email`: an address that has been checked once, at the boundary.
//!
//! Parsing trims surrounding white space and refuses anything that cannot be delivered to: no
//! `@`, an empty or over-long part, white space or control characters inside — and characters
//! that show nothing (a zero-width space, a soft hyphen, a direction mark: Unicode's default
//! ignorables), which would make two addresses that look the same different accounts. The
//! address keeps the case it was given (for display and delivery); [`Email::normalized`] is the
//! form used for equality — lookups, uniqueness and the blind index: compatibility-normalised
//! (NFKC: a fullwidth `ａ` is an `a`) and lower-cased, so `Ada@Example.COM`, `ａda@example.com`
//! and `ada@example.com` are one account. [`Email::skeleton`] is what the address looks like
//! (Unicode TS #39): a new address whose skeleton matches an existing account's is refused, so
//! `аdmin@example.com` with a Cyrillic `а` cannot sit beside `admin@example.com`.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address needs exactly one @ with text on both sides")]
    Shape,
    #[error(
        "an e-mail address is at most {MAX_LEN} characters, and its part before @ at most {MAX_LOCAL_LEN}"
    )]
    TooLong,
    #[error("an e-mail address cannot contain spaces, control characters or invisible characters")]
    ForbiddenCharacter,
    #[error("the domain of an e-mail address must be a host name such as example.com")]
    Domain,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let address: String = input.trim().nfc().collect();
        if address.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if address.chars().any(|c| c.is_whitespace() || c.is_control() || is_invisible(c)) {
            return Err(EmailError::ForbiddenCharacter);
        }
        let (local, domain) = address.rsplit_once('@').ok_or(EmailError::Shape)?;
        if local.is_empty() || domain.is_empty() || local.contains('@') {
            return Err(EmailError::Shape);
        }
        if local.chars().count() > MAX_LOCAL_LEN {
            return Err(EmailError::TooLong);
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !labels_ok {
            return Err(EmailError::Domain);
        }
        Ok(Self(address))
    }

    /// As given (trimmed, NFC): for display and delivery.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// NFKC, lower-cased: the form compared, indexed and kept unique.
    pub fn normalized(&self) -> String {
        self.0.nfkc().collect::<String>().to_lowercase()
    }

    /// The confusable skeleton (Unicode TS #39) of [`Email::normalized`]: two addresses that
    /// look alike have the same one. Never an address itself: only compared, as a blind index.
    pub fn skeleton(&self) -> String {
        unicode_security::skeleton(&self.normalized()).collect()
    }
}

/// Unicode's default-ignorable code points (DerivedCoreProperties.txt, Unicode 15): characters a
/// renderer shows as nothing, such as U+200B ZERO WIDTH SPACE, U+00AD SOFT HYPHEN or U+202E
/// RIGHT-TO-LEFT OVERRIDE.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// An e-mail address is personal data: `Debug` shows only its domain.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map_or("", |(_, domain)| domain);
        write!(f, "Email(…@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_parse_and_normalise_to_lower_case() {
        let email = Email::parse("  Ada.Lovelace+news@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace+news@Example.COM");
        assert_eq!(email.normalized(), "ada.lovelace+news@example.com");
        assert!(Email::parse("ops@localhost").is_ok());
        assert!(Email::parse("jürgen@müller.de").is_ok());
    }

    #[test]
    fn undeliverable_shapes_are_refused_with_a_reason() {
        assert_eq!(Email::parse("no-at-sign"), Err(EmailError::Shape));
        assert_eq!(Email::parse("@example.com"), Err(EmailError::Shape));
        assert_eq!(Email::parse("ada@"), Err(EmailError::Shape));
        assert_eq!(Email::parse("a b@example.com"), Err(EmailError::ForbiddenCharacter));
        assert_eq!(Email::parse("ada@exa\u{0}mple.com"), Err(EmailError::ForbiddenCharacter));
        assert_eq!(Email::parse("ada@example..com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("ada@-example.com"), Err(EmailError::Domain));
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(65))),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn look_alikes_are_one_address_or_refused() {
        let plain = Email::parse("admin@example.com").unwrap().normalized();
        // Fullwidth letters are the same address once compatibility-normalised.
        assert_eq!(Email::parse("\u{ff41}dmin@example.com").unwrap().normalized(), plain);
        assert_eq!(Email::parse("ADMIN@EXAMPLE.COM").unwrap().normalized(), plain);
        // Characters that show nothing are refused, not kept as a second account.
        for hidden in [
            "ad\u{200b}min@example.com",
            "ad\u{ad}min@example.com",
            "admin\u{202e}@example.com",
            "\u{feff}admin@example.com",
        ] {
            assert_eq!(Email::parse(hidden), Err(EmailError::ForbiddenCharacter), "{hidden:?}");
        }
    }

    #[test]
    fn look_alike_letters_from_other_scripts_share_a_skeleton() {
        let skeleton = |address: &str| Email::parse(address).unwrap().skeleton();
        let plain = skeleton("admin@example.com");
        assert_eq!(skeleton("\u{0430}dmin@example.com"), plain, "Cyrillic а");
        assert_eq!(skeleton("adm\u{0456}n@example.com"), plain, "Cyrillic і");
        assert_eq!(skeleton("admin@ex\u{0430}mple.com"), plain, "in the domain too");
        assert_eq!(skeleton("\u{ff41}dmin@example.com"), plain, "fullwidth");
        assert_ne!(
            skeleton("admim@example.com"),
            plain,
            "a different letter is a different address"
        );
        assert_ne!(skeleton("ada@example.com"), plain);
    }

    #[test]
    fn debug_hides_the_local_part() {
        let shown = format!("{:?}", Email::parse("ada@example.com").unwrap());
        assert_eq!(shown, "Email(…@example.com)");
    }
}
