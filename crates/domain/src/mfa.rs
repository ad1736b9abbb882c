//! Multi-factor sign-in: the codes a user types, how a session's holder proved who they are, and
//! which roles need a second factor.
//!
//! A TOTP code is 6 digits (RFC 6238, SHA-1, 30 s); a recovery code is 128 random bits shown as
//! 32 hex digits in groups of four. Both are parsed once at the boundary and never printed.

use std::fmt;

use zeroize::Zeroizing;

/// Digits in a TOTP code.
pub const TOTP_DIGITS: usize = 6;
/// Seconds in one TOTP step.
pub const TOTP_STEP_SECS: u64 = 30;
/// Recovery codes given at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Random bytes in a recovery code (128 bits, above the 112 SECURITY.md asks).
pub const RECOVERY_CODE_BYTES: usize = 16;

/// Six digits typed from an authenticator app. Spaces are ignored (`123 456`).
pub struct TotpCode(Zeroizing<String>);

impl TotpCode {
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = Zeroizing::new(digits);
        (digits.len() == TOTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode([redacted])")
    }
}

/// A recovery code as typed: hex digits in any case, with or without dashes and spaces.
pub struct RecoveryCode(Zeroizing<String>);

impl RecoveryCode {
    pub fn parse(input: &str) -> Option<Self> {
        let normalized: String = input
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let normalized = Zeroizing::new(normalized);
        (normalized.len() == RECOVERY_CODE_BYTES * 2
            && normalized.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| Self(normalized))
    }

    /// The canonical form (32 lower-case hex digits): what is hashed.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// How the code is shown to its holder: `xxxx-xxxx-…` (8 groups of 4).
    pub fn display(&self) -> Zeroizing<String> {
        let groups: Vec<&str> = self
            .0
            .as_bytes()
            .chunks(4)
            .filter_map(|chunk| std::str::from_utf8(chunk).ok())
            .collect();
        Zeroizing::new(groups.join("-"))
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

/// How far a session has come in sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The password was right; the second factor is still owed. Good for nothing else.
    MfaPending,
    Full,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MfaPending => "mfa_pending",
            Self::Full => "full",
        }
    }

    /// `None` for anything else: a row that cannot be read is an error, never a default.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "full" => Some(Self::Full),
            "mfa_pending" => Some(Self::MfaPending),
            _ => None,
        }
    }
}

/// How the holder of a session proved who they are (recorded on the session and in the audit
/// trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assurance {
    Password,
    PasswordAndTotp,
    PasswordAndRecoveryCode,
    PasswordAndPasskey,
    /// A discoverable passkey with user verification: two factors in one.
    Passkey,
}

impl Assurance {
    pub const ALL: [Assurance; 5] = [
        Self::Password,
        Self::PasswordAndTotp,
        Self::PasswordAndRecoveryCode,
        Self::PasswordAndPasskey,
        Self::Passkey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::PasswordAndTotp => "password+totp",
            Self::PasswordAndRecoveryCode => "password+recovery_code",
            Self::PasswordAndPasskey => "password+passkey",
            Self::Passkey => "passkey",
        }
    }

    /// Anything unknown reads as the weakest level.
    /// `None` for a name that is not a level: a row that cannot be read is an error, never a
    /// default.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.as_str() == text)
    }

    pub fn is_multi_factor(self) -> bool {
        self != Self::Password
    }
}

/// Whether holding `roles` requires a second factor, given the roles configured to require one
/// (`mfa.required_roles`).
pub fn roles_require_mfa<R: AsRef<str>>(roles: &[R], required_roles: &[String]) -> bool {
    roles.iter().any(|role| required_roles.iter().any(|required| required == role.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_totp_code_is_six_digits_spaces_ignored() {
        assert_eq!(TotpCode::parse("123 456").unwrap().expose(), "123456");
        assert!(TotpCode::parse("12345").is_none());
        assert!(TotpCode::parse("1234567").is_none());
        assert!(TotpCode::parse("12345a").is_none());
        assert!(!format!("{:?}", TotpCode::parse("123456").unwrap()).contains("123456"));
    }

    #[test]
    fn a_recovery_code_is_read_whatever_its_case_and_dashes() {
        let shown = "0123-4567-89AB-CDEF-0123-4567-89ab-cdef";
        let code = RecoveryCode::parse(shown).unwrap();
        assert_eq!(code.canonical(), "0123456789abcdef0123456789abcdef");
        assert_eq!(*code.display(), shown.to_lowercase());
        assert!(RecoveryCode::parse("0123-4567").is_none());
        assert!(RecoveryCode::parse(&"g".repeat(32)).is_none());
        assert!(!format!("{code:?}").contains("0123"));
    }

    #[test]
    fn stages_and_levels_read_back_and_nothing_else_is_one() {
        for stage in [SessionStage::Full, SessionStage::MfaPending] {
            assert_eq!(SessionStage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(SessionStage::parse("garbage"), None);
        for level in Assurance::ALL {
            assert_eq!(Assurance::parse(level.as_str()), Some(level));
        }
        assert_eq!(Assurance::parse("garbage"), None);
        assert!(!Assurance::Password.is_multi_factor());
        assert!(Assurance::Passkey.is_multi_factor());
    }

    #[test]
    fn privileged_roles_require_mfa_when_configured_to() {
        let required = vec!["owner".to_owned(), "admin".to_owned()];
        assert!(roles_require_mfa(&["customer", "admin"], &required));
        assert!(!roles_require_mfa(&["staff"], &required));
        assert!(!roles_require_mfa::<&str>(&[], &required));
    }
}
