//! Sessions: how a sign-in becomes a credential, and how a credential becomes a [`Principal`].
//!
//! - `start.rs`: a new session at each step of sign-in — pending second factor, then full —
//!   (256-bit token, only its SHA-256 stored), replacing the one the client held;
//! - `resolve.rs`: how a presented token (session token or `rk_` API key) becomes a
//!   [`Principal`] — the HTTP crate's middleware reads the token off each request and asks it;
//! - `principal.rs`: what use cases ask about the caller;
//! - `login.rs`: the sign-in flows that end in a session (password, second factor, passkey),
//!   re-authentication, and signing out;
//! - `expiry.rs`: the hourly purge of expired sessions;
//! - `own.rs`: a person's own sessions, listed and ended.
//!
//! Every check is against the database, so a revocation made through one instance is in force on
//! every other at the caller's next request.

mod expiry;
mod login;
pub mod own;
mod principal;
mod resolve;
mod start;

pub use expiry::purge_expired_sessions;
pub(crate) use expiry::start as start_expiry;
pub(crate) use login::signed_in;
pub use login::{
    LoginError, finish_with_second_factor, log_in_with_passkey, log_in_with_password, log_out,
    reauthenticate, start_passkey_login,
};
pub use principal::{Credential, PendingSignIn, Presented, Principal, Refused};
pub use rampart_store::sessions::SessionRow;
pub(crate) use resolve::live_only;
pub use resolve::{Caller, admit_during_lockdown, record_denial, resolve_caller};
pub use start::{Grant, Standing, StartedSession, standing, start_session};
