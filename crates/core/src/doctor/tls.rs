//! HTTPS on the listener and `Strict-Transport-Security` on every response.

use super::{Context, Finding};
use crate::config::HSTS;
use crate::config::TlsMode;

/// Whether Rampart's own listener speaks TLS with a certificate clients trust.
pub(super) fn listener(context: &Context<'_>) -> Finding {
    const CHECK: &str = "tls";
    let tls = &context.settings.tls;
    match tls.mode {
        TlsMode::Acme => Finding::ok(
            CHECK,
            format!(
                "HTTPS with certificates from ACME for {}, renewed automatically",
                tls.acme.domains.join(", ")
            ),
        ),
        TlsMode::Files => {
            let cert = tls.cert_file.as_ref().map_or_else(String::new, |p| p.display().to_string());
            Finding::ok(CHECK, format!("HTTPS with the certificate in {cert}"))
        }
        // A certificate only this installation's own authority vouches for: fine on a private
        // network whose clients trust that authority, not for a public website.
        TlsMode::SelfSigned => Finding::warn(
            CHECK,
            "HTTPS with a self-signed certificate that browsers do not trust: for a public site \
             set tls.mode = \"acme\" (or \"files\" with your certificate)",
        ),
        // Plain HTTP to the proxy: whether visitors get HTTPS depends on a program doctor
        // cannot see.
        TlsMode::BehindProxy => Finding::warn(
            CHECK,
            "TLS is off on Rampart's listener (tls.mode = \"behind-proxy\"): make sure the proxy \
             terminates TLS and redirects http:// to https://",
        ),
    }
}

/// Whether responses carry `Strict-Transport-Security`, so that browsers never fall back to HTTP.
pub(super) fn hsts(context: &Context<'_>) -> Finding {
    const CHECK: &str = "hsts";
    let server = &context.settings.server;
    if !server.sends_hsts() {
        return Finding::fail(
            CHECK,
            format!("HSTS is off: server.public_origin {} is not https://", server.public_origin),
        );
    }
    match context.settings.tls.mode {
        TlsMode::BehindProxy => Finding::warn(
            CHECK,
            format!(
                "Rampart sends Strict-Transport-Security: {HSTS}, but over plain HTTP to the \
                 proxy: make sure the proxy passes it on"
            ),
        ),
        _ => Finding::ok(CHECK, format!("Strict-Transport-Security: {HSTS} on every response")),
    }
}
