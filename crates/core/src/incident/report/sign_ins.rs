//! `sign_ins.json`: the window's sign-in attempts (`authn_login_success`, `authn_login_fail`)
//! grouped by IP address and by device (user agent), with the accounts involved as user ids.

use std::collections::{BTreeMap, BTreeSet};

use rampart_domain::AuditAction;
use rampart_store::audit::AuditRow;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Default, Serialize)]
pub(crate) struct SignIns {
    pub by_ip: BTreeMap<String, Group>,
    pub by_user_agent: BTreeMap<String, Group>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Group {
    successes: u64,
    failures: u64,
    #[serde(with = "time::serde::rfc3339")]
    first_seen: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    last_seen: OffsetDateTime,
    /// Accounts signed in to or tried (an unknown address has none).
    accounts: BTreeSet<Uuid>,
}

impl Group {
    fn new(at: OffsetDateTime) -> Self {
        Self { successes: 0, failures: 0, first_seen: at, last_seen: at, accounts: BTreeSet::new() }
    }

    fn add(&mut self, success: bool, at: OffsetDateTime, account: Option<Uuid>) {
        if success {
            self.successes += 1;
        } else {
            self.failures += 1;
        }
        self.first_seen = self.first_seen.min(at);
        self.last_seen = self.last_seen.max(at);
        self.accounts.extend(account);
    }
}

/// A missing IP or user agent is grouped under this name.
const UNKNOWN: &str = "unknown";

impl SignIns {
    /// Counts `row` when it is a sign-in attempt.
    pub(crate) fn add(&mut self, row: &AuditRow) {
        let entry = &row.entry;
        let success = match AuditAction::parse(&entry.action) {
            Some(AuditAction::AuthnLoginSuccess) => true,
            Some(AuditAction::AuthnLoginFail) => false,
            _ => return,
        };
        let account = entry.actor_user_id.or_else(|| {
            entry.target.as_deref()?.strip_prefix("user:").and_then(|id| id.parse().ok())
        });
        let ip = entry.ip.clone().unwrap_or_else(|| UNKNOWN.to_owned());
        let agent = entry.user_agent.clone().unwrap_or_else(|| UNKNOWN.to_owned());
        for (groups, key) in [(&mut self.by_ip, ip), (&mut self.by_user_agent, agent)] {
            groups
                .entry(key)
                .or_insert_with(|| Group::new(entry.at))
                .add(success, entry.at, account);
        }
    }
}
