//! Checks of the `[smtp]` section (called by `validate.rs`). Each message names the key.

use std::net::IpAddr;

use lettre::message::Mailbox;

use super::{SmtpSettings, SmtpTls};

pub(super) fn check_smtp(smtp: &SmtpSettings, problems: &mut Vec<String>) {
    if let Some(host) = &smtp.host {
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "/@".contains(c)) {
            problems.push(format!(
                "smtp.host: expected a host name or IP address such as smtp.example.com (no \
                 scheme, no port: the port is smtp.port), found {host:?}"
            ));
        }
        if smtp.tls == SmtpTls::None && !is_loopback(host) {
            problems.push(
                "smtp.tls = \"none\" would send every message (reset links included) and the \
                 SMTP password in clear over the network: it is allowed only when smtp.host is a \
                 loopback address (127.0.0.1, ::1, localhost), such as a relay on this machine; \
                 use \"starttls\" (port 587) or \"tls\" (port 465)"
                    .into(),
            );
        }
    }
    if smtp.port == 0 {
        problems.push("smtp.port: expected 1 to 65535".into());
    }
    if smtp.username.is_some() != smtp.password.is_some() {
        problems.push(
            "smtp.username and smtp.password (or smtp.password_file) go together: set both or \
             neither"
                .into(),
        );
    }
    if smtp.from.parse::<Mailbox>().is_err() {
        problems.push(format!(
            "smtp.from: expected a sender such as \"Shop <no-reply@shop.example>\" or \
             \"no-reply@shop.example\", found {:?}",
            smtp.from
        ));
    }
    if let Some(path) = &smtp.ca_file
        && !path.is_file()
    {
        problems.push(format!("smtp.ca_file: {} is not a readable file", path.display()));
    }
    if !(1..=3600).contains(&smtp.poll_interval_secs) {
        problems.push("smtp.poll_interval_secs: expected 1 to 3600".into());
    }
    if !(1..=100).contains(&smtp.max_attempts) {
        problems.push("smtp.max_attempts: expected 1 to 100".into());
    }
    if !(1..=300).contains(&smtp.timeout_secs) {
        problems.push("smtp.timeout_secs: expected 1 to 300".into());
    }
}

/// `localhost`, or an address in 127.0.0.0/8 or `::1` (brackets allowed).
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
