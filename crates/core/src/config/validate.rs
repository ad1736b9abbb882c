//! Checks that the types alone cannot express. Each message names the key and what to do.

use secrecy::ExposeSecret;
use tracing_subscriber::EnvFilter;

use super::{Settings, TlsMode};

const MIN_BODY_LIMIT: usize = 1024;
const MAX_BODY_LIMIT: usize = 100 * 1024 * 1024;
const MIN_HEADER_BYTES: usize = 8 * 1024;
const MAX_HEADER_BYTES: usize = 1024 * 1024;

pub(super) fn validate(settings: &Settings) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let server = &settings.server;
    if let Some(dir) = &settings.site.dir
        && !dir.is_dir()
    {
        problems.push(format!("site.dir: {} is not a directory", dir.display()));
    }
    // What an HTTP header may hold: visible ASCII and spaces, on one line.
    if !settings.site.content_security_policy.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
        problems.push(
            "site.content_security_policy: one line of visible ASCII characters and spaces".into(),
        );
    }

    match url::Url::parse(&server.public_origin) {
        Ok(origin) if origin.scheme() == "https" && origin.host().is_some() => {
            if origin.path() != "/" || origin.query().is_some() {
                problems.push("server.public_origin: give only scheme, host and port, e.g. https://example.com".into());
            }
        }
        _ => problems.push(format!(
            "server.public_origin: expected an https:// origin such as https://localhost:8443, found {:?}",
            server.public_origin
        )),
    }
    if !(1..=600).contains(&server.request_timeout_secs) {
        problems.push("server.request_timeout_secs: expected 1 to 600".into());
    }
    if !(1..=600).contains(&server.header_read_timeout_secs) {
        problems.push("server.header_read_timeout_secs: expected 1 to 600".into());
    }
    if server.shutdown_grace_secs > 3600 {
        problems.push("server.shutdown_grace_secs: expected at most 3600".into());
    }
    if !(MIN_BODY_LIMIT..=MAX_BODY_LIMIT).contains(&server.body_limit_bytes) {
        problems.push(format!(
            "server.body_limit_bytes: expected {MIN_BODY_LIMIT} to {MAX_BODY_LIMIT}"
        ));
    }
    if !(MIN_HEADER_BYTES..=MAX_HEADER_BYTES).contains(&server.max_header_bytes) {
        problems.push(format!(
            "server.max_header_bytes: expected {MIN_HEADER_BYTES} to {MAX_HEADER_BYTES}"
        ));
    }

    match settings.tls.mode {
        TlsMode::SelfSigned | TlsMode::Acme => {}
        TlsMode::Files => {
            for (key, path) in [
                ("tls.cert_file", &settings.tls.cert_file),
                ("tls.key_file", &settings.tls.key_file),
            ] {
                match path {
                    None => problems.push(format!("{key}: required when tls.mode = \"files\"")),
                    Some(path) if !path.is_file() => {
                        problems.push(format!("{key}: {} is not a readable file", path.display()));
                    }
                    Some(_) => {}
                }
            }
        }
        TlsMode::BehindProxy => {
            if server.trusted_proxies.is_empty() {
                problems.push("tls.mode = \"behind-proxy\" needs server.trusted_proxies: the addresses of the proxy that terminates TLS".into());
            }
            if !server.listen.ip().is_loopback() {
                problems.push("server.listen: with tls.mode = \"behind-proxy\" Rampart speaks plain HTTP, so it must listen on a loopback address".into());
            }
            if server.redirect_listen.is_some() {
                problems.push("server.redirect_listen: not used with tls.mode = \"behind-proxy\" (the proxy redirects); remove it".into());
            }
        }
    }
    if settings.tls.mode == TlsMode::Acme {
        let acme = &settings.tls.acme;
        if !acme.directory.starts_with("https://") {
            problems
                .push("tls.acme.directory: expected the https:// URL of the ACME directory".into());
        }
        if acme.domains.is_empty() {
            problems.push(
                "tls.acme.domains: name at least one domain to obtain a certificate for".into(),
            );
        }
        if server.redirect_listen.is_none() {
            problems.push("server.redirect_listen: required with tls.mode = \"acme\": HTTP-01 challenges are answered there (port 80 in production)".into());
        }
        if !(1..=60).contains(&acme.renew_before_days) {
            problems.push("tls.acme.renew_before_days: expected 1 to 60".into());
        }
        if acme.check_interval_secs == 0 {
            problems.push("tls.acme.check_interval_secs: expected at least 1".into());
        }
    }
    if settings.tls.mode != TlsMode::Files
        && (settings.tls.cert_file.is_some() || settings.tls.key_file.is_some())
    {
        problems.push("tls.cert_file / tls.key_file: set tls.mode = \"files\" to use them".into());
    }

    if let Some(url) = &settings.database.url
        && let Err(error) = rampart_store::Engine::of_url(url.expose_secret())
    {
        problems.push(format!("database.url: {error}"));
    }
    if let Some(migration) = &settings.database.migration_url {
        let both_postgres =
            [Some(migration), settings.database.url.as_ref()].into_iter().all(|url| {
                url.is_some_and(|url| {
                    matches!(
                        rampart_store::Engine::of_url(url.expose_secret()),
                        Ok(rampart_store::Engine::Postgres)
                    )
                })
            });
        if !both_postgres {
            problems.push(
                "database.migration_url: only with PostgreSQL, and with database.url set to the runtime role"
                    .into(),
            );
        }
    }
    if !(1..=1000).contains(&settings.database.max_connections) {
        problems.push("database.max_connections: expected 1 to 1000".into());
    }
    if !(1..=300).contains(&settings.keys.reload_interval_secs) {
        problems.push("keys.reload_interval_secs: expected 1 to 300".into());
    }
    if settings.passwords.hashing_threads > 256 {
        problems
            .push("passwords.hashing_threads: expected 0 (one per core, less one) to 256".into());
    }
    if !(1..=10_000).contains(&settings.passwords.hashing_queue) {
        problems.push("passwords.hashing_queue: expected 1 to 10000".into());
    }
    check_sign_in(settings, &mut problems);
    super::validate_smtp::check_smtp(&settings.smtp, &mut problems);
    if settings.log.level.parse::<EnvFilter>().is_err() {
        problems.push(format!(
            "log.level: expected a level such as \"info\" or a filter such as \"info,rampart_http=debug\", found {:?}",
            settings.log.level
        ));
    }

    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Accounts, sessions, throttling, the audit trail and CORS origins.
fn check_sign_in(settings: &Settings, problems: &mut Vec<String>) {
    let mut in_range = |key: &str, value: u64, range: std::ops::RangeInclusive<u64>| {
        if !range.contains(&value) {
            problems.push(format!("{key}: expected {} to {}", range.start(), range.end()));
        }
    };
    const DAY: u64 = 86_400;
    let sessions = &settings.sessions;
    in_range("sessions.absolute_timeout_secs", sessions.absolute_timeout_secs, 60..=30 * DAY);
    in_range(
        "sessions.idle_timeout_secs",
        sessions.idle_timeout_secs,
        60..=sessions.absolute_timeout_secs.max(60),
    );
    in_range("sessions.reauth_window_secs", sessions.reauth_window_secs, 30..=DAY);
    let mfa = &settings.mfa;
    in_range("mfa.pending_ttl_secs", mfa.pending_ttl_secs, 60..=3600);
    in_range("mfa.max_code_failures", u64::from(mfa.max_code_failures), 1..=20);
    in_range("mfa.challenge_ttl_secs", mfa.challenge_ttl_secs, 30..=600);
    let accounts = &settings.accounts;
    in_range("accounts.bootstrap_link_ttl_secs", accounts.bootstrap_link_ttl_secs, 60..=DAY);
    in_range(
        "accounts.verification_link_ttl_secs",
        accounts.verification_link_ttl_secs,
        60..=7 * DAY,
    );
    in_range("accounts.reset_link_ttl_secs", accounts.reset_link_ttl_secs, 60..=DAY);
    in_range("accounts.invitation_ttl_secs", accounts.invitation_ttl_secs, 60..=30 * DAY);
    let sign_in = &settings.sign_in;
    in_range("sign_in.free_failures", u64::from(sign_in.free_failures), 1..=100);
    in_range("sign_in.max_delay_secs", sign_in.max_delay_secs, 1..=DAY);
    in_range(
        "sign_in.lock_failures",
        u64::from(sign_in.lock_failures),
        u64::from(sign_in.free_failures) + 1..=100_000,
    );
    in_range("sign_in.ip_max_failures", u64::from(sign_in.ip_max_failures), 1..=1_000_000);
    in_range("sign_in.ip_window_secs", sign_in.ip_window_secs, 1..=DAY);
    in_range("sign_in.ip_block_secs", sign_in.ip_block_secs, 1..=7 * DAY);
    let audit = &settings.audit;
    in_range("audit.checkpoint_every", audit.checkpoint_every, 1..=1_000_000);
    in_range("audit.checkpoint_interval_secs", audit.checkpoint_interval_secs, 1..=DAY);
    in_range("audit.retention_days", audit.retention_days, 0..=36_500);
    let alerts = &settings.alerts;
    in_range("alerts.window_secs", alerts.window_secs, 10..=DAY);
    in_range("alerts.burst_window_secs", alerts.burst_window_secs, 1..=DAY);
    for (key, value) in [
        ("alerts.spray_addresses", alerts.spray_addresses),
        ("alerts.stuffing_clients", alerts.stuffing_clients),
        ("alerts.stuffing_addresses", alerts.stuffing_addresses),
        ("alerts.failures_before_success", alerts.failures_before_success),
        ("alerts.mfa_failures", alerts.mfa_failures),
        ("alerts.authz_failures", alerts.authz_failures),
        ("alerts.sensitive_reads", alerts.sensitive_reads),
    ] {
        in_range(key, value, 1..=1_000_000);
    }
    in_range("alerts.webhook_timeout_secs", alerts.webhook_timeout_secs, 1..=60);
    in_range("alerts.max_attempts", u64::from(alerts.max_attempts), 1..=100);
    let backup = &settings.backup;
    in_range("backup.interval_hours", backup.interval_hours, 0..=24 * 366);
    in_range("backup.keep", backup.keep, 1..=10_000);
    in_range("backup.max_age_hours", backup.max_age_hours, 1..=24 * 366);
    in_range("backup.max_drill_age_days", backup.max_drill_age_days, 1..=3660);
    in_range("doctor.max_key_age_days", settings.doctor.max_key_age_days, 1..=36_500);
    let records = &settings.records;
    in_range("records.bin_days", records.bin_days, 1..=3650);
    in_range("records.max_page_size", records.max_page_size, 1..=1000);
    in_range("records.form_submissions_per_hour", records.form_submissions_per_hour, 1..=1_000_000);
    // None configured is allowed (doctor reports it); a configured one must be a real key.
    if !settings.backup.recipients.is_empty()
        && let Err(error) = rampart_crypto::BackupRecipients::parse(&settings.backup.recipients)
    {
        problems.push(format!("backup.recipients: {error}"));
    }
    if !records.honeypot_field.starts_with('_') || records.honeypot_field.len() > 64 {
        problems.push(
            "records.honeypot_field: expected a name that starts with _ (so no collection field can have it), at most 64 characters".into(),
        );
    }
    check_webhook(settings, problems);
    for role in &settings.mfa.required_roles {
        if rampart_domain::BuiltInRole::parse(role).is_none() {
            problems.push(format!(
                "mfa.required_roles: {role:?} is not a role; use owner, admin, security_officer, staff or customer"
            ));
        }
    }
    if settings.metrics.token.as_ref().is_some_and(|token| token.expose_secret().len() < 32) {
        problems
            .push("metrics.token: give at least 32 characters (e.g. openssl rand -hex 32)".into());
    }
    if settings.accounts.site_name.trim().is_empty() {
        problems.push("accounts.site_name: give your site's name".into());
    }
    for origin in &settings.server.cors_origins {
        let valid = url::Url::parse(origin).is_ok_and(|url| {
            matches!(url.scheme(), "https" | "http")
                && url.host().is_some()
                && url.path() == "/"
                && !origin.ends_with('/')
        });
        if !valid {
            problems.push(format!(
                "server.cors_origins: {origin:?} is not an origin; give scheme, host and port only, e.g. https://www.example.com"
            ));
        }
    }
}

/// A webhook goes over HTTPS, or plain HTTP to this machine only; it needs its secret.
fn check_webhook(settings: &Settings, problems: &mut Vec<String>) {
    let alerts = &settings.alerts;
    let Some(url) = &alerts.webhook_url else { return };
    let allowed = url::Url::parse(url).is_ok_and(|url| match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    });
    if !allowed {
        problems.push(
            "alerts.webhook_url: expected an https:// URL (http:// only to 127.0.0.1 or localhost)"
                .into(),
        );
    }
    if alerts.webhook_secret.as_ref().is_none_or(|secret| secret.expose_secret().len() < 32) {
        problems.push(
            "alerts.webhook_secret: give the receiver's shared secret, at least 32 characters"
                .into(),
        );
    }
}
