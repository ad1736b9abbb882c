//! The crate's parsers of untrusted input, callable by the fuzz targets in `fuzz/` (cargo feature
//! `fuzzing`, off by default). Each function is a thin wrapper over the code a request or a
//! backup really goes through; nothing here parses on its own.

use std::net::IpAddr;

use axum::http::HeaderMap;
/// The backup and API key parsers live with the use cases.
pub use rampart_core::fuzzing::*;
pub use rampart_core::sessions::Presented;

/// The session cookie's value among the request's `Cookie` headers.
pub fn session_token_from_cookies(headers: &HeaderMap) -> Option<&str> {
    crate::caller::cookie::session_token_from_cookies(headers)
}

/// The token of `Authorization: Bearer …`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    crate::caller::cookie::bearer_token(headers)
}

/// The credential the authentication middleware takes from the request, and how it came.
pub fn presented_token(headers: &HeaderMap) -> Option<(&str, Presented)> {
    crate::caller::presented_token(headers)
}

/// The CSRF middleware's decision for a state-changing request that rides on the cookie.
pub fn cookie_request_allowed(headers: &HeaderMap, origins: &[String]) -> bool {
    crate::middleware::csrf::cookie_request_allowed(headers, origins)
}

/// The client's address: `peer`, or `X-Forwarded-For` when `peer` is a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    crate::caller::address::client_ip(peer, headers, trusted_proxies)
}

/// The `User-Agent` as audit and the session list keep it.
pub fn user_agent(headers: &HeaderMap) -> String {
    crate::caller::address::user_agent(headers)
}
