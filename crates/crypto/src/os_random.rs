use rampart_domain::{Random, RandomUnavailable};

/// Randomness from the operating system's CSPRNG (`getrandom(2)` on Linux).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), RandomUnavailable> {
        getrandom::fill(buf).map_err(|_| RandomUnavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_domain::random_bytes;

    #[test]
    fn two_draws_differ() {
        let a: [u8; 32] = random_bytes(&OsRandom).unwrap();
        let b: [u8; 32] = random_bytes(&OsRandom).unwrap();
        assert_ne!(a, b);
    }
}
