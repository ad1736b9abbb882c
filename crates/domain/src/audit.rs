//! The audit trail's vocabulary: what happened (OWASP logging vocabulary names) and how it ended.
//!
//! Every security event is one of these actions; the names are stable because alerts, exports and
//! people's searches depend on them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    AuthnLoginSuccess,
    AuthnLoginFail,
    /// An address reached the throttling threshold, or the password was locked.
    AuthnLoginLock,
    /// An IP address was blocked for password spraying.
    AuthnIpBlocked,
    AuthnReauth,
    AuthnPasswordChange,
    AuthnPasswordResetRequest,
    AuthnPasswordReset,
    AuthnEmailVerified,
    AuthnTokenReuse,
    /// A second factor was added (TOTP confirmed, passkey registered).
    AuthnMfaEnrolled,
    /// A second factor was checked and accepted (sign-in or re-authentication).
    AuthnMfaSuccess,
    /// A wrong or replayed second-factor code.
    AuthnMfaFail,
    /// A second factor was removed, by its holder or by an administrator's reset.
    AuthnMfaRemoved,
    AuthnRecoveryCodeUsed,
    AuthnRecoveryCodesGenerated,
    UserCreated,
    UserDisabled,
    UserEnabled,
    SessionCreated,
    SessionRevoked,
    SessionRevokedAll,
    ApikeyCreated,
    ApikeyRevoked,
    AuthzFail,
    CryptDecryptFail,
    /// Retention deleted the oldest events (a signed checkpoint vouches for them).
    AuditPruned,
    /// The trail, or part of it, was exported (`rampart audit export`).
    AuditExported,
    /// An operator started a new segment of a chain found broken (`rampart audit new-segment`):
    /// the new segment's first entry.
    AuditSegmentStarted,
    /// A sign-in from a device (browser family and network) the account never used.
    AuthnNewDevice,
    /// A role was granted or revoked.
    PrivilegePermissionsChanged,
    /// Sensitive fields were read (count in the details).
    SensitiveRead,
    /// A data key or the master key was rotated.
    KeyRotated,
    /// A detection rule fired.
    AlertRaised,
    /// An alert was acknowledged or resolved.
    AlertStatusChanged,
    /// A department was created, renamed or deleted (`change` in the details).
    DepartmentChanged,
    /// A custom role was created, changed or deleted (`change` in the details).
    RoleChanged,
    /// A collection was defined, changed or deleted (`change` in the details).
    CollectionChanged,
    /// A business record was created (through the API or a public form).
    RecordCreated,
    /// A business record was changed.
    RecordUpdated,
    /// A business record was moved to the bin.
    RecordDeleted,
    /// A business record was brought back from the bin.
    RecordRestored,
    /// Records binned longer than `records.bin_days` were deleted for good.
    RecordsPurged,
    /// A public form submission was refused: rate limit or honeypot (`reason`).
    FormRejected,
    /// E-mail asked for anonymously (registration, password reset) was not sent: the hour's
    /// limit for the address or the client was reached (`limit`: `address` or `client`).
    /// Recorded once per window, at the first refusal.
    MailLimited,
    /// Lockdown was switched on or off (`active`, `reason`, `sessions_ended`).
    LockdownChanged,
    /// A backup was written (`rows`, `size_bytes`, `sha256`, `audit_head_seq`).
    BackupCreated,
    /// A backup could not be made (`reason`); raises `backup_failed`.
    BackupFailed,
    /// A backup was restored into this database (`rows`, `from_engine`, `created_at`).
    BackupRestored,
    /// A restore drill ran (`rto_seconds`, `rpo_seconds`; `reason` when it failed).
    BackupDrill,
    /// An incident was opened (`severity`; the summary stays in the incident).
    IncidentOpened,
    /// An incident's severity, summary or status changed, or a note was added (`changes`).
    IncidentUpdated,
    /// An incident was closed: its timeline is final.
    IncidentClosed,
    /// An account's password was made unusable and a reset link mailed (containment).
    AuthnPasswordResetForced,
    /// A forensics bundle was written (`since`, `until`, `files`).
    IncidentReport,
    /// Affected people were notified (`batch`, `count`, `since`, `until`; target the reader).
    IncidentNotified,
    /// An address was invited with roles × departments (target `invitation:ID`; `grants`, and
    /// `replaced` when it replaced pending invitations of the address). A refusal because the
    /// address has an account is this action's failure (`reason: account_exists`).
    UserInvited,
    /// A pending invitation was revoked by an administrator.
    InvitationRevoked,
    /// An invitation was accepted: the account exists (with `user_created` and its grants).
    InvitationAccepted,
    /// An invitation link was refused (`reason`: `invalid_link`, `account_exists`,
    /// `grants_changed`).
    InvitationAcceptFail,
    /// A holder asked to change their address (target their account); a failure when the new
    /// address is taken (`reason: address_taken`: nothing is mailed, the answer is the same).
    AuthnEmailChangeRequest,
    /// The address of an account changed (its new address proved by the link); a failure when
    /// the link could not be used (`reason`).
    AuthnEmailChanged,
    /// A holder exported their own data (`GET /api/me/export`).
    UserDataExported,
    /// An account and its personal data were erased (`by`: `self` or `administrator`); the
    /// trail keeps the account's id.
    UserErased,
    /// A browser reported that a page broke its Content-Security-Policy (`directive`,
    /// `blocked`, `page`): an injection attempt, a browser extension, or a bug of ours.
    CspViolation,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthnLoginSuccess => "authn_login_success",
            Self::AuthnLoginFail => "authn_login_fail",
            Self::AuthnLoginLock => "authn_login_lock",
            Self::AuthnIpBlocked => "authn_ip_blocked",
            Self::AuthnReauth => "authn_reauth",
            Self::AuthnPasswordChange => "authn_password_change",
            Self::AuthnPasswordResetRequest => "authn_password_reset_request",
            Self::AuthnPasswordReset => "authn_password_reset",
            Self::AuthnEmailVerified => "authn_email_verified",
            Self::AuthnTokenReuse => "authn_token_reuse",
            Self::AuthnMfaEnrolled => "authn_mfa_enrolled",
            Self::AuthnMfaSuccess => "authn_mfa_success",
            Self::AuthnMfaFail => "authn_mfa_fail",
            Self::AuthnMfaRemoved => "authn_mfa_removed",
            Self::AuthnRecoveryCodeUsed => "authn_recovery_code_used",
            Self::AuthnRecoveryCodesGenerated => "authn_recovery_codes_generated",
            Self::UserCreated => "user_created",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::SessionCreated => "session_created",
            Self::SessionRevoked => "session_revoked",
            Self::SessionRevokedAll => "session_revoked_all",
            Self::ApikeyCreated => "apikey_created",
            Self::ApikeyRevoked => "apikey_revoked",
            Self::AuthzFail => "authz_fail",
            Self::CryptDecryptFail => "crypt_decrypt_fail",
            Self::AuditPruned => "audit_pruned",
            Self::AuditExported => "audit_exported",
            Self::AuditSegmentStarted => "audit_segment_started",
            Self::AuthnNewDevice => "authn_new_device",
            Self::PrivilegePermissionsChanged => "privilege_permissions_changed",
            Self::SensitiveRead => "sensitive_read",
            Self::KeyRotated => "key_rotated",
            Self::AlertRaised => "alert_raised",
            Self::AlertStatusChanged => "alert_status_changed",
            Self::DepartmentChanged => "department_changed",
            Self::RoleChanged => "role_changed",
            Self::CollectionChanged => "collection_changed",
            Self::RecordCreated => "record_created",
            Self::RecordUpdated => "record_updated",
            Self::RecordDeleted => "record_deleted",
            Self::RecordRestored => "record_restored",
            Self::RecordsPurged => "records_purged",
            Self::FormRejected => "form_rejected",
            Self::MailLimited => "mail_limited",
            Self::LockdownChanged => "lockdown_changed",
            Self::BackupCreated => "backup_created",
            Self::BackupFailed => "backup_failed",
            Self::BackupRestored => "backup_restored",
            Self::BackupDrill => "backup_drill",
            Self::IncidentOpened => "incident_opened",
            Self::IncidentUpdated => "incident_updated",
            Self::IncidentClosed => "incident_closed",
            Self::AuthnPasswordResetForced => "authn_password_reset_forced",
            Self::IncidentReport => "incident_report",
            Self::IncidentNotified => "incident_notified",
            Self::UserInvited => "user_invited",
            Self::InvitationRevoked => "invitation_revoked",
            Self::InvitationAccepted => "invitation_accepted",
            Self::InvitationAcceptFail => "invitation_accept_fail",
            Self::AuthnEmailChangeRequest => "authn_email_change_request",
            Self::AuthnEmailChanged => "authn_email_changed",
            Self::UserDataExported => "user_data_exported",
            Self::UserErased => "user_erased",
            Self::CspViolation => "csp_violation",
        }
    }

    /// The action a stored name stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == name)
    }

    /// Where the action sits in OCSF (the Open Cybersecurity Schema Framework), for exports to a
    /// SIEM: its class and activity.
    pub fn ocsf(self) -> OcsfActivity {
        use OcsfClass::{
            AccountChange as Account, ApiActivity as Api, Authentication as Authn,
            DetectionFinding as Finding, IncidentFinding as Incident,
        };
        let (class, activity_id) = match self {
            Self::AuthnLoginSuccess | Self::AuthnLoginFail | Self::AuthnReauth => (Authn, 1),
            Self::SessionCreated => (Authn, 1),
            Self::SessionRevoked | Self::SessionRevokedAll => (Authn, 2),
            Self::AuthnIpBlocked | Self::AuthnTokenReuse | Self::AuthnNewDevice => (Authn, 99),
            // The second step of a logon (its outcome says which way it went).
            Self::AuthnMfaSuccess | Self::AuthnMfaFail | Self::AuthnRecoveryCodeUsed => (Authn, 1),
            Self::AuthnMfaEnrolled => (Account, 10),
            Self::AuthnMfaRemoved => (Account, 11),
            Self::AuthnRecoveryCodesGenerated => (Account, 99),
            Self::UserCreated => (Account, 1),
            Self::UserEnabled => (Account, 2),
            Self::AuthnPasswordChange => (Account, 3),
            Self::AuthnPasswordReset => (Account, 4),
            Self::UserDisabled => (Account, 5),
            Self::AuthnLoginLock => (Account, 9),
            Self::PrivilegePermissionsChanged => (Account, 7),
            Self::AuthnPasswordResetRequest | Self::AuthnEmailVerified => (Account, 99),
            Self::ApikeyCreated => (Api, 1),
            Self::AuditExported | Self::SensitiveRead => (Api, 2),
            Self::KeyRotated => (Api, 3),
            Self::AlertRaised => (Finding, 1),
            Self::AlertStatusChanged => (Finding, 2),
            Self::ApikeyRevoked | Self::AuditPruned => (Api, 4),
            Self::AuditSegmentStarted => (Api, 1),
            Self::AuthzFail | Self::CryptDecryptFail => (Api, 99),
            Self::DepartmentChanged => (Api, 3),
            Self::RoleChanged => (Account, 7),
            Self::CollectionChanged => (Api, 3),
            Self::RecordCreated => (Api, 1),
            Self::RecordUpdated => (Api, 3),
            Self::RecordDeleted => (Api, 4),
            Self::RecordRestored => (Api, 3),
            Self::RecordsPurged => (Api, 4),
            Self::FormRejected | Self::MailLimited => (Api, 99),
            Self::LockdownChanged => (Api, 3),
            // A backup reads everything (as an export does); a restore writes everything.
            Self::BackupCreated | Self::BackupDrill => (Api, 2),
            Self::BackupFailed => (Api, 99),
            Self::BackupRestored => (Api, 1),
            Self::IncidentOpened => (Incident, 1),
            Self::IncidentUpdated => (Incident, 2),
            Self::IncidentClosed => (Incident, 3),
            Self::AuthnPasswordResetForced => (Account, 4),
            // A bundle reads the trail (as an export does); a notification sends messages.
            Self::IncidentReport => (Api, 2),
            Self::IncidentNotified => (Api, 99),
            // The account is created (`user_created`) when the invitation is accepted.
            Self::UserInvited
            | Self::InvitationRevoked
            | Self::InvitationAccepted
            | Self::InvitationAcceptFail => (Account, 99),
            Self::AuthnEmailChangeRequest | Self::AuthnEmailChanged => (Account, 99),
            // An export reads (as the trail's export does).
            Self::UserDataExported => (Api, 2),
            Self::UserErased => (Account, 6),
            Self::CspViolation => (Api, 99),
        };
        OcsfActivity { class, activity_id }
    }
}

impl AuditAction {
    pub const ALL: [AuditAction; 65] = [
        Self::AuthnLoginSuccess,
        Self::AuthnLoginFail,
        Self::AuthnLoginLock,
        Self::AuthnIpBlocked,
        Self::AuthnReauth,
        Self::AuthnPasswordChange,
        Self::AuthnPasswordResetRequest,
        Self::AuthnPasswordReset,
        Self::AuthnEmailVerified,
        Self::AuthnTokenReuse,
        Self::AuthnMfaEnrolled,
        Self::AuthnMfaSuccess,
        Self::AuthnMfaFail,
        Self::AuthnMfaRemoved,
        Self::AuthnRecoveryCodeUsed,
        Self::AuthnRecoveryCodesGenerated,
        Self::UserCreated,
        Self::UserDisabled,
        Self::UserEnabled,
        Self::SessionCreated,
        Self::SessionRevoked,
        Self::SessionRevokedAll,
        Self::ApikeyCreated,
        Self::ApikeyRevoked,
        Self::AuthzFail,
        Self::CryptDecryptFail,
        Self::AuditPruned,
        Self::AuditExported,
        Self::AuditSegmentStarted,
        Self::AuthnNewDevice,
        Self::PrivilegePermissionsChanged,
        Self::SensitiveRead,
        Self::KeyRotated,
        Self::AlertRaised,
        Self::AlertStatusChanged,
        Self::DepartmentChanged,
        Self::RoleChanged,
        Self::CollectionChanged,
        Self::RecordCreated,
        Self::RecordUpdated,
        Self::RecordDeleted,
        Self::RecordRestored,
        Self::RecordsPurged,
        Self::FormRejected,
        Self::MailLimited,
        Self::LockdownChanged,
        Self::BackupCreated,
        Self::BackupFailed,
        Self::BackupRestored,
        Self::BackupDrill,
        Self::IncidentOpened,
        Self::IncidentUpdated,
        Self::IncidentClosed,
        Self::AuthnPasswordResetForced,
        Self::IncidentReport,
        Self::IncidentNotified,
        Self::UserInvited,
        Self::InvitationRevoked,
        Self::InvitationAccepted,
        Self::InvitationAcceptFail,
        Self::AuthnEmailChangeRequest,
        Self::AuthnEmailChanged,
        Self::UserDataExported,
        Self::UserErased,
        Self::CspViolation,
    ];
}

/// The OCSF event classes Rampart's events fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcsfClass {
    /// 3002, category Identity & Access Management.
    Authentication,
    /// 3001, category Identity & Access Management.
    AccountChange,
    /// 6003, category Application Activity.
    ApiActivity,
    /// 2004, category Findings (alerts).
    DetectionFinding,
    /// 2005, category Findings (incidents: activity 1 create, 2 update, 3 close).
    IncidentFinding,
}

impl OcsfClass {
    pub fn class_uid(self) -> u32 {
        match self {
            Self::Authentication => 3002,
            Self::AccountChange => 3001,
            Self::ApiActivity => 6003,
            Self::DetectionFinding => 2004,
            Self::IncidentFinding => 2005,
        }
    }

    pub fn class_name(self) -> &'static str {
        match self {
            Self::Authentication => "Authentication",
            Self::AccountChange => "Account Change",
            Self::ApiActivity => "API Activity",
            Self::DetectionFinding => "Detection Finding",
            Self::IncidentFinding => "Incident Finding",
        }
    }

    pub fn category_uid(self) -> u32 {
        self.class_uid() / 1000
    }

    pub fn category_name(self) -> &'static str {
        match self {
            Self::Authentication | Self::AccountChange => "Identity & Access Management",
            Self::ApiActivity => "Application Activity",
            Self::DetectionFinding | Self::IncidentFinding => "Findings",
        }
    }
}

/// An event's OCSF class and `activity_id` (99: "Other").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcsfActivity {
    pub class: OcsfClass,
    pub activity_id: u32,
}

impl OcsfActivity {
    /// `class_uid * 100 + activity_id`, as OCSF defines it.
    pub fn type_uid(self) -> u32 {
        self.class.class_uid() * 100 + self.activity_id
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Success, Self::Failure].into_iter().find(|outcome| outcome.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_name_and_has_an_ocsf_class() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            let ocsf = action.ocsf();
            assert!(matches!(ocsf.activity_id, 1..=12 | 99), "{action}");
            assert_eq!(ocsf.type_uid() / 100, ocsf.class.class_uid());
        }
        assert_eq!(AuditAction::parse("authn_everything"), None);
    }

    #[test]
    fn sign_ins_are_ocsf_logons_and_password_changes_account_changes() {
        assert_eq!(AuditAction::AuthnLoginFail.ocsf().type_uid(), 300_201);
        assert_eq!(AuditAction::AuthnPasswordChange.ocsf().type_uid(), 300_103);
        assert_eq!(AuditAction::AuthzFail.ocsf().class, OcsfClass::ApiActivity);
    }
}
