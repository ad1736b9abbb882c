//! Who is on the other end of an action: the client's address and its user agent, as plain data.
//!
//! The HTTP crate reads them off a request (`caller/address.rs` there: the TCP peer, or the
//! right-most untrusted `X-Forwarded-For` entry behind a trusted proxy); the command line uses
//! [`ClientContext::local`]. Throttling, audit and device notices all use this one answer.

use std::net::{IpAddr, Ipv4Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientContext {
    pub ip: IpAddr,
    /// The `User-Agent` header, control characters replaced, at most 256 characters.
    pub user_agent: String,
}

impl ClientContext {
    /// For actions that do not come over HTTP (the command line).
    pub fn local() -> Self {
        Self { ip: IpAddr::V4(Ipv4Addr::LOCALHOST), user_agent: "rampart-cli".into() }
    }
}
