//! Configuration: one typed tree, layered defaults → file → environment.
//!
//! 1. `config/default.toml` (compiled in) holds every setting with its default and a comment.
//! 2. `--config FILE` overrides any of them.
//! 3. `RAMPART_SECTION__KEY` environment variables override both; a secret may instead be read from
//!    a file named by `RAMPART_SECTION__KEY_FILE` (or `key_file` in the file).
//!
//! Unknown keys and bad values stop the start with the key's name and what is expected; secrets
//! never appear in those messages nor in `rampart config show`.

mod load;
mod model;
mod show;
mod validate;
mod validate_smtp;

pub use load::{ConfigError, DEFAULT_CONFIG, ENV_NOT_SETTINGS, load, load_with_overrides};
pub(crate) use model::seconds;
pub use model::{
    AccountSettings, AcmeSettings, DatabaseSettings, DoctorSettings, HSTS, KeySettings, LogFormat,
    LogSettings, MfaSettings, PasswordSettings, SandboxSettings, ServerSettings, SessionSettings,
    Settings, SignInSettings, SiteSettings, SmtpSettings, SmtpTls, StorageSettings, TlsMode,
    TlsSettings,
};
pub use show::render_redacted;
