//! Pure types and rules of Rampart.
//!
//! Nothing here performs I/O, speaks HTTP or builds SQL: every other crate depends on this one, and
//! this one depends on nothing of ours. Time and randomness enter as parameters ([`Clock`],
//! [`Random`]) so that rules about expiry, lockout or codes are tested without sleeping.

pub mod audit;
pub mod authorization;
pub mod clock;
pub mod detection;
pub mod device;
pub mod email;
pub mod incident;
pub mod mfa;
pub mod password;
pub mod permission;
pub mod random;
pub mod records;
pub mod sign_in_throttle;
pub mod title;

pub use audit::{AuditAction, OcsfActivity, OcsfClass, Outcome};
pub use authorization::{DepartmentScope, Grants, Role, RoleGrant};
pub use clock::{Clock, ManualClock, SystemClock};
pub use detection::{AlertRule, Severity, Thresholds};
pub use device::Device;
pub use email::{Email, EmailError};
pub use incident::{IncidentNote, IncidentRefused, IncidentStatus, IncidentSummary};
pub use mfa::{Assurance, RecoveryCode, SessionStage, TotpCode, roles_require_mfa};
pub use password::{Password, PasswordRejected};
pub use permission::{BuiltInRole, Permission, PermissionSet};
pub use random::{Random, RandomUnavailable, random_bytes};
pub use sign_in_throttle::{AccountGate, ThrottlePolicy, retry_after_secs};
