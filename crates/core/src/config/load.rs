//! Reading the layers and turning their failures into messages an operator can act on.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::{Figment, Provider};
use secrecy::SecretString;

use super::Settings;
use super::validate::validate;

/// Every setting with its default, documented: the file operators read to learn what exists.
pub const DEFAULT_CONFIG: &str = include_str!("../../../../config/default.toml");

const ENV_PREFIX: &str = "RAMPART_";

/// `RAMPART_*` variables that are not settings (read by the test harness, not by the server).
/// `RAMPART_` variables that are not settings: the command line's own (`restore --into`,
/// `drill restore --into`, read by clap, which keeps a password out of the process list) and the
/// test suite's. Anything else with a single underscore is refused as a likely typo.
pub const ENV_NOT_SETTINGS: &[&str] = &[
    "RAMPART_RESTORE_INTO",
    "RAMPART_DRILL_INTO",
    "RAMPART_TEST_DATABASE_URL",
    "RAMPART_TEST_PG_TLS_URL",
];

/// Keys whose values are secret: never echoed in an error.
const SECRET_KEYS: &[&str] = &[
    "storage.master_key",
    "database.url",
    "database.migration_url",
    "smtp.password",
    "metrics.token",
    "alerts.webhook_secret",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl ConfigError {
    fn one(message: impl Into<String>) -> Self {
        Self::Invalid(vec![message.into()])
    }
}

/// Loads defaults, then `file`, then the process environment, and validates the result.
pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
    load_with_overrides(file, Figment::new())
}

/// As [`load`], with a last layer on top (used by tests and by command-line flags).
pub fn load_with_overrides(
    file: Option<&Path>,
    overrides: impl Provider,
) -> Result<Settings, ConfigError> {
    let mut figment = Figment::from(Toml::string(DEFAULT_CONFIG));
    if let Some(path) = file {
        if !path.is_file() {
            return Err(ConfigError::MissingFile(path.to_owned()));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    reject_stray_env_vars()?;
    let figment = figment
        .merge(Env::prefixed(ENV_PREFIX).filter(|key| key.as_str().contains("__")).split("__"))
        .merge(overrides);

    let mut settings: Settings = figment.extract().map_err(describe_figment_error)?;
    resolve_secret_files(&mut settings)?;
    validate(&settings).map_err(ConfigError::Invalid)?;
    Ok(settings)
}

/// A `RAMPART_` variable with a single underscore is almost always a typo of a setting
/// (`RAMPART_SERVER_LISTEN` for `RAMPART_SERVER__LISTEN`): refuse it rather than ignore it.
fn reject_stray_env_vars() -> Result<(), ConfigError> {
    let stray: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| name.starts_with(ENV_PREFIX) && !name.contains("__"))
        .filter(|name| !ENV_NOT_SETTINGS.contains(&name.as_str()))
        .map(|name| {
            format!(
                "environment variable {name} is not a setting: settings are named \
                 RAMPART_SECTION__KEY, with two underscores (e.g. RAMPART_SERVER__LISTEN)"
            )
        })
        .collect();
    if stray.is_empty() { Ok(()) } else { Err(ConfigError::Invalid(stray)) }
}

fn describe_figment_error(error: figment::Error) -> ConfigError {
    ConfigError::Invalid(
        error
            .into_iter()
            .map(|error| {
                let key = error.path.join(".");
                let what = if SECRET_KEYS.contains(&key.as_str()) {
                    "expected a string (value not shown: it is secret)".to_owned()
                } else {
                    without_quoted_lines(&error.kind.to_string())
                };
                let origin = error
                    .metadata
                    .as_ref()
                    .map(|meta| match &meta.source {
                        Some(source) => format!(" (from {source})"),
                        // figment names only the prefix; the operator needs the variable.
                        None if meta.name.contains("environment") => format!(
                            " (from environment variable {ENV_PREFIX}{})",
                            error.path.join("__").to_uppercase()
                        ),
                        None => format!(" (from {})", meta.name),
                    })
                    .unwrap_or_default();
                if key.is_empty() {
                    format!("{what}{origin}")
                } else {
                    format!("{key}: {what}{origin}")
                }
            })
            .collect(),
    )
}

/// A TOML syntax error quotes the line it is on, and that line may hold a secret (an unquoted
/// `url = postgres://app:password@db/rampart`): keep where it is and what is wrong, drop the
/// quoted text and the caret under it (`  |`, `12 | …`).
fn without_quoted_lines(message: &str) -> String {
    message
        .lines()
        .filter(|line| {
            !line.trim_start().trim_start_matches(|c: char| c.is_ascii_digit()).starts_with(" |")
                && !line.trim_start().starts_with('|')
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `*_file` secrets into their settings; naming both the value and the file is an error.
fn resolve_secret_files(settings: &mut Settings) -> Result<(), ConfigError> {
    resolve_one(
        "storage.master_key",
        &mut settings.storage.master_key,
        settings.storage.master_key_file.as_deref(),
    )?;
    resolve_one("database.url", &mut settings.database.url, settings.database.url_file.as_deref())?;
    resolve_one(
        "database.migration_url",
        &mut settings.database.migration_url,
        settings.database.migration_url_file.as_deref(),
    )?;
    resolve_one(
        "smtp.password",
        &mut settings.smtp.password,
        settings.smtp.password_file.as_deref(),
    )?;
    resolve_one(
        "metrics.token",
        &mut settings.metrics.token,
        settings.metrics.token_file.as_deref(),
    )
}

fn resolve_one(
    key: &str,
    value: &mut Option<SecretString>,
    file: Option<&Path>,
) -> Result<(), ConfigError> {
    let Some(file) = file else { return Ok(()) };
    if value.is_some() {
        return Err(ConfigError::one(format!(
            "{key} and {key}_file are both set: keep one of them"
        )));
    }
    let text = std::fs::read_to_string(file).map_err(|error| {
        ConfigError::one(format!("{key}_file: cannot read {}: {error}", file.display()))
    })?;
    let trimmed = text.trim_end_matches(['\n', '\r']);
    if trimmed.is_empty() {
        return Err(ConfigError::one(format!("{key}_file: {} is empty", file.display())));
    }
    *value = Some(SecretString::from(trimmed.to_owned()));
    Ok(())
}
