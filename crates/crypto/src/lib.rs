//! Rampart's keys and cryptography.
//!
//! Where a byte is made secret or random, it happens here: the operating system's randomness
//! ([`OsRandom`]), the master key that wraps every data key ([`MasterKey`]), and the certificates of
//! the built-in TLS listener ([`LocalCertificates`]). No HTTP, no SQL.

mod local_tls;
mod master_key;
mod os_random;

pub use local_tls::{LocalCertificates, TlsCertError};
pub use master_key::{MASTER_KEY_LEN, MasterKey, MasterKeyError};
pub use os_random::OsRandom;
