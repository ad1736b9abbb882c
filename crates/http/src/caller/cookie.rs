//! The session cookie, and the CSRF token that goes with it.
//!
//! `__Host-` makes browsers refuse the cookie unless it is `Secure`, has `Path=/` and no
//! `Domain`: no subdomain can set or read it. `HttpOnly` keeps it from scripts; `SameSite=Lax`
//! keeps it off cross-site subrequests. The CSRF token is derived from the session token, so it
//! needs no storage and dies with the session; pages send it back in `X-CSRF-Token`.

use axum::http::{HeaderMap, HeaderValue, header};
use rampart_crypto::derived_token;

pub const SESSION_COOKIE: &str = "__Host-rampart_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

const CSRF_LABEL: &str = "rampart-csrf";

/// The `Set-Cookie` value that hands `token` to the browser for `max_age_secs`.
pub(crate) fn session_cookie(token: &str, max_age_secs: i64) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| clearing_cookie())
}

/// The `Set-Cookie` value that makes the browser forget the session cookie.
pub(crate) fn clearing_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-rampart_session=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0",
    )
}

/// The CSRF token for the session whose token is `session_token`.
pub fn csrf_token_for(session_token: &str) -> String {
    derived_token(session_token, CSRF_LABEL)
}

/// The session token in the request's cookies, if any.
pub(crate) fn session_token_from_cookies(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The token of an `Authorization: Bearer …` header, if any.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_host_only_secure_and_hidden_from_scripts() {
        let cookie = session_cookie("abc", 60);
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with("__Host-rampart_session=abc;"));
        for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=60"] {
            assert!(text.contains(attribute), "{attribute} missing from {text}");
        }
        assert!(!text.contains("Domain"));
    }

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; __Host-rampart_session=tok123; lang=en"),
        );
        assert_eq!(session_token_from_cookies(&headers), Some("tok123"));
        headers.insert(header::COOKIE, HeaderValue::from_static("rampart_session=tok123"));
        assert_eq!(session_token_from_cookies(&headers), None);
    }

    #[test]
    fn bearer_tokens_are_read_whatever_the_scheme_case() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer tok"));
        assert_eq!(bearer_token(&headers), Some("tok"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcg=="));
        assert_eq!(bearer_token(&headers), None);
    }
}
