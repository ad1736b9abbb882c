//! Who is calling: the credential read off each request and the extractors handlers take.
//!
//! - `authenticate.rs`: the middleware that reads the cookie or `Authorization: Bearer` (session
//!   token or `rk_` API key) on every request, asks `rampart_core::sessions::resolve_caller`, and
//!   attaches the caller to the request;
//! - `cookie.rs`: the `__Host-rampart_session` cookie and its CSRF companion token;
//! - `address.rs`: the client's address (through trusted proxies) and user agent.
//!
//! A handler that needs a signed-in caller takes [`SignedIn`]: without a valid session or API
//! key the request never reaches it (401), and a caller who owes a second factor is refused
//! (403 `mfa_enrolment_required`): only the enrolment routes, which take [`Enrolling`], let
//! them in. A sign-in still waiting for its second factor is a [`Pending`], which only
//! `POST /api/auth/login/mfa` takes. The values inside are `rampart_core`'s plain data.

pub(crate) mod address;
mod authenticate;
pub(crate) mod cookie;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use rampart_core::client::ClientContext;
use rampart_core::sessions::{PendingSignIn, Principal};

pub(crate) use authenticate::authenticate;
#[cfg(feature = "fuzzing")]
pub(crate) use authenticate::presented_token;
pub use cookie::{CSRF_HEADER, SESSION_COOKIE, csrf_token_for};

use crate::{ApiError, AppState};

/// A signed-in caller who owes nothing.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let principal =
            parts.extensions.get::<Principal>().cloned().ok_or(ApiError::Unauthenticated)?;
        if principal.owes_enrolment {
            return Err(ApiError::MfaEnrolmentRequired);
        }
        Ok(Self(principal))
    }
}

/// The caller if any, whether or not they owe an enrolment (sign-in replaces their session).
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<Principal>().cloned()))
    }
}

/// The caller of an enrolment route: any principal, including one who still owes a second
/// factor.
#[derive(Debug, Clone)]
pub struct Enrolling(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Enrolling {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().map(Enrolling).ok_or(ApiError::Unauthenticated)
    }
}

/// A sign-in whose password was right and whose second factor is still owed.
#[derive(Debug, Clone)]
pub struct Pending(pub PendingSignIn);

impl<S: Send + Sync> FromRequestParts<S> for Pending {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<PendingSignIn>()
            .cloned()
            .map(Pending)
            .ok_or(ApiError::Unauthenticated)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Pending {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<PendingSignIn>().cloned().map(Pending))
    }
}

/// The client's address and user agent (see `address.rs`).
#[derive(Debug, Clone)]
pub struct Client(pub ClientContext);

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(address::of_request(parts, &state.settings.server.trusted_proxies)))
    }
}
