//! The caller of a request, as handlers see it.
//!
//! A handler that needs a signed-in caller takes `Principal` as an argument: without a valid
//! session or API key the request never reaches it (401). Its first statement then decides
//! access: `principal.require(Permission::UsersManage)?`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rampart_domain::{Permission, PermissionSet};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::ApiError;

/// How the session token came with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// The browser sent the cookie by itself: unsafe requests must pass the CSRF checks.
    Cookie,
    /// The client put it in `Authorization`: no ambient authority, no CSRF risk.
    Bearer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session {
        id: Uuid,
        token_hash: [u8; 32],
        /// When the holder last proved their password.
        authenticated_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        presented: Presented,
    },
    ApiKey {
        id: Uuid,
        token_hash: [u8; 32],
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    /// The built-in roles held.
    pub roles: Vec<String>,
    /// What this credential may do now: the roles' permissions, cut down to the key's own list
    /// for an API key.
    pub permissions: PermissionSet,
    pub credential: Credential,
}

impl Principal {
    /// Refuses (403) unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.permissions.contains(permission) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// The session this request came through; API keys have none (403: the route needs a
    /// person signed in, not a key).
    pub fn session_id(&self) -> Result<Uuid, ApiError> {
        match &self.credential {
            Credential::Session { id, .. } => Ok(*id),
            Credential::ApiKey { .. } => Err(ApiError::Forbidden),
        }
    }

    /// Refuses unless the password was checked within `window` before `now` (403
    /// `reauth_required`). API keys never qualify.
    pub fn require_recent_authentication(
        &self,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Session { authenticated_at, .. } if now - *authenticated_at <= window => {
                Ok(())
            }
            Credential::Session { .. } => Err(ApiError::ReauthRequired),
            Credential::ApiKey { .. } => Err(ApiError::Forbidden),
        }
    }

    /// The hash of the credential's token, for the audit trail.
    pub fn token_hash(&self) -> &[u8; 32] {
        match &self.credential {
            Credential::Session { token_hash, .. } | Credential::ApiKey { token_hash, .. } => {
                token_hash
            }
        }
    }

    pub fn presented_by_cookie(&self) -> bool {
        matches!(self.credential, Credential::Session { presented: Presented::Cookie, .. })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Principal>().cloned().ok_or(ApiError::Unauthenticated)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned())
    }
}
