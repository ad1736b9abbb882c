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
    /// Print the version and build information.
    Version,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Validate the configuration without starting; exit non-zero with the problems.
    Check,
    /// Print the effective configuration, secrets redacted.
    Show,
}
