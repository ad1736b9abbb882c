//! `rampart doctor`: the installation's security posture, one line per check, like Django's
//! `check --deploy`. Each check reads the settings, the database or a file and gives one
//! [`Finding`]; none changes anything, and none needs the master key (a key file too open to be
//! loaded is one of the things reported).
//!
//! - `tls.rs`: TLS on the listener, HSTS on every response;
//! - `master_key.rs`: the master key file's permissions;
//! - `accounts.rs`: a second factor for every administrator, no open bootstrap link;
//! - `keys.rs`: the age of each data key;
//! - `backups.rs`: a fresh backup, and a restore drill within `backup.max_drill_age_days`;
//! - `database.rs`: PostgreSQL's runtime role cannot change the schema;
//! - `sandbox.rs`: the Landlock sandbox of `serve` is on and this kernel enforces it;
//! - `advisories.rs`: the Cargo.lock built into this binary against a RustSec database.
//!
//! A new check is a function from `&Context` to a [`Finding`] (async when it reads the database)
//! in a file here, and one line in [`examine`].

mod accounts;
mod advisories;
mod backups;
mod database;
mod keys;
mod master_key;
mod sandbox;
mod tls;

use std::fmt;
use std::path::PathBuf;

use rampart_store::{Db, StoreError};
use time::OffsetDateTime;

use crate::config::Settings;

/// How a check came out. Only [`Status::Fail`] (and [`Status::Warn`] under `--strict`) makes
/// `rampart doctor` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to do.
    Ok,
    /// The check does not apply here (e.g. database roles on SQLite).
    Skip,
    /// Worth a look, or doctor could not tell: not failed by default.
    Warn,
    /// Needs action.
    Fail,
}

impl Status {
    /// The word at the start of the line: `FAIL` in capitals so that it stands out.
    pub fn word(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Skip => "skip",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
        }
    }
}

/// One check's outcome: its status, its stable name, and what was found or what to do. The
/// message never holds a secret, an e-mail address or a password (user ids at most).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub status: Status,
    pub check: &'static str,
    pub message: String,
}

impl Finding {
    fn new(status: Status, check: &'static str, message: impl Into<String>) -> Self {
        Self { status, check, message: message.into() }
    }

    fn ok(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Ok, check, message)
    }

    fn skip(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Skip, check, message)
    }

    fn warn(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Warn, check, message)
    }

    fn fail(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Fail, check, message)
    }

    /// A check whose query failed: it could not be decided, which needs a look.
    fn unreadable(check: &'static str, error: &StoreError) -> Self {
        Self::fail(check, format!("could not be checked: {error}"))
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4}  {:<16} {}", self.status.word(), self.check, self.message)
    }
}

/// What the checks read.
#[derive(Debug)]
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// The installation's database (opened without the master key).
    pub db: &'a Db,
    pub now: OffsetDateTime,
    /// The RustSec database: `--advisory-db`, else `doctor.advisory_db`.
    pub advisory_db: PathBuf,
}

/// Every check, in the order they are printed.
pub async fn examine(context: &Context<'_>) -> Vec<Finding> {
    vec![
        tls::listener(context),
        tls::hsts(context),
        master_key::permissions(context),
        accounts::administrators_have_second_factor(context).await,
        accounts::no_open_bootstrap_link(context).await,
        keys::ages(context).await,
        backups::backup_fresh(context).await,
        backups::restore_drill(context).await,
        database::runtime_role(context).await,
        sandbox::landlock(context),
        advisories::dependencies(context),
    ]
}

/// The exit decision: whether any finding needs action (warnings too when `strict`).
pub fn needs_action(findings: &[Finding], strict: bool) -> bool {
    let worst = if strict { Status::Warn } else { Status::Fail };
    findings.iter().any(|finding| finding.status >= worst)
}
