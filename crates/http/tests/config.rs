//! Configuration layering and validation, as an operator meets them.
//!
//! `figment::Jail` gives each test its own working directory and environment.

#![allow(clippy::unwrap_used, clippy::panic, clippy::result_large_err)]

use figment::Jail;
use rampart_core::config::{self, ConfigError, DEFAULT_CONFIG, SmtpTls, TlsMode};
use secrecy::ExposeSecret;

fn problems(error: ConfigError) -> String {
    error.to_string()
}

#[test]
fn the_defaults_listen_on_loopback_with_a_self_signed_certificate() {
    Jail::expect_with(|_| {
        let settings = config::load(None).unwrap();
        assert_eq!(settings.server.listen.to_string(), "127.0.0.1:8443");
        assert_eq!(settings.server.public_origin, "https://localhost:8443");
        assert_eq!(settings.storage.data_dir.to_str(), Some("./rampart-data"));
        assert_eq!(settings.tls.mode, TlsMode::SelfSigned);
        assert_eq!(settings.database_url().expose_secret(), "sqlite:./rampart-data/rampart.db");
        Ok(())
    });
}

#[test]
fn a_file_overrides_the_defaults_and_the_environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "rampart.toml",
            "[server]\nlisten = \"127.0.0.1:9000\"\nrequest_timeout_secs = 5\n",
        )?;
        jail.set_env("RAMPART_SERVER__LISTEN", "127.0.0.1:9100");

        let settings = config::load(Some("rampart.toml".as_ref())).unwrap();

        assert_eq!(settings.server.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(settings.server.request_timeout_secs, 5);
        Ok(())
    });
}

#[test]
fn an_unknown_key_in_the_file_is_named() {
    Jail::expect_with(|jail| {
        jail.create_file("rampart.toml", "[server]\nlisten_on = \"127.0.0.1:9000\"\n")?;

        let message = problems(config::load(Some("rampart.toml".as_ref())).unwrap_err());

        assert!(message.contains("listen_on"), "{message}");
        assert!(message.contains("rampart.toml"), "{message}");
        Ok(())
    });
}

#[test]
fn a_bad_value_in_the_environment_names_the_key_and_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SERVER__LISTEN", "everywhere");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("server.listen"), "{message}");
        assert!(message.contains("RAMPART_SERVER__LISTEN"), "{message}");
        Ok(())
    });
}

#[test]
fn the_site_settings_are_checked_before_anything_is_served() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SITE__DIR", "no/such/folder");
        jail.set_env(
            "RAMPART_SITE__CONTENT_SECURITY_POLICY",
            "default-src 'self' https://ünicode.example",
        );

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("site.dir: no/such/folder is not a directory"), "{message}");
        assert!(message.contains("site.content_security_policy"), "{message}");
        Ok(())
    });
}

#[test]
fn a_variable_with_one_underscore_is_refused_as_a_probable_typo() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SERVER_LISTEN", "127.0.0.1:9000");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("RAMPART_SERVER__LISTEN"), "{message}");
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error_not_silently_ignored() {
    Jail::expect_with(|_| {
        let message = problems(config::load(Some("nowhere.toml".as_ref())).unwrap_err());
        assert!(message.contains("nowhere.toml"), "{message}");
        Ok(())
    });
}

#[test]
fn a_secret_can_come_from_a_file() {
    Jail::expect_with(|jail| {
        jail.create_file("db-url", "postgres://app:s3cret@db.internal/rampart\n")?;
        jail.set_env("RAMPART_DATABASE__URL_FILE", "db-url");

        let settings = config::load(None).unwrap();

        assert_eq!(
            settings.database_url().expose_secret(),
            "postgres://app:s3cret@db.internal/rampart"
        );
        Ok(())
    });
}

#[test]
fn a_secret_and_its_file_together_are_refused() {
    Jail::expect_with(|jail| {
        jail.create_file("db-url", "postgres://app@db/rampart")?;
        jail.set_env("RAMPART_DATABASE__URL_FILE", "db-url");
        jail.set_env("RAMPART_DATABASE__URL", "postgres://app@db/rampart");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("database.url and database.url_file"), "{message}");
        Ok(())
    });
}

#[test]
fn errors_never_repeat_a_secret_value() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_DATABASE__URL", "mysql://root:hunter2@db/rampart");
        jail.set_env("RAMPART_STORAGE__MASTER_KEY", "12345678901234567890");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("storage.master_key"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(!message.contains("1234567890"), "{message}");
        Ok(())
    });
}

#[test]
fn a_syntax_error_says_where_it_is_without_quoting_the_line() {
    // Found by the fuzzer (fuzz/fuzz_targets/config.rs): TOML's message quoted the whole line,
    // so a URL written without quotes was printed with its password.
    Jail::expect_with(|jail| {
        jail.create_file(
            "rampart.toml",
            "[database]\nurl = postgres://app:hunter2@db.internal/rampart\n",
        )?;

        let message = problems(config::load(Some("rampart.toml".as_ref())).unwrap_err());

        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("rampart.toml"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        Ok(())
    });
}

#[test]
fn behind_proxy_needs_trusted_proxies_and_loopback() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_TLS__MODE", "behind-proxy");
        jail.set_env("RAMPART_SERVER__LISTEN", "0.0.0.0:8080");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("server.trusted_proxies"), "{message}");
        assert!(message.contains("loopback"), "{message}");
        Ok(())
    });
}

#[test]
fn the_public_origin_must_be_https() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SERVER__PUBLIC_ORIGIN", "http://shop.example");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("server.public_origin"), "{message}");
        Ok(())
    });
}

#[test]
fn out_of_range_limits_are_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SERVER__BODY_LIMIT_BYTES", "10");
        jail.set_env("RAMPART_SERVER__MAX_HEADER_BYTES", "100");

        let message = problems(config::load(None).unwrap_err());

        assert!(message.contains("server.body_limit_bytes"), "{message}");
        assert!(message.contains("server.max_header_bytes"), "{message}");
        Ok(())
    });
}

#[test]
fn doctor_reports_keys_older_than_a_year_and_reads_the_advisory_database_from_the_working_directory()
 {
    Jail::expect_with(|jail| {
        let settings = config::load(None).unwrap();
        assert_eq!(settings.doctor.max_key_age_days, 365);
        assert_eq!(settings.doctor.advisory_db, std::path::Path::new("./advisory-db"));

        jail.set_env("RAMPART_DOCTOR__MAX_KEY_AGE_DAYS", "0");
        let message = problems(config::load(None).unwrap_err());
        assert!(message.contains("doctor.max_key_age_days"), "{message}");
        Ok(())
    });
}

/// Settings without a default (optional ones) must still be documented in default.toml.
#[test]
fn every_optional_setting_is_documented_in_the_defaults_file() {
    for key in [
        "redirect_listen",
        "master_key",
        "master_key_file",
        "url",
        "url_file",
        "cert_file",
        "key_file",
        "ca_file",
        "host",
        "username",
        "password",
        "password_file",
    ] {
        assert!(DEFAULT_CONFIG.contains(&format!("# {key} = ")), "{key} is not documented");
    }
}

#[test]
fn without_an_smtp_host_nothing_is_sent_and_the_defaults_use_starttls_on_587() {
    Jail::expect_with(|_| {
        let smtp = config::load(None).unwrap().smtp;
        assert_eq!(smtp.host, None);
        assert_eq!(smtp.port, 587);
        assert_eq!(smtp.tls, SmtpTls::Starttls);
        assert_eq!(smtp.from, "Rampart <rampart@localhost>");
        assert_eq!((smtp.poll_interval_secs, smtp.max_attempts, smtp.timeout_secs), (5, 10, 10));
        Ok(())
    });
}

#[test]
fn the_smtp_relay_and_its_password_file_come_from_the_environment() {
    Jail::expect_with(|jail| {
        jail.create_file("smtp-password", "s3cret-relay-pw\n")?;
        jail.set_env("RAMPART_SMTP__HOST", "smtp.example.com");
        jail.set_env("RAMPART_SMTP__TLS", "tls");
        jail.set_env("RAMPART_SMTP__PORT", "465");
        jail.set_env("RAMPART_SMTP__USERNAME", "rampart");
        jail.set_env("RAMPART_SMTP__PASSWORD_FILE", "smtp-password");

        let settings = config::load(None).unwrap();

        assert_eq!(settings.smtp.host.as_deref(), Some("smtp.example.com"));
        assert_eq!((settings.smtp.tls, settings.smtp.port), (SmtpTls::Tls, 465));
        assert_eq!(settings.smtp.password.unwrap().expose_secret(), "s3cret-relay-pw");
        Ok(())
    });
}

#[test]
fn plain_smtp_is_refused_to_a_remote_relay_and_allowed_on_loopback() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SMTP__TLS", "none");
        jail.set_env("RAMPART_SMTP__HOST", "smtp.example.com");
        let message = problems(config::load(None).unwrap_err());
        assert!(message.contains("smtp.tls = \"none\""), "{message}");
        assert!(message.contains("loopback"), "{message}");

        for host in ["127.0.0.1", "localhost", "::1"] {
            jail.set_env("RAMPART_SMTP__HOST", host);
            assert!(config::load(None).is_ok(), "{host} is loopback");
        }
        Ok(())
    });
}

#[test]
fn bad_smtp_settings_are_named() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SMTP__HOST", "smtp://mail.example.com");
        jail.set_env("RAMPART_SMTP__USERNAME", "rampart");
        jail.set_env("RAMPART_SMTP__FROM", "not an address");
        jail.set_env("RAMPART_SMTP__CA_FILE", "missing-ca.pem");
        jail.set_env("RAMPART_SMTP__POLL_INTERVAL_SECS", "0");
        jail.set_env("RAMPART_SMTP__MAX_ATTEMPTS", "0");
        jail.set_env("RAMPART_SMTP__TIMEOUT_SECS", "0");

        let message = problems(config::load(None).unwrap_err());

        for key in [
            "smtp.host",
            "smtp.username and smtp.password",
            "smtp.from",
            "smtp.ca_file",
            "smtp.poll_interval_secs",
            "smtp.max_attempts",
            "smtp.timeout_secs",
        ] {
            assert!(message.contains(key), "{key} not named in: {message}");
        }
        Ok(())
    });
}

#[test]
fn the_smtp_password_is_never_shown_nor_repeated_in_errors() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_SMTP__HOST", "smtp.example.com");
        jail.set_env("RAMPART_SMTP__USERNAME", "rampart");
        jail.set_env("RAMPART_SMTP__PASSWORD", "hunter2-relay");
        let shown = config::render_redacted(&config::load(None).unwrap());
        assert!(shown.contains("[smtp]"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
        assert!(!shown.contains("hunter2-relay"), "{shown}");

        jail.set_env("RAMPART_SMTP__PASSWORD", "9876543210");
        let message = problems(config::load(None).unwrap_err());
        assert!(message.contains("smtp.password"), "{message}");
        assert!(!message.contains("9876543210"), "{message}");
        Ok(())
    });
}

#[test]
fn by_default_owners_admins_and_security_officers_need_a_second_factor() {
    Jail::expect_with(|_jail| {
        let settings = config::load(None).unwrap();

        let privileged: Vec<&str> = rampart_domain::BuiltInRole::ALL
            .into_iter()
            .filter(|role| role.requires_mfa())
            .map(|role| role.as_str())
            .collect();
        assert_eq!(settings.mfa.required_roles, privileged);
        Ok(())
    });
}

#[test]
fn a_role_that_does_not_exist_cannot_require_a_second_factor() {
    Jail::expect_with(|jail| {
        jail.create_file("rampart.toml", "[mfa]\nrequired_roles = [\"owner\", \"wizard\"]\n")?;

        let message = problems(config::load(Some("rampart.toml".as_ref())).unwrap_err());

        assert!(message.contains("mfa.required_roles") && message.contains("wizard"), "{message}");
        Ok(())
    });
}

#[test]
fn a_migration_url_needs_postgresql_for_both_roles_and_is_never_shown() {
    Jail::expect_with(|jail| {
        jail.set_env("RAMPART_DATABASE__MIGRATION_URL", "postgres://owner:s3cret-owner@db/rampart");
        let message = problems(config::load(None).unwrap_err());
        assert!(message.contains("database.migration_url"), "{message}");
        assert!(!message.contains("s3cret-owner"), "{message}");

        jail.set_env("RAMPART_DATABASE__URL", "postgres://app:s3cret-app@db/rampart");
        let settings = config::load(None).unwrap();
        let shown = toml::to_string(&settings).unwrap();
        assert!(!shown.contains("s3cret-owner") && !shown.contains("s3cret-app"), "{shown}");
        Ok(())
    });
}
