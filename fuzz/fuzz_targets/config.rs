//! Any bytes as the `--config` file, through the loader `serve` and `config check` use
//! (defaults, then the file, then the environment, then validation) and, when it is accepted,
//! through `config show`. Nothing may panic; an error must say something and must not repeat a
//! secret written in the file; `config show` must not depend on any secret's value.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_core::config::{self, Settings};
use secrecy::{ExposeSecret, SecretString};

/// The loader reads a file: each input is written to this one (one per fuzzing process).
fn config_file() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("rampart-fuzz-config-{}.toml", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = config_file();
    std::fs::write(path, data).expect("the fuzz config file can be written");
    match config::load(Some(path)) {
        Ok(settings) => check_show(&settings),
        Err(error) => check_message(&error.to_string(), data),
    }
});

/// Keys whose values are secret, as the last part of their name in the file.
const SECRET_KEYS: &[&str] =
    &["master_key", "url", "migration_url", "password", "token", "webhook_secret"];

/// A secret value written on a line of its own (`key = value`, as a file usually has it) and
/// long enough not to appear by chance must not come back in the error.
fn check_message(message: &str, data: &[u8]) {
    assert!(!message.trim().is_empty(), "an empty configuration error");
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else { continue };
        let key = key.trim().trim_matches(['"', '\'']);
        let key = key.rsplit('.').next().unwrap_or(key).trim().trim_matches(['"', '\'']);
        let value = value.trim().trim_matches(['"', '\'']).trim();
        if !SECRET_KEYS.contains(&key) || value.len() < 12 || text.matches(value).count() > 1 {
            continue;
        }
        assert!(!message.contains(value), "the error repeats the secret of {key}: {message}");
    }
}

/// `config show` of the same settings with every secret replaced must print the same text.
fn check_show(settings: &Settings) {
    let shown = config::render_redacted(settings);
    let mut other = settings.clone();
    for secret in [
        &mut other.storage.master_key,
        &mut other.smtp.password,
        &mut other.metrics.token,
        &mut other.alerts.webhook_secret,
    ] {
        if secret.is_some() {
            *secret = Some(SecretString::from("another secret value"));
        }
    }
    for url in [&mut other.database.url, &mut other.database.migration_url] {
        if let Some(value) = url.as_ref() {
            *url = Some(SecretString::from(with_other_passwords(value.expose_secret())));
        }
    }
    assert_eq!(shown, config::render_redacted(&other), "config show depends on a secret");
}

/// `url` with another password, both where the driver reads one: the user information and a
/// `password` query parameter (as the PostgreSQL driver decodes it).
fn with_other_passwords(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else { return text.to_owned() };
    if url.password().is_some() {
        let _ = url.set_password(Some("anotherpassword"));
    }
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if pairs.iter().any(|(key, _)| key.contains("password")) {
        let mut query = url.query_pairs_mut();
        query.clear();
        for (key, value) in &pairs {
            let value = if key.contains("password") { "anotherpassword" } else { value };
            query.append_pair(key, value);
        }
    }
    url.to_string()
}
