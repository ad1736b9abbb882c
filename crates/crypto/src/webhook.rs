//! The signature on every webhook Rampart sends: `X-Rampart-Signature: t=<unix seconds>,v1=<hex>`
//! with `v1 = HMAC-SHA-256(secret, "<t>." || body)`. The receiver recomputes it with the shared
//! secret, compares in constant time, and refuses a `t` older than a few minutes (replay).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::CryptoError;

/// The header value for `body` sent at `unix_seconds`.
pub fn webhook_signature(
    secret: &[u8],
    unix_seconds: i64,
    body: &[u8],
) -> Result<String, CryptoError> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| CryptoError::Malformed)?;
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("t={unix_seconds},v1={}", hex::encode(mac.finalize().into_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let sign = |secret: &[u8], t, body: &[u8]| webhook_signature(secret, t, body).unwrap();
        let signed = sign(b"secret", 1_700_000_000, b"{\"a\":1}");
        assert!(signed.starts_with("t=1700000000,v1="));
        assert_eq!(signed.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(signed, sign(b"secret", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(signed, sign(b"secret", 1_700_000_000, b"{\"a\":2}"));
        assert_ne!(signed, sign(b"other", 1_700_000_000, b"{\"a\":1}"));
    }
}
