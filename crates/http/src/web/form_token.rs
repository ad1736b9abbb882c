//! The CSRF token a page puts in its forms (a hidden `csrf_token` field): the same token the
//! API gives at sign-in for `X-CSRF-Token`, derived from the session cookie, so it needs no
//! storage and dies with the session. `middleware/csrf.rs` accepts it in a form body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::caller::cookie::session_token_from_cookies;
use crate::caller::csrf_token_for;

/// The form token of the session cookie the request came with (none without a cookie).
#[derive(Debug, Clone)]
pub(crate) struct FormToken(pub(crate) Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for FormToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(session_token_from_cookies(&parts.headers).map(csrf_token_for)))
    }
}

impl FormToken {
    /// The token, or nothing (a form without a session needs none: see `middleware/csrf.rs`).
    pub(crate) fn value(&self) -> String {
        self.0.clone().unwrap_or_default()
    }
}
