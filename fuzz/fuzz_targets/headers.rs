//! Any bytes as a request's headers (`name: value` lines) through what reads credentials and the
//! client from them: the session cookie, `Authorization: Bearer` (session token or `rk_` API
//! key), the CSRF check, the client's address behind a proxy, its user agent, and an API key's
//! allowed networks (from an `x-allowed-cidrs` line, a name only this target gives meaning).
//! Nothing may panic, and every answer must be one the headers hold.

#![no_main]

use std::net::IpAddr;

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use rampart_http::fuzzing::{self, Presented};
use rampart_http::caller::{CSRF_HEADER, SESSION_COOKIE, csrf_token_for};

const ORIGINS: [&str; 2] = ["https://localhost:8443", "https://www.example.com"];

fuzz_target!(|data: &[u8]| {
    let headers = headers_of(data);
    let cookie = fuzzing::session_token_from_cookies(&headers);
    if let Some(token) = cookie {
        assert!(!token.is_empty() && !token.contains(';'), "cookie token {token:?}");
        let pair = format!("{SESSION_COOKIE}={token}");
        assert!(values(&headers, COOKIE).any(|value| value.contains(&pair)));
    }
    let bearer = fuzzing::bearer_token(&headers);
    if let Some(token) = bearer {
        assert!(!token.is_empty() && token == token.trim(), "bearer token {token:?}");
        assert!(values(&headers, AUTHORIZATION).next().is_some_and(|value| value.contains(token)));
    }
    match fuzzing::presented_token(&headers) {
        Some((token, Presented::Bearer)) => assert_eq!(Some(token), bearer),
        Some((token, Presented::Cookie)) => assert!(bearer.is_none() && Some(token) == cookie),
        None => assert!(bearer.is_none() && cookie.is_none()),
    }
    check_csrf(&headers, cookie);
    check_client(&headers);
});

/// Allowed only with the session's own CSRF token; refused cross-site, whatever the token.
fn check_csrf(headers: &HeaderMap, cookie: Option<&str>) {
    let origins: Vec<String> = ORIGINS.iter().map(|origin| (*origin).to_owned()).collect();
    if fuzzing::cookie_request_allowed(headers, &origins) {
        let token = cookie.expect("a request without a session cookie has no CSRF token");
        let sent = headers.get(CSRF_HEADER).and_then(|value| value.to_str().ok());
        assert_eq!(sent, Some(csrf_token_for(token).as_str()));
    }
    let Some(token) = cookie else { return };
    let mut ours = headers.clone();
    let csrf = HeaderValue::from_str(&csrf_token_for(token)).expect("a CSRF token is hex");
    ours.insert(CSRF_HEADER, csrf);
    ours.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    assert!(fuzzing::cookie_request_allowed(&ours, &origins), "our own page refused");
    ours.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
    assert!(!fuzzing::cookie_request_allowed(&ours, &origins), "a cross-site request allowed");
}

fn check_client(headers: &HeaderMap) {
    let proxy: IpAddr = "10.0.0.1".parse().expect("an address");
    let trusted: [IpAddr; 2] = [proxy, "10.0.0.2".parse().expect("an address")];
    let stranger: IpAddr = "198.51.100.7".parse().expect("an address");
    assert_eq!(fuzzing::client_ip(stranger, headers, &trusted), stranger);
    let client = fuzzing::client_ip(proxy, headers, &trusted);
    assert!(client == proxy || !trusted.contains(&client), "a trusted proxy as the client");
    let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("an address");
    assert_eq!(fuzzing::client_ip(mapped, headers, &trusted), client);

    let agent = fuzzing::user_agent(headers);
    assert!(agent.chars().count() <= 256 && !agent.chars().any(char::is_control), "{agent:?}");

    assert!(fuzzing::api_key_networks_allow("", client));
    for cidrs in values(headers, HeaderName::from_static("x-allowed-cidrs")) {
        for ip in [client, stranger, mapped] {
            let _ = fuzzing::api_key_networks_allow(cidrs, ip);
        }
    }
}

fn values(headers: &HeaderMap, name: HeaderName) -> impl Iterator<Item = &str> {
    headers.get_all(name).into_iter().filter_map(|value| value.to_str().ok())
}

/// Each `name: value` line that `http` accepts as a header; the others are dropped, as hyper
/// would have refused them.
fn headers_of(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in data.split(|byte| *byte == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|byte| *byte == b':') else { continue };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    headers
}
