//! TOTP authenticators (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step either side).
//!
//! A secret is 160 random bits from our [`Random`] (RFC 4226's recommended length), kept in
//! `Zeroizing` memory and stored only encrypted (`core/src/mfa`). Checking a code returns the
//! step it matched: the caller spends that step in the database so a code counts once.

use std::fmt;

use rampart_domain::mfa::{TOTP_DIGITS, TOTP_STEP_SECS};
use rampart_domain::{Random, TotpCode};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeroize::Zeroizing;

use crate::CryptoError;

/// Bytes in a TOTP secret.
pub const TOTP_SECRET_LEN: usize = 20;

/// Steps accepted either side of the current one (clock drift, a code typed at a boundary).
const SKEW_STEPS: u16 = 1;

pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    pub fn generate(random: &dyn Random) -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new(vec![0u8; TOTP_SECRET_LEN]);
        random.fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// A secret read back from storage (after decryption).
    pub fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Result<Self, CryptoError> {
        if bytes.len() == TOTP_SECRET_LEN { Ok(Self(bytes)) } else { Err(CryptoError::Malformed) }
    }

    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32 without padding, for typing into an app by hand.
    pub fn base32(&self) -> Zeroizing<String> {
        Zeroizing::new(Secret::from(self.0.as_slice()).to_base32())
    }

    /// The `otpauth://totp/…` URI authenticator apps read (from the QR code).
    pub fn otpauth_uri(
        &self,
        issuer: &str,
        account: &str,
    ) -> Result<Zeroizing<String>, CryptoError> {
        let totp = self
            .builder()
            .with_issuer(Some(issuer))
            .with_account_name(account)
            .build()
            .map_err(|_| CryptoError::Malformed)?;
        totp.to_url().map(Zeroizing::new).map_err(|_| CryptoError::Malformed)
    }

    /// The step `code` matches at `unix_time` (the current step or one either side), if any.
    pub fn matching_step(&self, code: &TotpCode, unix_time: u64) -> Option<u64> {
        let totp: Totp = self.builder().build().ok()?;
        totp.check(code.expose(), unix_time).filter(|_| code.expose().len() == TOTP_DIGITS)
    }

    fn builder(&self) -> Builder {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(TOTP_DIGITS as u8)
            .with_skew(SKEW_STEPS)
            .with_step_duration(TOTP_STEP_SECS)
            .with_secret(self.0.as_slice())
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret, cut to 6 digits: the vectors 94287082 (t = 59) and
    /// 07081804 (t = 1111111109) end in 287082 and 081804.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(Zeroizing::new(b"12345678901234567890".to_vec())).unwrap()
    }

    #[test]
    fn rfc_6238_vectors_match_with_the_step_they_belong_to() {
        let secret = rfc_secret();
        assert_eq!(secret.matching_step(&TotpCode::parse("287082").unwrap(), 59), Some(1));
        let code = TotpCode::parse("081804").unwrap();
        assert_eq!(secret.matching_step(&code, 1_111_111_109), Some(37_037_036));
    }

    #[test]
    fn one_step_either_side_is_accepted_and_no_more() {
        let secret = rfc_secret();
        let code = TotpCode::parse("081804").unwrap();
        let t = 1_111_111_109;
        assert!(secret.matching_step(&code, t + 30).is_some());
        assert!(secret.matching_step(&code, t - 30).is_some());
        assert!(secret.matching_step(&code, t + 60).is_none());
        assert!(secret.matching_step(&code, t - 60).is_none());
    }

    #[test]
    fn the_uri_names_the_issuer_and_account_and_debug_hides_the_secret() {
        let secret = rfc_secret();
        let uri = secret.otpauth_uri("Acme Shop", "ada@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{}", *uri);
        assert!(uri.contains(&*secret.base32()));
        assert!(uri.contains("issuer=Acme"));
        assert!(!format!("{secret:?}").contains(&*secret.base32()));
    }
}
