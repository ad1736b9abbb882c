//! The one error type of the HTTP layer.
//!
//! A handler returns `Result<_, ApiError>`. Each variant has a status and a stable machine `code`;
//! the `message` is for people and never holds internals. The body is written by the error
//! envelope middleware, which adds the request id, so every error anywhere — ours, axum's
//! rejections, a timeout, a panic — reaches the client as
//! `{"error":{"code","message","request_id"}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_core::{DatabaseFault, StoreError, database_fault};

/// When to retry after a database outage, and after a full disk (someone has to free space).
const DATABASE_RETRY_AFTER_SECS: u64 = 5;
const STORAGE_RETRY_AFTER_SECS: u64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    MalformedJson(String),
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("{0}")]
    Unprocessable(String),
    #[error("the request body is larger than this server accepts")]
    PayloadTooLarge,
    #[error("nothing here")]
    NotFound,
    /// No valid session or API key came with a request that needs one.
    #[error("sign in first")]
    Unauthenticated,
    /// The principal lacks the permission (or the credential kind) the route needs.
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("this request came from a page that may not make it (cross-site request refused)")]
    CsrfRejected,
    /// A sensitive change needs a recent re-authentication: `POST /api/auth/reauth` first.
    #[error("confirm it is you first (POST /api/auth/reauth), then try again")]
    ReauthRequired,
    /// The caller's roles require a second factor and they have none yet: only enrolment
    /// (`/api/me/mfa/totp`, `/api/me/passkeys`) and signing out are open to them.
    #[error("your role requires a second factor: enrol one first (POST /api/me/mfa/totp)")]
    MfaEnrolmentRequired,
    /// A second-factor code (TOTP or recovery code) that is wrong, used before or expired.
    #[error("the code is wrong or was used already")]
    InvalidCode,
    /// A passkey ceremony that failed: unknown, used or expired challenge, wrong origin, bad
    /// signature, no user verification.
    #[error("the passkey was not accepted; start again")]
    PasskeyRejected,
    /// Wrong address or password — or an unknown, disabled or unverified account: one answer
    /// for all, so that it tells nothing about which.
    #[error("the e-mail address or the password is wrong")]
    InvalidCredentials,
    /// Too many failed attempts; the same body as [`Self::InvalidCredentials`].
    #[error("the e-mail address or the password is wrong")]
    Throttled { retry_after_secs: u64 },
    /// A one-time link that is unknown, used or expired.
    #[error("this link is invalid or has expired; ask for a new one")]
    InvalidToken,
    #[error("{0}")]
    Conflict(String),
    /// Too many requests of this kind from the client (public forms).
    #[error("too many submissions from your address; try again later")]
    RateLimited { retry_after_secs: u64 },
    /// Password hashing is saturated: try again in a moment.
    #[error("the server is busy; retry shortly")]
    Busy { retry_after_secs: u64 },
    #[error("the service is not ready")]
    Unavailable,
    /// The database is unreachable, busy or read-only: nothing was done; retry shortly. The cause
    /// is logged, never sent.
    #[error("the database is unavailable; nothing was changed; retry shortly")]
    DatabaseUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The audit trail cannot record the action (found broken, awaiting an operator's new
    /// segment): nothing was done, since nothing may happen unrecorded.
    #[error(
        "the audit trail cannot record this action, so nothing was changed; an operator has been alerted"
    )]
    AuditUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The disk is full: nothing was saved. The cause is logged, never sent.
    #[error("the server's storage is full; nothing was saved; retry later")]
    StorageFull(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Lockdown is on: only incident managers signed in with a second factor may act, and
    /// public forms are paused.
    #[error("this service is locked down while a security incident is handled; try again later")]
    Lockdown,
    /// Something failed that the client cannot fix. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A failure the client cannot fix: 500 — unless a database fault is behind it, which
    /// answers 503 (unavailable) or 507 (disk full) so that clients retry and nothing reads as a
    /// bug that is an outage.
    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        match database_fault(&cause) {
            Some(DatabaseFault::Unavailable) => Self::DatabaseUnavailable(Box::new(cause)),
            Some(DatabaseFault::Full) => Self::StorageFull(Box::new(cause)),
            Some(DatabaseFault::AuditUnavailable) => Self::AuditUnavailable(Box::new(cause)),
            None => Self::Internal(Box::new(cause)),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthenticated | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden
            | Self::CsrfRejected
            | Self::ReauthRequired
            | Self::MfaEnrolmentRequired => StatusCode::FORBIDDEN,
            Self::InvalidCode | Self::PasskeyRejected => StatusCode::UNAUTHORIZED,
            Self::Throttled { .. } | Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::InvalidToken => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unavailable
            | Self::Lockdown
            | Self::DatabaseUnavailable(_)
            | Self::AuditUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::MalformedJson(_) => "malformed_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unprocessable(_) => "invalid_input",
            Self::PayloadTooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::CsrfRejected => "csrf_rejected",
            Self::ReauthRequired => "reauth_required",
            Self::MfaEnrolmentRequired => "mfa_enrolment_required",
            Self::InvalidCode => "invalid_code",
            Self::PasskeyRejected => "passkey_rejected",
            Self::InvalidCredentials | Self::Throttled { .. } => "invalid_credentials",
            Self::InvalidToken => "invalid_token",
            Self::Conflict(_) => "conflict",
            Self::RateLimited { .. } => "rate_limited",
            Self::Busy { .. } => "busy",
            Self::Unavailable => "not_ready",
            Self::DatabaseUnavailable(_) => "unavailable",
            Self::StorageFull(_) => "insufficient_storage",
            Self::AuditUnavailable(_) => "audit_unavailable",
            Self::Lockdown => "lockdown",
            Self::Internal(_) => "internal_error",
        }
    }
}

impl From<rampart_core::sessions::Refused> for ApiError {
    fn from(refused: rampart_core::sessions::Refused) -> Self {
        match refused {
            rampart_core::sessions::Refused::Forbidden => Self::Forbidden,
            rampart_core::sessions::Refused::ReauthRequired => Self::ReauthRequired,
        }
    }
}

impl From<rampart_core::incident::lockdown::LockdownRefusal> for ApiError {
    fn from(refusal: rampart_core::incident::lockdown::LockdownRefusal) -> Self {
        match refusal {
            rampart_core::incident::lockdown::LockdownRefusal::Locked => Self::Lockdown,
            rampart_core::incident::lockdown::LockdownRefusal::Store(error) => error.into(),
        }
    }
}

impl From<rampart_core::incident::IncidentError> for ApiError {
    fn from(error: rampart_core::incident::IncidentError) -> Self {
        use rampart_core::incident::IncidentError;
        use rampart_domain::IncidentRefused;
        match error {
            IncidentError::NotFound | IncidentError::UnknownUser => Self::NotFound,
            IncidentError::Refused(IncidentRefused::Invalid(problem))
            | IncidentError::Invalid(problem) => Self::Unprocessable(problem.into()),
            IncidentError::Refused(refused @ IncidentRefused::Closed) => {
                Self::Conflict(refused.to_string())
            }
            IncidentError::Conflict => Self::Conflict(error.to_string()),
            IncidentError::Store(store) => store.into(),
            IncidentError::Account(account) => account.into(),
            IncidentError::Keys(keys) => Self::internal(keys),
        }
    }
}

impl From<rampart_core::mfa::PasskeyError> for ApiError {
    fn from(error: rampart_core::mfa::PasskeyError) -> Self {
        use rampart_core::mfa::PasskeyError;
        match error {
            PasskeyError::Rejected => Self::PasskeyRejected,
            PasskeyError::AlreadyRegistered => Self::Conflict(error.to_string()),
            PasskeyError::Store(store) => store.into(),
            other => Self::internal(other),
        }
    }
}

impl From<rampart_core::records::ReadError> for ApiError {
    fn from(error: rampart_core::records::ReadError) -> Self {
        match error {
            rampart_core::records::ReadError::NotReached => Self::NotFound,
            rampart_core::records::ReadError::Store(store) => store.into(),
            rampart_core::records::ReadError::Collection(collection) => collection.into(),
            other @ (rampart_core::records::ReadError::Unopenable(_)
            | rampart_core::records::ReadError::Index(_)) => Self::internal(other),
        }
    }
}

impl From<rampart_core::access::role_grants::GrantError> for ApiError {
    fn from(error: rampart_core::access::role_grants::GrantError) -> Self {
        use rampart_core::access::role_grants::GrantError;
        match error {
            GrantError::NotFound => Self::NotFound,
            GrantError::UnknownDepartment(_) => Self::Unprocessable(error.to_string()),
            GrantError::Exceeds => Self::Forbidden,
            GrantError::Refused(why) => Self::Conflict(why.into()),
            GrantError::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::records::definitions::DefinitionError> for ApiError {
    fn from(error: rampart_core::records::definitions::DefinitionError) -> Self {
        use rampart_core::records::definitions::DefinitionError as E;
        match error {
            E::Invalid(problem) => Self::Unprocessable(problem),
            E::NotFound => Self::NotFound,
            E::Forbidden => Self::Forbidden,
            E::Taken | E::Changed => Self::Conflict(error.to_string()),
            E::Refused(why) => Self::Conflict(why.into()),
            E::Records(records) => records.into(),
            E::Read(read) => read.into(),
            E::Collection(collection) => collection.into(),
            E::Store(store) => store.into(),
            E::Row(_) => Self::internal(error),
        }
    }
}

impl From<rampart_core::accounts::administration::AdminError> for ApiError {
    fn from(error: rampart_core::accounts::administration::AdminError) -> Self {
        use rampart_core::accounts::administration::AdminError;
        match error {
            AdminError::NotFound => Self::NotFound,
            AdminError::OwnFactors => Self::Conflict(error.to_string()),
            AdminError::Account(account) => account.into(),
            AdminError::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::accounts::invitations::InvitationError> for ApiError {
    fn from(error: rampart_core::accounts::invitations::InvitationError) -> Self {
        use rampart_core::accounts::invitations::InvitationError as E;
        match error {
            E::Invalid(problem) => Self::Unprocessable(problem),
            E::Rejected(rejected) => Self::Unprocessable(format!("password: {rejected}")),
            E::Grant(grant) => grant.into(),
            E::AccountExists | E::NoLongerValid => Self::Conflict(error.to_string()),
            E::NotFound => Self::NotFound,
            E::InvalidLink => Self::InvalidToken,
            E::Throttled { retry_after_secs } => Self::RateLimited { retry_after_secs },
            E::Lockdown(refusal) => refusal.into(),
            E::Account(account) => account.into(),
            E::Store(store) => store.into(),
            E::UnreadableRow(_) => Self::internal(error),
        }
    }
}

impl From<rampart_core::accounts::erasure::ErasureError> for ApiError {
    fn from(error: rampart_core::accounts::erasure::ErasureError) -> Self {
        use rampart_core::accounts::erasure::ErasureError as E;
        match error {
            E::NotFound => Self::NotFound,
            E::OwnAccount | E::LastOwner => Self::Conflict(error.to_string()),
            E::Exceeds => Self::Forbidden,
            E::Refused(refused) => refused.into(),
            E::Account(account) => account.into(),
        }
    }
}

impl From<rampart_core::access::custom_roles::RoleError> for ApiError {
    fn from(error: rampart_core::access::custom_roles::RoleError) -> Self {
        use rampart_core::access::custom_roles::RoleError;
        match error {
            RoleError::Invalid(problem) => Self::Unprocessable(problem),
            RoleError::Exceeds => Self::Forbidden,
            RoleError::NotFound => Self::NotFound,
            RoleError::Taken(why) | RoleError::Refused(why) => Self::Conflict(why.into()),
            RoleError::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::access::departments::DepartmentError> for ApiError {
    fn from(error: rampart_core::access::departments::DepartmentError) -> Self {
        use rampart_core::access::departments::DepartmentError;
        match error {
            DepartmentError::Invalid(problem) => Self::Unprocessable(problem),
            DepartmentError::NotFound => Self::NotFound,
            DepartmentError::Refused(why) => Self::Conflict(why.into()),
            DepartmentError::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::accounts::AccountError> for ApiError {
    /// Saturated hashing is 503 + Retry-After; a taken address is a conflict; the rest is
    /// internal.
    fn from(error: rampart_core::accounts::AccountError) -> Self {
        use rampart_core::accounts::AccountError;
        match error {
            AccountError::Busy(_) => Self::Busy { retry_after_secs: 1 },
            AccountError::EmailTaken => {
                Self::Conflict("an account with this address exists".into())
            }
            AccountError::LookAlike => Self::Conflict(error.to_string()),
            other => Self::internal(other),
        }
    }
}

/// A new password (reset, change) that could not be set.
impl From<rampart_core::accounts::NewPasswordError> for ApiError {
    fn from(error: rampart_core::accounts::NewPasswordError) -> Self {
        use rampart_core::accounts::NewPasswordError;
        match error {
            NewPasswordError::Rejected(rejected) => {
                Self::Unprocessable(format!("password: {rejected}"))
            }
            NewPasswordError::Account(error) => error.into(),
            NewPasswordError::InvalidLink => Self::InvalidToken,
            NewPasswordError::WrongCurrentPassword => Self::InvalidCredentials,
            NewPasswordError::NoAccount => Self::Unauthenticated,
            NewPasswordError::Refused(refused) => refused.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(problem) => Self::BadRequest(problem.into()),
            other => Self::internal(other),
        }
    }
}

impl ApiError {
    /// A store refusal the client can act on — still in use, the last holder, already taken —
    /// as 409 with `taken` for a duplicate name; anything else stays internal.
    pub fn from_refusal(error: StoreError, taken: &str) -> Self {
        match error {
            StoreError::Conflict(why) => Self::Conflict(why.into()),
            StoreError::Duplicate => Self::Conflict(taken.into()),
            other => other.into(),
        }
    }
}

impl From<rampart_core::sessions::LoginError> for ApiError {
    fn from(error: rampart_core::sessions::LoginError) -> Self {
        use rampart_core::sessions::LoginError;
        match error {
            LoginError::InvalidCredentials => Self::InvalidCredentials,
            LoginError::Throttled { retry_after_secs } => Self::Throttled { retry_after_secs },
            LoginError::SignInEnded => Self::Unauthenticated,
            LoginError::InvalidCode => Self::InvalidCode,
            LoginError::PasskeyRejected => Self::PasskeyRejected,
            LoginError::SecondFactorMissing => Self::Unprocessable(error.to_string()),
            LoginError::Refused(refused) => refused.into(),
            LoginError::Lockdown(refusal) => refusal.into(),
            LoginError::Passkey(passkey) => passkey.into(),
            LoginError::Account(account) => account.into(),
            LoginError::Store(store) => store.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(cause) => {
                tracing::error!(error = %cause, source = ?cause.source(), "request failed");
            }
            Self::DatabaseUnavailable(cause) | Self::StorageFull(cause) => {
                tracing::warn!(error = %cause, source = ?cause.source(), "request refused: the database cannot serve it");
            }
            Self::AuditUnavailable(cause) => {
                tracing::error!(error = %cause, "request refused: the audit trail is broken (rampart audit verify; docs/forensics.md)");
            }
            _ => {}
        }
        let mut response = self.status().into_response();
        let retry_after = match &self {
            Self::Throttled { retry_after_secs }
            | Self::Busy { retry_after_secs }
            | Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            Self::DatabaseUnavailable(_) => Some(DATABASE_RETRY_AFTER_SECS),
            Self::StorageFull(_) | Self::AuditUnavailable(_) => Some(STORAGE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
            .extensions_mut()
            .insert(ErrorBody { code: self.code(), message: self.to_string() });
        response
    }
}

/// The code and message of an error response, before the request id is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
}

impl ErrorBody {
    /// The body for an error response that did not come from an [`ApiError`] (a rejection by the
    /// router, a limit or a timeout layer): a generic message for its status.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
            StatusCode::NOT_FOUND => ("not_found", "nothing here"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "this method is not allowed here; see the Allow header")
            }
            StatusCode::REQUEST_TIMEOUT => ("request_timeout", "the request took too long"),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "the request body is larger than this server accepts")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported_media_type", "the request body must be JSON")
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                ("invalid_input", "the request could not be processed")
            }
            StatusCode::TOO_MANY_REQUESTS => {
                ("too_many_requests", "too many requests; retry later")
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                ("unavailable", "the service is unavailable; retry later")
            }
            StatusCode::INSUFFICIENT_STORAGE => {
                ("insufficient_storage", "the server's storage is full; retry later")
            }
            status if status.is_server_error() => ("internal_error", "internal error"),
            _ => ("error", "the request failed"),
        };
        Self { code, message: message.to_owned() }
    }
}

impl From<rampart_core::records::CollectionError> for ApiError {
    fn from(error: rampart_core::records::CollectionError) -> Self {
        Self::internal(error)
    }
}

impl From<rampart_core::records::write::RecordWriteError> for ApiError {
    /// Misfit fields are 422 naming each field (never its value); a taken unique value, a
    /// dangling reference and a stale version are conflicts the client can resolve.
    fn from(error: rampart_core::records::write::RecordWriteError) -> Self {
        use rampart_core::records::write::RecordWriteError as E;
        match error {
            E::Invalid(problems) => Self::Unprocessable(problems.to_string()),
            E::DanglingReference(_) => Self::Unprocessable(error.to_string()),
            E::NotUnique(_) | E::VersionMismatch => Self::Conflict(error.to_string()),
            E::Crypto(_) | E::Store(_) => Self::internal(error),
        }
    }
}

impl From<rampart_core::records::schema_change::SchemaChangeError> for ApiError {
    fn from(error: rampart_core::records::schema_change::SchemaChangeError) -> Self {
        use rampart_core::records::schema_change::SchemaChangeError as E;
        match error {
            E::RecordDoesNotFit { .. } => Self::Conflict(error.to_string()),
            E::Crypto(_) | E::Store(_) => Self::internal(error),
        }
    }
}

impl From<rampart_core::records::EditError> for ApiError {
    fn from(error: rampart_core::records::EditError) -> Self {
        use rampart_core::records::EditError as E;
        match error {
            E::Forbidden => Self::Forbidden,
            E::Department(problem) => Self::Unprocessable(problem.into()),
            E::Conflict(why) => Self::Conflict(why.into()),
            E::Read(read) => read.into(),
            E::Write(write) => write.into(),
            E::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::mfa::own_factors::FactorError> for ApiError {
    fn from(error: rampart_core::mfa::own_factors::FactorError) -> Self {
        use rampart_core::mfa::own_factors::FactorError as E;
        match error {
            E::Refused(refused) => refused.into(),
            E::NoAccount => Self::Unauthenticated,
            E::AlreadyEnrolled | E::LastRequired | E::NoFactor => Self::Conflict(error.to_string()),
            E::NotFound => Self::NotFound,
            E::InvalidCode => Self::InvalidCode,
            E::BadName => Self::Unprocessable(error.to_string()),
            E::Passkey(passkey) => passkey.into(),
            E::Account(account) => account.into(),
            E::Store(store) => store.into(),
        }
    }
}

impl From<rampart_core::records::forms::FormError> for ApiError {
    fn from(error: rampart_core::records::forms::FormError) -> Self {
        use rampart_core::records::forms::FormError as E;
        match error {
            E::Lockdown => Self::Lockdown,
            E::NotFound => Self::NotFound,
            E::RateLimited { retry_after_secs } => Self::RateLimited { retry_after_secs },
            E::Write(write) => write.into(),
            E::Collection(collection) => collection.into(),
            E::Store(store) => store.into(),
        }
    }
}
