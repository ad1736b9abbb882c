//! The settings tree. Field names are the keys of `config/default.toml`; each is documented there.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use secrecy::ExposeSecret;
use secrecy::SecretString;
use serde::{Deserialize, Serialize, Serializer};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub storage: StorageSettings,
    pub database: DatabaseSettings,
    pub tls: TlsSettings,
    pub keys: KeySettings,
    pub passwords: PasswordSettings,
    pub accounts: AccountSettings,
    pub sessions: SessionSettings,
    pub mfa: MfaSettings,
    pub sign_in: SignInSettings,
    pub smtp: SmtpSettings,
    pub audit: AuditSettings,
    pub metrics: MetricsSettings,
    pub alerts: AlertSettings,
    pub records: RecordSettings,
    pub backup: BackupSettings,
    pub doctor: DoctorSettings,
    pub sandbox: SandboxSettings,
    pub log: LogSettings,
    pub site: SiteSettings,
}

impl Settings {
    /// The database URL in force: `database.url`, or the SQLite file in the data directory.
    pub fn database_url(&self) -> SecretString {
        match &self.database.url {
            Some(url) => url.clone(),
            None => SecretString::from(format!(
                "sqlite:{}",
                self.storage.data_dir.join("rampart.db").display()
            )),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub redirect_listen: Option<SocketAddr>,
    pub public_origin: String,
    pub trusted_proxies: Vec<IpAddr>,
    /// Other origins (besides `public_origin`) whose pages may call the API with credentials.
    pub cors_origins: Vec<String>,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub max_header_bytes: usize,
    pub header_read_timeout_secs: u64,
    pub shutdown_grace_secs: u64,
}

/// The `Strict-Transport-Security` policy sent on every response when the public origin is HTTPS
/// (one year, subdomains included): the security-headers middleware sends it, `rampart doctor`
/// reports it.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

impl ServerSettings {
    /// Whether every response carries `Strict-Transport-Security`: the public origin is HTTPS.
    /// One rule for the middleware and for `rampart doctor`.
    pub fn sends_hsts(&self) -> bool {
        self.public_origin.starts_with("https://")
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    /// The master key as 64 hex digits; default: `master.key` in the data directory.
    #[serde(serialize_with = "redacted")]
    pub master_key: Option<SecretString>,
    pub master_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite:PATH` or `postgres://…`; default: `rampart.db` in the data directory.
    #[serde(serialize_with = "url_without_password")]
    pub url: Option<SecretString>,
    pub url_file: Option<PathBuf>,
    /// PostgreSQL: the role that owns the schema and applies migrations; `url` is then the
    /// runtime role's (SELECT/INSERT/UPDATE/DELETE only), and `serve` migrates through this one.
    #[serde(serialize_with = "url_without_password")]
    pub migration_url: Option<SecretString>,
    pub migration_url_file: Option<PathBuf>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// A local authority and certificate generated in the data directory.
    SelfSigned,
    /// `tls.cert_file` and `tls.key_file`.
    Files,
    /// Plain HTTP on loopback for a TLS-terminating proxy listed in `server.trusted_proxies`.
    BehindProxy,
    /// Certificates obtained and renewed from an ACME server (`tls.acme.*`), HTTP-01 challenges
    /// answered on `server.redirect_listen`.
    Acme,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    pub mode: TlsMode,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub acme: AcmeSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AcmeSettings {
    pub directory: String,
    pub domains: Vec<String>,
    pub contact: Vec<String>,
    /// An extra root to trust for the ACME directory's own TLS (a test server such as Pebble).
    pub ca_file: Option<PathBuf>,
    pub renew_before_days: u32,
    pub check_interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    pub reload_interval_secs: u64,
    /// After a rotation, `serve` re-encrypts existing values by itself (one instance at a time).
    pub background_reencryption: bool,
}

impl KeySettings {
    pub fn reload_interval(&self) -> Duration {
        Duration::from_secs(self.reload_interval_secs)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSettings {
    /// Threads that hash passwords; 0 = one per core, less one.
    pub hashing_threads: usize,
    /// Hashes that may wait for a thread; beyond that sign-ins get 503 + Retry-After.
    pub hashing_queue: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    /// Whether anyone may create a `customer` account with `POST /api/auth/register`.
    pub registration_enabled: bool,
    /// The site's name: shown in e-mails, and a word a password must not lean on.
    pub site_name: String,
    pub bootstrap_link_ttl_secs: u64,
    pub verification_link_ttl_secs: u64,
    pub reset_link_ttl_secs: u64,
    /// How long an invitation's link works (`POST /api/invitations`).
    pub invitation_ttl_secs: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    pub idle_timeout_secs: u64,
    pub absolute_timeout_secs: u64,
    /// How recent a password check must be for sensitive changes (else 403 `reauth_required`).
    pub reauth_window_secs: u64,
}

impl SessionSettings {
    pub fn idle_timeout(&self) -> time::Duration {
        seconds(self.idle_timeout_secs)
    }

    pub fn absolute_timeout(&self) -> time::Duration {
        seconds(self.absolute_timeout_secs)
    }

    pub fn reauth_window(&self) -> time::Duration {
        seconds(self.reauth_window_secs)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MfaSettings {
    /// Roles whose holders must have a second factor.
    pub required_roles: Vec<String>,
    /// How long a sign-in may wait for its second factor.
    pub pending_ttl_secs: u64,
    /// Wrong codes that end a pending sign-in or a re-authenticating session.
    pub max_code_failures: u32,
    /// How long a passkey ceremony's challenge stays valid.
    pub challenge_ttl_secs: u64,
}

impl MfaSettings {
    pub fn pending_ttl(&self) -> time::Duration {
        seconds(self.pending_ttl_secs)
    }

    pub fn challenge_ttl(&self) -> time::Duration {
        seconds(self.challenge_ttl_secs)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignInSettings {
    pub free_failures: u32,
    pub max_delay_secs: u64,
    pub lock_failures: u32,
    pub ip_max_failures: u32,
    pub ip_window_secs: u64,
    pub ip_block_secs: u64,
}

impl SignInSettings {
    pub fn policy(&self) -> rampart_domain::ThrottlePolicy {
        rampart_domain::ThrottlePolicy {
            free_failures: self.free_failures,
            max_delay: seconds(self.max_delay_secs),
            lock_failures: self.lock_failures,
            ip_max_failures: self.ip_max_failures,
            ip_window: seconds(self.ip_window_secs),
            ip_block: seconds(self.ip_block_secs),
        }
    }
}

/// A number of seconds from the settings (validated to be small enough) as a duration.
pub(crate) fn seconds(secs: u64) -> time::Duration {
    time::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// How the connection to the SMTP relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpTls {
    /// Plain connect, then STARTTLS, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption at all: only to a relay on this machine (validated).
    None,
}

/// The `[smtp]` section: where e-mail from the outbox is delivered. No `host`, no delivery.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: Option<String>,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    #[serde(serialize_with = "redacted")]
    pub password: Option<SecretString>,
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `Shop <no-reply@shop.example>`.
    pub from: String,
    /// An extra authority to trust for the relay's certificate (a private or test relay).
    pub ca_file: Option<PathBuf>,
    pub poll_interval_secs: u64,
    /// Failed deliveries after which a message is dropped.
    pub max_attempts: u32,
    pub timeout_secs: u64,
}

impl SmtpSettings {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_secs(self.poll_interval_secs)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    Json,
    Text,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

/// How a secret setting is shown by `rampart config show`: that it is set, never what it is.
fn redacted<S: Serializer>(value: &Option<SecretString>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(_) => serializer.serialize_str("[redacted]"),
        None => serializer.serialize_none(),
    }
}

/// A database URL is shown with its password replaced, so the operator still sees where it points.
fn url_without_password<S: Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(url) => serializer.serialize_str(&redact_url_password(url.expose_secret())),
        None => serializer.serialize_none(),
    }
}

pub(crate) fn redact_url_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() && parsed.set_password(Some("REDACTED")).is_err() {
                return "[redacted]".into();
            }
            // Query parameters such as `password=` or `sslpassword=` are secret too, however
            // their names are percent-encoded (the driver decodes them: `pass%77ord=`).
            if parsed.query().is_some_and(|q| q.contains("password"))
                || parsed.query_pairs().any(|(name, _)| name.contains("password"))
            {
                parsed.set_query(Some("[query redacted]"));
            }
            parsed.to_string()
        }
        Err(_) => "[redacted]".into(),
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// Where backups are written; empty: `backups/` in the data directory.
    pub directory: Option<PathBuf>,
    /// The age public keys (`age1…`) backups are encrypted to. None: no backup can be made.
    pub recipients: Vec<String>,
    /// Hours between the backups `serve` makes by itself; 0: only `rampart backup create`.
    pub interval_hours: u64,
    /// Scheduled backups kept; older ones are deleted after each new one.
    pub keep: u64,
    /// A successful backup older than this raises `backup_stale` (when recipients are set).
    pub max_age_hours: u64,
    /// A restore drill older than this makes `rampart doctor` fail.
    pub max_drill_age_days: u64,
}

impl BackupSettings {
    /// The backup directory in force.
    pub fn directory(&self, storage: &StorageSettings) -> PathBuf {
        self.directory.clone().unwrap_or_else(|| storage.data_dir.join("backups"))
    }

    pub fn interval(&self) -> Option<Duration> {
        (self.interval_hours > 0).then(|| Duration::from_secs(self.interval_hours * 3600))
    }

    pub fn max_age(&self) -> time::Duration {
        time::Duration::hours(i64::try_from(self.max_age_hours).unwrap_or(i64::MAX / 3600))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSettings {
    /// Days a deleted record stays restorable before it is purged.
    pub bin_days: u64,
    /// The largest page of a records list.
    pub max_page_size: u64,
    /// Public form submissions accepted per client address and collection per hour.
    pub form_submissions_per_hour: u64,
    /// The form field only bots fill in.
    pub honeypot_field: String,
}

/// The `[sandbox]` section: what `rampart serve` may reach of the filesystem once started.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    /// Confine `serve` with Landlock and no_new_privs. Off only to diagnose; `doctor` warns.
    pub enabled: bool,
    /// More paths `serve` may read (files or directories), beyond those it needs by itself.
    pub read_only: Vec<PathBuf>,
    /// More paths `serve` may read and write.
    pub read_write: Vec<PathBuf>,
}

/// The `[site]` section: the business's own static website, served at `/` on the API's origin.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// A directory of static files (HTML, CSS, JS, images); unset, nothing is served at `/`.
    pub dir: Option<PathBuf>,
    /// The Content-Security-Policy of the site's files (only theirs: the API and Rampart's own
    /// pages keep their own). Widen it here for what the site loads from elsewhere.
    pub content_security_policy: String,
}

/// The `[doctor]` section: thresholds and paths of `rampart doctor`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorSettings {
    /// A data key whose newest version is older than this is reported (rotate it).
    pub max_key_age_days: u64,
    /// A checkout of the RustSec advisory database (its `crates/` folder inside).
    pub advisory_db: PathBuf,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// A signed checkpoint after this many events…
    pub checkpoint_every: u64,
    /// …or this long after the last one, whichever comes first.
    pub checkpoint_interval_secs: u64,
    /// Events older than this are deleted (a signed checkpoint vouches for them); 0 keeps all.
    pub retention_days: u64,
}

impl AuditSettings {
    pub fn checkpoint_interval(&self) -> Duration {
        Duration::from_secs(self.checkpoint_interval_secs)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// The bearer token a Prometheus scraper presents to `GET /metrics`; unset, every scrape is
    /// refused.
    #[serde(serialize_with = "redacted")]
    pub token: Option<SecretString>,
    pub token_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// The window of the sign-in rules (spraying, stuffing, failures before a success, wrong
    /// codes): a rule fires once per window for the same subject.
    pub window_secs: u64,
    /// The window of the burst rules (refusals, sensitive reads).
    pub burst_window_secs: u64,
    pub spray_addresses: u64,
    pub stuffing_clients: u64,
    pub stuffing_addresses: u64,
    pub failures_before_success: u64,
    pub mfa_failures: u64,
    pub authz_failures: u64,
    pub sensitive_reads: u64,
    /// Where alerts are POSTed (https://…, or http:// to this machine only); unset: no webhook.
    pub webhook_url: Option<String>,
    /// The HMAC key of `X-Rampart-Signature`; required with `webhook_url`.
    #[serde(serialize_with = "redacted")]
    pub webhook_secret: Option<SecretString>,
    pub webhook_secret_file: Option<PathBuf>,
    pub webhook_timeout_secs: u64,
    /// Attempts per sink before a delivery is marked dead.
    pub max_attempts: u32,
    /// E-mail every alert to the owners and security officers.
    pub email_security_officers: bool,
}

impl AlertSettings {
    pub fn thresholds(&self) -> rampart_domain::Thresholds {
        rampart_domain::Thresholds {
            spray_addresses: self.spray_addresses,
            stuffing_clients: self.stuffing_clients,
            stuffing_addresses: self.stuffing_addresses,
            failures_before_success: self.failures_before_success,
            mfa_failures: self.mfa_failures,
            authz_failures: self.authz_failures,
            sensitive_reads: self.sensitive_reads,
        }
    }

    pub fn window(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.window_secs).unwrap_or(i64::MAX))
    }

    pub fn burst_window(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.burst_window_secs).unwrap_or(i64::MAX))
    }
}
