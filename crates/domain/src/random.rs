//! The one source of randomness, as a parameter.
//!
//! Tokens, salts and keys are drawn through [`Random`] so that a test can pin what an otherwise
//! random value would be. The production implementation (`rampart_crypto::OsRandom`) reads the
//! operating system's CSPRNG and fails closed when it cannot.

use std::fmt;

/// The operating system refused to give random bytes; nothing secret may be made without them.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator is unavailable")]
pub struct RandomUnavailable;

pub trait Random: Send + Sync + fmt::Debug {
    /// Fills `buf` with cryptographically secure random bytes.
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomUnavailable>;
}

/// `N` random bytes from `random`.
pub fn random_bytes<const N: usize>(random: &dyn Random) -> Result<[u8; N], RandomUnavailable> {
    let mut out = [0u8; N];
    random.fill(&mut out)?;
    Ok(out)
}
