//! Pure types and rules of Rampart.
//!
//! Nothing here performs I/O, speaks HTTP or builds SQL: every other crate depends on this one, and
//! this one depends on nothing of ours. Time and randomness enter as parameters ([`Clock`],
//! [`Random`]) so that rules about expiry, lockout or codes are tested without sleeping.

pub mod clock;
pub mod email;
pub mod password;
pub mod random;

pub use clock::{Clock, ManualClock, SystemClock};
pub use email::{Email, EmailError};
pub use password::{Password, PasswordRejected};
pub use random::{Random, RandomUnavailable, random_bytes};
