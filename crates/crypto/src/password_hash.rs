//! Password hashing: Argon2id with a pepper, memory reused between hashes.
//!
//! Parameters: m = 19456 KiB, t = 2, p = 1 (SECURITY.md), 16-byte random salt, 32-byte output.
//! The pepper is the keyring's `pepper` key, passed to Argon2 as its secret input, so a stolen
//! database alone cannot be attacked offline. Stored form:
//!
//! ```text
//! argon2id$v=19$m=19456,t=2,p=1$k=<pepper version>$<salt hex>$<hash hex>
//! ```
//!
//! A [`PasswordHasher`] owns its Argon2 memory (19 MiB) and reuses it for every call: the
//! server's hashing pool gives each of its few threads one, so a login flood cannot make the
//! process allocate 19 MiB per request.

use argon2::{Algorithm, Argon2, Block, Params, Version};
use rampart_domain::Random;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{CryptoError, Keyring, Purpose};

const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashParams {
    /// What new hashes use; older hashes are upgraded at the next successful sign-in.
    pub const CURRENT: Self = Self { memory_kib: 19_456, iterations: 2, parallelism: 1 };
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The hash uses outdated parameters or an older pepper: store a fresh hash now.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords, reusing one Argon2 memory area. Not `Sync`: one per thread.
#[derive(Debug)]
pub struct PasswordHasher {
    memory: Vec<Block>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        Self { memory: Vec::new() }
    }

    /// Hashes a new password with the current parameters and the newest pepper.
    pub fn hash(
        &mut self,
        password: &[u8],
        keyring: &Keyring,
        random: &dyn Random,
    ) -> Result<String, CryptoError> {
        let (pepper_version, _) = keyring.current(Purpose::Pepper)?;
        let mut salt = [0u8; SALT_LEN];
        random.fill(&mut salt)?;
        let params = HashParams::CURRENT;
        let hash = self.compute(password, &salt, params, keyring, pepper_version)?;
        Ok(format!(
            "argon2id$v=19$m={},t={},p={}$k={pepper_version}${}${}",
            params.memory_kib,
            params.iterations,
            params.parallelism,
            hex::encode(salt),
            hex::encode(hash.as_slice())
        ))
    }

    /// Checks `password` against a stored hash, in constant time once the hash is computed.
    pub fn verify(
        &mut self,
        password: &[u8],
        stored: &str,
        keyring: &Keyring,
    ) -> Result<Verification, CryptoError> {
        let parsed = Stored::parse(stored).ok_or(CryptoError::Malformed)?;
        let hash = self.compute(password, &parsed.salt, parsed.params, keyring, parsed.pepper)?;
        let matches = bool::from(hash.as_slice().ct_eq(&parsed.hash));
        let needs_rehash = parsed.params != HashParams::CURRENT
            || Some(parsed.pepper) != keyring.current_version(Purpose::Pepper);
        Ok(Verification { matches, needs_rehash })
    }

    /// Does the work of a verification against nothing, so that an unknown account takes as
    /// long to refuse as a wrong password.
    pub fn verify_dummy(&mut self, password: &[u8], keyring: &Keyring) -> Result<(), CryptoError> {
        let (pepper, _) = keyring.current(Purpose::Pepper)?;
        self.compute(password, &[0u8; SALT_LEN], HashParams::CURRENT, keyring, pepper).map(drop)
    }

    fn compute(
        &mut self,
        password: &[u8],
        salt: &[u8],
        params: HashParams,
        keyring: &Keyring,
        pepper_version: u32,
    ) -> Result<Zeroizing<[u8; HASH_LEN]>, CryptoError> {
        let pepper = keyring.data_key(Purpose::Pepper, pepper_version)?;
        let argon_params =
            Params::new(params.memory_kib, params.iterations, params.parallelism, Some(HASH_LEN))
                .map_err(|_| CryptoError::Malformed)?;
        let blocks = argon_params.block_count();
        if self.memory.len() < blocks {
            self.memory.resize(blocks, Block::default());
        }
        let argon = Argon2::new_with_secret(
            pepper.expose_bytes(),
            Algorithm::Argon2id,
            Version::V0x13,
            argon_params,
        )
        .map_err(|_| CryptoError::Malformed)?;
        let mut out = Zeroizing::new([0u8; HASH_LEN]);
        argon
            .hash_password_into_with_memory(
                password,
                salt,
                out.as_mut(),
                &mut self.memory[..blocks],
            )
            .map_err(|_| CryptoError::Malformed)?;
        Ok(out)
    }
}

struct Stored {
    params: HashParams,
    pepper: u32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl Stored {
    fn parse(stored: &str) -> Option<Self> {
        let mut parts = stored.split('$');
        if parts.next()? != "argon2id" || parts.next()? != "v=19" {
            return None;
        }
        let mut params = HashParams { memory_kib: 0, iterations: 0, parallelism: 0 };
        for pair in parts.next()?.split(',') {
            let (name, value) = pair.split_once('=')?;
            let value: u32 = value.parse().ok()?;
            match name {
                "m" => params.memory_kib = value,
                "t" => params.iterations = value,
                "p" => params.parallelism = value,
                _ => return None,
            }
        }
        let pepper = parts.next()?.strip_prefix("k=")?.parse().ok()?;
        let salt = hex::decode(parts.next()?).ok()?;
        let hash = hex::decode(parts.next()?).ok()?;
        (parts.next().is_none() && hash.len() == HASH_LEN).then_some(Self {
            params,
            pepper,
            salt,
            hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataKey, OsRandom};

    fn keyring_with_pepper_versions(versions: &[u32]) -> Keyring {
        let mut keyring = Keyring::new();
        for version in versions {
            keyring.insert(Purpose::Pepper, *version, DataKey::generate(&OsRandom).unwrap());
        }
        keyring
    }

    #[test]
    fn the_right_password_matches_and_a_wrong_one_does_not() {
        let keyring = keyring_with_pepper_versions(&[1]);
        let mut hasher = PasswordHasher::new();
        let stored = hasher.hash(b"correct horse battery staple", &keyring, &OsRandom).unwrap();

        assert!(stored.starts_with("argon2id$v=19$m=19456,t=2,p=1$k=1$"));
        let right = hasher.verify(b"correct horse battery staple", &stored, &keyring).unwrap();
        let wrong = hasher.verify(b"correct horse battery stapler", &stored, &keyring).unwrap();
        assert_eq!(right, Verification { matches: true, needs_rehash: false });
        assert!(!wrong.matches);
        assert!(!stored.contains("correct"));
    }

    #[test]
    fn without_the_pepper_the_hash_cannot_be_checked() {
        let keyring = keyring_with_pepper_versions(&[1]);
        let other = keyring_with_pepper_versions(&[1]);
        let mut hasher = PasswordHasher::new();
        let stored = hasher.hash(b"correct horse battery staple", &keyring, &OsRandom).unwrap();

        let elsewhere = hasher.verify(b"correct horse battery staple", &stored, &other).unwrap();

        assert!(!elsewhere.matches);
    }

    #[test]
    fn old_parameters_and_old_peppers_ask_for_a_rehash() {
        let mut keyring = keyring_with_pepper_versions(&[1]);
        let mut hasher = PasswordHasher::new();
        let stored = hasher.hash(b"correct horse battery staple", &keyring, &OsRandom).unwrap();
        keyring.insert(Purpose::Pepper, 2, DataKey::generate(&OsRandom).unwrap());
        let weak = format!(
            "argon2id$v=19$m=8192,t=1,p=1$k=2${}${}",
            hex::encode([1u8; 16]),
            hex::encode([0u8; 32])
        );

        let after_rotation =
            hasher.verify(b"correct horse battery staple", &stored, &keyring).unwrap();
        let old_params = hasher.verify(b"x", &weak, &keyring).unwrap();

        assert_eq!(after_rotation, Verification { matches: true, needs_rehash: true });
        assert!(old_params.needs_rehash);
    }

    #[test]
    fn a_malformed_stored_hash_is_an_error_not_a_match() {
        let keyring = keyring_with_pepper_versions(&[1]);
        let mut hasher = PasswordHasher::new();
        for stored in ["", "argon2id$v=19$m=19456,t=2,p=1$k=1$zz$zz", "bcrypt$whatever"] {
            assert!(hasher.verify(b"x", stored, &keyring).is_err(), "{stored}");
        }
    }
}
