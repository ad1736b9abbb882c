//! Who is on the other end of a request: the client's address and its user agent, read off the
//! request into `rampart_core`'s [`ClientContext`].
//!
//! The address is the TCP peer, unless the peer is one of `server.trusted_proxies`: then it is
//! the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries further
//! left are written by the client and prove nothing). Throttling, audit and device notices all
//! use this one answer.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use rampart_core::client::ClientContext;

/// Longest user agent kept (audit, session list); the rest is cut.
const MAX_USER_AGENT_CHARS: usize = 256;

/// The client of the request whose head is `parts`.
pub(crate) fn of_request(parts: &Parts, trusted_proxies: &[IpAddr]) -> ClientContext {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    ClientContext {
        ip: client_ip(peer, &parts.headers, trusted_proxies),
        user_agent: user_agent(&parts.headers),
    }
}

pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    forwarded.into_iter().rev().find(|ip| !trusted_proxies.contains(ip)).unwrap_or(peer)
}

pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    let raw = headers
        .get(axum::http::header::USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    raw.chars()
        .take(MAX_USER_AGENT_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let peer: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(peer, &forwarded("203.0.113.9"), &[]), peer);
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_entry_is_the_client() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let headers = forwarded("1.2.3.4, 203.0.113.9, 10.0.0.3");
        let trusted = [proxy, "10.0.0.3".parse().unwrap()];
        assert_eq!(client_ip(proxy, &headers, &trusted), "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn control_characters_in_the_user_agent_are_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_bytes(b"evil\tagent").unwrap());
        assert_eq!(user_agent(&headers), "evil\u{fffd}agent");
    }
}
