//! Detection rules: which audit events, with which facts around them, mean an attack or a change
//! a security officer must hear of. Each rule is a pure function of the event and of counts the
//! server reads from the database (so they count across every instance); thresholds are
//! settings (`[alerts]`).

use std::fmt;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertRule {
    /// An address reached the throttling threshold (a guessing attack on one account).
    AccountThrottled,
    /// One client failed sign-ins for many different addresses.
    PasswordSpraying,
    /// Many clients failed sign-ins for many addresses (leaked credential lists).
    CredentialStuffing,
    /// A sign-in succeeded right after many failures for the same account.
    SuccessAfterFailures,
    /// An account was signed in to from a device it never used.
    NewDevice,
    /// Many wrong second-factor codes for one account.
    MfaFailureBurst,
    RecoveryCodeUsed,
    FactorRemoved,
    /// Someone was given owner, admin or security officer.
    PrivilegedRoleGranted,
    /// One principal read very many sensitive records in a short time.
    MassSensitiveReads,
    /// One principal was refused very often in a short time (probing for access).
    AuthzFailureBurst,
    /// `audit verify` found the trail altered.
    AuditChainBroken,
    KeyRotated,
    /// Lockdown was switched on or off.
    LockdownChanged,
    /// A backup could not be made.
    BackupFailed,
    /// The newest successful backup is older than `backup.max_age_hours`.
    BackupStale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl AlertRule {
    pub const ALL: [AlertRule; 16] = [
        Self::AccountThrottled,
        Self::PasswordSpraying,
        Self::CredentialStuffing,
        Self::SuccessAfterFailures,
        Self::NewDevice,
        Self::MfaFailureBurst,
        Self::RecoveryCodeUsed,
        Self::FactorRemoved,
        Self::PrivilegedRoleGranted,
        Self::MassSensitiveReads,
        Self::AuthzFailureBurst,
        Self::AuditChainBroken,
        Self::KeyRotated,
        Self::LockdownChanged,
        Self::BackupFailed,
        Self::BackupStale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountThrottled => "account_throttled",
            Self::PasswordSpraying => "password_spraying",
            Self::CredentialStuffing => "credential_stuffing",
            Self::SuccessAfterFailures => "success_after_failures",
            Self::NewDevice => "new_device",
            Self::MfaFailureBurst => "mfa_failure_burst",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::FactorRemoved => "factor_removed",
            Self::PrivilegedRoleGranted => "privileged_role_granted",
            Self::MassSensitiveReads => "mass_sensitive_reads",
            Self::AuthzFailureBurst => "authz_failure_burst",
            Self::AuditChainBroken => "audit_chain_broken",
            Self::KeyRotated => "key_rotated",
            Self::LockdownChanged => "lockdown_changed",
            Self::BackupFailed => "backup_failed",
            Self::BackupStale => "backup_stale",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.as_str() == name)
    }

    pub fn severity(self) -> Severity {
        match self {
            Self::NewDevice | Self::KeyRotated => Severity::Low,
            Self::AccountThrottled | Self::RecoveryCodeUsed | Self::FactorRemoved => {
                Severity::Medium
            }
            Self::PasswordSpraying
            | Self::CredentialStuffing
            | Self::SuccessAfterFailures
            | Self::MfaFailureBurst
            | Self::PrivilegedRoleGranted
            | Self::MassSensitiveReads
            | Self::AuthzFailureBurst
            | Self::LockdownChanged
            | Self::BackupFailed
            | Self::BackupStale => Severity::High,
            Self::AuditChainBroken => Severity::Critical,
        }
    }
}

impl fmt::Display for AlertRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The thresholds (`[alerts]` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Distinct addresses one client failed for, within the window: spraying.
    pub spray_addresses: u64,
    /// Distinct failing clients and distinct addresses, within the window: stuffing.
    pub stuffing_clients: u64,
    pub stuffing_addresses: u64,
    /// Failures for an account within the window before a success.
    pub failures_before_success: u64,
    /// Wrong second-factor codes for an account within the window.
    pub mfa_failures: u64,
    /// Refusals of one principal within the burst window.
    pub authz_failures: u64,
    /// Sensitive records one principal read within the burst window.
    pub sensitive_reads: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            spray_addresses: 10,
            stuffing_clients: 10,
            stuffing_addresses: 10,
            failures_before_success: 5,
            mfa_failures: 5,
            authz_failures: 20,
            sensitive_reads: 500,
        }
    }
}

/// The roles whose grant is always worth an alert.
pub const PRIVILEGED_ROLES: [&str; 3] = ["owner", "admin", "security_officer"];

/// No successful backup for longer than the limit: the data written since would be lost.
pub fn is_backup_stale(since_last_backup: time::Duration, max_age: time::Duration) -> bool {
    since_last_backup > max_age
}

/// A failed sign-in: spraying when this client has tried many addresses.
pub fn is_password_spraying(addresses_from_client: u64, thresholds: &Thresholds) -> bool {
    addresses_from_client >= thresholds.spray_addresses
}

/// A failed sign-in: stuffing when many clients fail for many addresses (one client trying many
/// addresses is spraying instead, and counted there).
pub fn is_credential_stuffing(
    failing_clients: u64,
    failing_addresses: u64,
    thresholds: &Thresholds,
) -> bool {
    failing_clients >= thresholds.stuffing_clients
        && failing_addresses >= thresholds.stuffing_addresses
}

/// A successful sign-in after this many recent failures for the same account.
pub fn is_success_after_failures(recent_failures: u64, thresholds: &Thresholds) -> bool {
    recent_failures >= thresholds.failures_before_success
}

pub fn is_mfa_failure_burst(recent_failures: u64, thresholds: &Thresholds) -> bool {
    recent_failures >= thresholds.mfa_failures
}

pub fn is_authz_failure_burst(recent_refusals: u64, thresholds: &Thresholds) -> bool {
    recent_refusals >= thresholds.authz_failures
}

pub fn is_mass_sensitive_reading(recent_reads: u64, thresholds: &Thresholds) -> bool {
    recent_reads >= thresholds.sensitive_reads
}

pub fn is_privileged_grant(role: &str) -> bool {
    PRIVILEGED_ROLES.contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_round_trips_through_its_name() {
        for rule in AlertRule::ALL {
            assert_eq!(AlertRule::parse(rule.as_str()), Some(rule));
        }
    }

    #[test]
    fn one_client_over_many_addresses_is_spraying_and_not_stuffing() {
        let t = Thresholds::default();
        assert!(is_password_spraying(50, &t));
        assert!(!is_credential_stuffing(1, 50, &t));
        assert!(!is_password_spraying(9, &t));
    }

    #[test]
    fn many_clients_over_many_addresses_is_stuffing() {
        let t = Thresholds::default();
        assert!(is_credential_stuffing(20, 20, &t));
        assert!(!is_credential_stuffing(20, 1, &t), "many clients, one account: brute force");
    }

    #[test]
    fn only_privileged_roles_are_alerted() {
        assert!(is_privileged_grant("admin") && is_privileged_grant("owner"));
        assert!(!is_privileged_grant("staff") && !is_privileged_grant("customer"));
    }

    #[test]
    fn the_chain_broken_is_the_most_severe() {
        assert!(
            AlertRule::ALL.iter().all(|r| r.severity() <= AlertRule::AuditChainBroken.severity())
        );
    }
}
