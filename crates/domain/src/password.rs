//! `Password`: a new password that meets the policy of SECURITY.md.
//!
//! At least 12 characters and at most 1024 bytes after Unicode NFC normalisation; no composition rules, no truncation;
//! strong enough by zxcvbn (score ≥ 3) with the user's own words (e-mail, name, site, departments)
//! as context, so `Acme-Shop-2026!` is refused at Acme Shop. The text is zeroized on drop and
//! never printed.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;
use zxcvbn::Score;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password was refused; the message can be shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("use at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("use at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("this password is too easy to guess{}", hint(.0))]
    TooWeak(Option<String>),
}

fn hint(advice: &Option<String>) -> String {
    advice.as_ref().map(|advice| format!(": {advice}")).unwrap_or_default()
}

pub struct Password(Zeroizing<String>);

impl Password {
    /// Checks a password being set (registration, change, reset). `context` holds the words an
    /// attacker would try first for this user: e-mail, name, site name, department names.
    pub fn new(input: &str, context: &[&str]) -> Result<Self, PasswordRejected> {
        let password = Self::normalize(input);
        if password.0.chars().count() < MIN_PASSWORD_CHARS {
            return Err(PasswordRejected::TooShort);
        }
        if password.0.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordRejected::TooLong);
        }
        let context: Vec<&str> = context
            .iter()
            .flat_map(|word| word.split(|c: char| !c.is_alphanumeric()))
            .filter(|word| word.len() >= 3)
            .chain(context.iter().copied())
            .collect();
        let estimate = zxcvbn::zxcvbn(&password.0, &context);
        if estimate.score() < Score::Three {
            let advice = estimate.feedback().and_then(|feedback| {
                feedback
                    .warning()
                    .map(|warning| warning.to_string())
                    .or_else(|| feedback.suggestions().first().map(ToString::to_string))
            });
            return Err(PasswordRejected::TooWeak(advice));
        }
        Ok(password)
    }

    /// A password being checked at sign-in: normalised the same way, no policy (an old password
    /// must still verify), but bounded so that hashing cannot be made expensive.
    pub fn for_sign_in(input: &str) -> Option<Self> {
        let password = Self::normalize(input);
        (password.0.len() <= MAX_PASSWORD_BYTES).then_some(password)
    }

    fn normalize(input: &str) -> Self {
        Self(Zeroizing::new(input.nfc().collect()))
    }

    pub fn expose_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_unpredictable_password_is_accepted() {
        assert!(Password::new("correct horse battery staple orbit", &[]).is_ok());
    }

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        assert_eq!(Password::new("Tr0ub4dor&3", &[]).unwrap_err(), PasswordRejected::TooShort);
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(Password::new(&long, &[]).unwrap_err(), PasswordRejected::TooLong);
        assert!(Password::for_sign_in(&long).is_none());
    }

    #[test]
    fn common_passwords_are_refused_with_advice() {
        let error = Password::new("password1234", &[]).unwrap_err();
        assert!(matches!(error, PasswordRejected::TooWeak(Some(_))), "{error:?}");
        assert!(error.to_string().starts_with("this password is too easy to guess"));
    }

    #[test]
    fn the_users_own_words_make_a_password_weak() {
        let candidate = "AcmeShopLovelace";
        assert!(Password::new(candidate, &[]).is_ok());
        let error =
            Password::new(candidate, &["ada.lovelace@acmeshop.example", "Acme Shop"]).unwrap_err();
        assert!(matches!(error, PasswordRejected::TooWeak(_)));
    }

    #[test]
    fn equivalent_unicode_forms_are_the_same_password() {
        let composed = Password::for_sign_in("caf\u{e9} au lait du matin").unwrap();
        let decomposed = Password::for_sign_in("cafe\u{301} au lait du matin").unwrap();
        assert_eq!(composed.expose_bytes(), decomposed.expose_bytes());
        assert_eq!(format!("{composed:?}"), "Password([redacted])");
    }
}
