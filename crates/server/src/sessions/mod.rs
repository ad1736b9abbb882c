//! Sessions: how a sign-in becomes a credential, and how a credential becomes a [`Principal`].
//!
//! - `start.rs`: a new session at each step of sign-in — pending second factor, then full —
//!   (256-bit token, only its SHA-256 stored), replacing the one the client held;
//! - `cookie.rs`: the `__Host-rampart_session` cookie and its CSRF companion token;
//! - `authenticate.rs`: the middleware that reads the cookie or `Authorization: Bearer` (session
//!   token or `rk_` API key) on every request and, when valid, attaches the [`Principal`];
//! - `principal.rs`: what handlers ask about the caller;
//! - `expiry.rs`: the hourly purge of expired sessions;
//! - `own.rs`: a person's own sessions, listed and ended.
//!
//! Every check is against the database, so a revocation made through one instance is in force on
//! every other at the caller's next request.

mod authenticate;
pub(crate) mod cookie;
mod expiry;
pub mod own;
mod principal;
mod start;

#[cfg(feature = "fuzzing")]
pub(crate) use authenticate::presented_token;
pub(crate) use authenticate::{authenticate, is_live};
pub(crate) use cookie::bearer_token;
pub use cookie::{CSRF_HEADER, SESSION_COOKIE, csrf_token_for};
pub use expiry::purge_expired_sessions;
pub(crate) use expiry::start as start_expiry;
pub use principal::{Credential, Enrolling, PendingSignIn, Presented, Principal, Refused};
pub use start::{Grant, StartedSession, start_session};
