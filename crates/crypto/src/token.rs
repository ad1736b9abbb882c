//! Opaque bearer secrets: session tokens, API keys, one-time links.
//!
//! A token is random bytes shown to its holder once, as hex behind an optional prefix
//! (`rk_` for API keys). Only its SHA-256 is stored: a copy of the database cannot be replayed,
//! and a lookup by hash needs no constant-time comparison (the hash of a guess reveals nothing
//! about the stored one). 256 bits for sessions and API keys, 128 for one-time links.

use std::fmt;

use rampart_domain::{Random, RandomUnavailable};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A freshly made token: the text for its holder and the hash to store.
pub struct NewToken {
    text: Zeroizing<String>,
    hash: [u8; 32],
}

impl NewToken {
    /// `bytes` random bytes as hex after `prefix`.
    pub fn generate(
        random: &dyn Random,
        prefix: &str,
        bytes: usize,
    ) -> Result<Self, RandomUnavailable> {
        let mut secret = Zeroizing::new(vec![0u8; bytes]);
        random.fill(&mut secret)?;
        let text = Zeroizing::new(format!("{prefix}{}", hex::encode(&*secret)));
        let hash = token_hash(&text);
        Ok(Self { text, hash })
    }

    /// The token, to hand to its holder once.
    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewToken([redacted])")
    }
}

/// What is stored for a token, and what a presented token is looked up by.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A value derived from a token under a label, e.g. the CSRF token that goes with a session
/// cookie: computable from the cookie, useless without it, and not the cookie itself.
pub fn derived_token(token: &str, label: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(label.as_bytes());
    hasher.update([0]);
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn tokens_carry_their_prefix_and_the_asked_number_of_random_bits() {
        let token = NewToken::generate(&OsRandom, "rk_", 32).unwrap();
        assert!(token.expose().starts_with("rk_"));
        assert_eq!(token.expose().len(), 3 + 64);
        assert_eq!(token.hash(), token_hash(token.expose()));
        let other = NewToken::generate(&OsRandom, "rk_", 32).unwrap();
        assert_ne!(token.expose(), other.expose());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = NewToken::generate(&OsRandom, "", 16).unwrap();
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn a_derived_token_differs_by_label_and_from_its_source() {
        let csrf = derived_token("abc", "csrf");
        assert_ne!(csrf, derived_token("abc", "other"));
        assert_ne!(csrf, "abc");
        assert_eq!(csrf.len(), 64);
    }
}
