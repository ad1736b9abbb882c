use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Rampart: a secure-by-default backend for business websites.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about)]
pub(crate) struct Cli {
    /// A configuration file (TOML) over the defaults; see config/default.toml for every setting.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the server (first start: creates the data directory, key, certificate and database).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage the data keys (encryption, blind index, pepper, audit, webhook).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage people's accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Database administration.
    #[command(subcommand)]
    Db(DbCommand),
    /// Check, export and identify the tamper-evident audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Incident response: incidents and their timelines, lockdown and containment.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Encrypted backups (age): make, check, list; make an age key pair.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Restore a backup into a fresh database (either engine), then verify its audit chain.
    Restore {
        /// The backup (`rampart-….age`; its `.manifest.json` beside it is checked when present).
        file: PathBuf,
        /// The age identity file (AGE-SECRET-KEY-1…) matching a recipient of the backup.
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// A fresh database to restore into instead of the configured one (e.g. an empty
        /// PostgreSQL database: the way a site moves from SQLite to several instances).
        #[arg(long, value_name = "URL", env = "RAMPART_RESTORE_INTO", hide_env_values = true)]
        into: Option<String>,
    },
    /// Rehearse recovery: restore the newest backup into a scratch database, verify it, record
    /// how long it took (RTO) and how old its data was (RPO).
    #[command(subcommand)]
    Drill(DrillCommand),
    /// Check the installation's security posture, one line per check (ok, skip, warn, FAIL).
    /// Exits 1 when a check failed (or, with --strict, warned), else 0: for cron and CI.
    Doctor {
        /// Warnings fail too (exit 1).
        #[arg(long)]
        strict: bool,
        /// A checkout of the RustSec advisory database, instead of doctor.advisory_db.
        #[arg(long, value_name = "PATH")]
        advisory_db: Option<PathBuf>,
    },
    /// Load an example business (departments, staff, a customer, collections and a few
    /// records) into an installation that has none yet; prints the demo people's passwords once.
    SeedDemo,
    /// Print the version and build information.
    Version,
}

#[derive(Debug, Subcommand)]
pub(crate) enum BackupCommand {
    /// Make a backup now, into backup.directory (consistent while the server runs).
    Create,
    /// Check a backup: its manifest's SHA-256, that it decrypts and is complete.
    Verify {
        file: PathBuf,
        /// The age identity file that decrypts it.
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
    },
    /// List the backups in backup.directory, oldest first.
    List,
    /// Make an age key pair: writes the identity (private key) to FILE (0600) and prints the
    /// recipient (public key) to put in backup.recipients. Keep FILE off this machine.
    Keygen {
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DrillCommand {
    /// Restore the newest backup into a scratch database and verify it.
    Restore {
        /// The age identity file that decrypts the backups.
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// A fresh database to drill into instead of a temporary SQLite file (emptied after).
        #[arg(long, value_name = "URL", env = "RAMPART_DRILL_INTO", hide_env_values = true)]
        into: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum IncidentCommand {
    /// Lockdown on: every session ends except incident managers' signed in with a second factor,
    /// on every instance; API keys are refused and public forms paused until it is off.
    Lockdown {
        #[arg(value_parser = ["on", "off"])]
        state: String,
        /// Why (kept in the audit trail).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Open an incident; prints its id.
    Open {
        /// low, medium, high or critical.
        #[arg(long, value_parser = ["low", "medium", "high", "critical"])]
        severity: String,
        /// What it is about, on one line.
        #[arg(long)]
        summary: String,
        /// A first note for the timeline.
        #[arg(long)]
        note: Option<String>,
    },
    /// Change an incident's severity, summary or status, or add a note to its timeline.
    Update {
        id: String,
        #[arg(long, value_parser = ["low", "medium", "high", "critical"])]
        severity: Option<String>,
        #[arg(long)]
        summary: Option<String>,
        /// open or contained (close with `rampart incident close`).
        #[arg(long, value_parser = ["open", "contained"])]
        status: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Close an incident for good: its timeline ends now.
    Close {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// List incidents, newest first.
    List {
        #[arg(long, value_parser = ["open", "contained", "closed"])]
        status: Option<String>,
    },
    /// Show an incident and its timeline.
    Show { id: String },
    /// End every session, or one user's, on every instance at once.
    RevokeSessions {
        /// Only this user's sessions.
        #[arg(long, value_name = "ADDRESS")]
        user: Option<String>,
        #[command(flatten)]
        why: ContainmentArgs,
    },
    /// Revoke every API key.
    RevokeApiKeys {
        #[command(flatten)]
        why: ContainmentArgs,
    },
    /// Disable an account: its sessions end, its password and API keys stop working.
    DisableUser {
        #[arg(value_name = "ADDRESS")]
        email: String,
        #[command(flatten)]
        why: ContainmentArgs,
    },
    /// Make passwords unusable, end the sessions and mail each account a reset link.
    #[command(group(clap::ArgGroup::new("whom").required(true).args(["all", "user"])))]
    ForcePasswordReset {
        /// Every account.
        #[arg(long)]
        all: bool,
        /// This account (repeat for more).
        #[arg(long, value_name = "ADDRESS")]
        user: Vec<String>,
        #[command(flatten)]
        why: ContainmentArgs,
    },
    /// Rotate data keys (as `rampart keys rotate`), then re-encrypt (as `rampart keys reencrypt`).
    RotateKeys {
        /// fields, blind-index, pepper, audit, webhook, or all.
        #[arg(long, default_value = "all", value_name = "PURPOSE")]
        purpose: String,
        #[command(flatten)]
        why: ContainmentArgs,
    },
    /// Write the forensics bundle of a time window into a new directory: audit slice, alerts,
    /// sign-ins, sensitive reads, redacted config, versions and a signed manifest.
    Report {
        /// Events at or after this time (RFC 3339, or a date: 2026-12-01).
        #[arg(long, value_name = "TIME")]
        since: String,
        /// Events before this time (RFC 3339, or a date); now when left out.
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// The bundle's directory (created 0700; refused when it exists and is not empty).
        directory: PathBuf,
    },
    /// Check a forensics bundle: every file against the manifest, the manifest's signature, and
    /// that it was signed by this installation's audit key (or by --public-key).
    VerifyBundle {
        directory: PathBuf,
        /// Trust this Ed25519 public key (hex) instead of the installation's audit keys.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
    /// E-mail the people whose records a principal read in a window (from the `sensitive_read`
    /// events), once each; who was told is recorded without their addresses.
    Notify {
        /// The reader's account address.
        #[arg(long, value_name = "ADDRESS")]
        read_by: String,
        #[arg(long, value_name = "TIME")]
        since: String,
        #[arg(long, value_name = "TIME")]
        until: String,
        /// The message: first line `Subject: …`, then the body; {{collection}}, {{since}},
        /// {{until}} and {{site}} are filled in.
        #[arg(long, value_name = "FILE")]
        template: PathBuf,
        /// Print how many would be mailed, send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// What every containment command records with its audit event.
#[derive(Debug, clap::Args)]
pub(crate) struct ContainmentArgs {
    /// The incident this is taken for (an open one).
    #[arg(long, value_name = "ID")]
    pub(crate) incident: Option<String>,
    /// Why (kept in the audit trail).
    #[arg(long, default_value = "")]
    pub(crate) reason: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create the first owner (instead of the link `serve` prints). Reads the password from the
    /// first line of standard input, so it never shows in the process list or shell history.
    CreateOwner {
        #[arg(long, value_name = "ADDRESS")]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// PostgreSQL least privilege: a migration role that owns the schema, and a runtime role
    /// with only SELECT/INSERT/UPDATE/DELETE on Rampart's tables. Connects with
    /// database.migration_url, else database.url, as a role allowed to create roles.
    SetupRoles {
        #[arg(long, default_value = "rampart_migrator", value_name = "ROLE")]
        migration_role: String,
        #[arg(long, default_value = "rampart_app", value_name = "ROLE")]
        runtime_role: String,
        /// Print the SQL instead of running it.
        #[arg(long)]
        print: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Check the hash chain and every signed checkpoint; name the first entry that was altered,
    /// deleted, inserted or reordered. Exits non-zero when the trail is not intact.
    Verify,
    /// Print the Ed25519 public keys that sign the audit checkpoints (keep a copy elsewhere).
    PublicKey,
    /// After a break was found and investigated: close the broken segment (kept as evidence) and
    /// start a new one, signed, that refers to it. Until then every audited action is refused
    /// (503 audit_unavailable). See docs/forensics.md.
    NewSegment {
        /// Required: you have read `rampart audit verify` and kept a copy of the trail
        /// (`rampart audit export`).
        #[arg(long)]
        confirm: bool,
    },
    /// Write events as OCSF JSON, one per line, oldest first.
    Export {
        /// Events at or after this time (RFC 3339, or a date: 2026-12-01).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Events before this time (RFC 3339, or a date).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// The only format: ocsf.
        #[arg(long, default_value = "ocsf", value_parser = ["ocsf"])]
        format: String,
        /// Write here (created 0600) instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Show each purpose's key versions and their ages.
    Status,
    /// Add a new key version; new writes use it, older versions keep decrypting.
    Rotate {
        /// fields, blind-index, pepper, audit, webhook, or all.
        #[arg(long, value_name = "PURPOSE")]
        purpose: String,
    },
    /// Rewrite every encrypted value under the newest keys, then retire unused old versions.
    /// Resumes where an interrupted run stopped.
    Reencrypt {
        /// Rows per batch (progress is saved after each batch).
        #[arg(long, default_value_t = 500)]
        batch_size: u64,
    },
    /// Re-wrap every data key under a new master key (32 raw bytes or 64 hex digits in FILE).
    RotateMaster {
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Validate the configuration without starting; exit non-zero with the problems.
    Check,
    /// Print the effective configuration, secrets redacted.
    Show,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    fn variables(command: &clap::Command, found: &mut Vec<String>) {
        for argument in command.get_arguments() {
            if let Some(name) = argument.get_env() {
                found.push(name.to_string_lossy().into_owned());
            }
        }
        for subcommand in command.get_subcommands() {
            variables(subcommand, found);
        }
    }

    /// The configuration refuses `RAMPART_` variables with one underscore as mistyped settings;
    /// the ones the command line itself reads must not be refused (docs/backups.md recommends
    /// `RAMPART_RESTORE_INTO`).
    #[test]
    fn every_variable_the_command_line_reads_is_known_to_the_configuration() {
        let mut found = Vec::new();
        variables(&Cli::command(), &mut found);
        assert!(found.iter().any(|name| name == "RAMPART_RESTORE_INTO"), "{found:?}");
        for name in found.iter().filter(|name| !name.contains("__")) {
            assert!(
                rampart_core::config::ENV_NOT_SETTINGS.contains(&name.as_str()),
                "{name} would be refused as a mistyped setting"
            );
        }
    }
}
