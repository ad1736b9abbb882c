//! The one authenticated-encryption primitive: XChaCha20-Poly1305 with a random 192-bit nonce.
//!
//! A sealed value is `nonce (24 bytes) || ciphertext || tag (16 bytes)`. The nonce is drawn at
//! random for every message; at 192 bits, collisions are not a concern for any number of
//! messages a database will hold.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rampart_domain::Random;
use zeroize::Zeroizing;

use crate::CryptoError;

pub(crate) const KEY_LEN: usize = 32;
pub(crate) const NONCE_LEN: usize = 24;
pub(crate) const TAG_LEN: usize = 16;

pub(crate) fn seal(
    key: &[u8; KEY_LEN],
    aad: &[u8],
    plaintext: &[u8],
    random: &dyn Random,
) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    random.fill(&mut nonce)?;
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    let ciphertext = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad })
        .map_err(|_| CryptoError::Malformed)?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    Ok(sealed)
}

pub(crate) fn open(
    key: &[u8; KEY_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Malformed);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = XNonce::try_from(nonce).map_err(|_| CryptoError::Malformed)?;
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    cipher
        .decrypt(&nonce, Payload { msg: ciphertext, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

/// Length-prefixes each part (u32, big-endian) so that no two different lists of parts make the
/// same bytes: ("ab", "c") and ("a", "bc") must not share associated data or a blind index.
pub(crate) fn framed(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
    for part in parts {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn sealing_round_trips_and_refuses_other_associated_data() {
        let key = [7u8; KEY_LEN];
        let sealed = seal(&key, b"context", b"secret", &OsRandom).unwrap();
        assert_eq!(open(&key, b"context", &sealed).unwrap().as_slice(), b"secret");
        assert!(matches!(open(&key, b"other", &sealed), Err(CryptoError::Decrypt)));
        assert!(matches!(open(&[8u8; KEY_LEN], b"context", &sealed), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn a_flipped_bit_is_detected() {
        let key = [7u8; KEY_LEN];
        let mut sealed = seal(&key, b"", b"secret", &OsRandom).unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(open(&key, b"", &sealed), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn framing_keeps_boundaries() {
        assert_ne!(framed(&[b"ab", b"c"]), framed(&[b"a", b"bc"]));
    }
}
