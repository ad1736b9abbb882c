//! `rampart config show`: the effective settings as TOML, secrets redacted.

use super::Settings;

/// The settings in force, as TOML an operator can read or paste into a file. Secret values are
/// replaced by `[redacted]`; a database URL keeps its host and name but not its password.
pub fn render_redacted(settings: &Settings) -> String {
    let mut effective = settings.clone();
    // Show where the database really is, even when it is the default.
    effective.database.url = Some(settings.database_url());
    effective.database.url_file = settings.database.url_file.clone();
    match toml::to_string_pretty(&effective) {
        Ok(text) => text,
        Err(error) => format!("# the settings could not be shown: {error}\n"),
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;
    use crate::config::model::redact_url_password;

    #[test]
    fn passwords_in_database_urls_are_replaced() {
        let shown = redact_url_password("postgres://app:hunter2@db.internal:5432/rampart");
        assert_eq!(shown, "postgres://app:REDACTED@db.internal:5432/rampart");
        let shown = redact_url_password("postgres://app@db/rampart?password=hunter2");
        assert!(!shown.contains("hunter2"), "{shown}");
        let shown = redact_url_password("postgres://app@db/rampart?pass%77ord=hunter2");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(redact_url_password("not a url hunter2"), "[redacted]");
    }

    #[test]
    fn the_url_secret_is_still_usable_after_show() {
        let settings = crate::config::load(None).unwrap();
        let shown = render_redacted(&settings);
        assert!(shown.contains("[server]"));
        assert!(settings.database_url().expose_secret().starts_with("sqlite:"));
    }
}
