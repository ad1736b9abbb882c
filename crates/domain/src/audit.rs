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
        }
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
}
