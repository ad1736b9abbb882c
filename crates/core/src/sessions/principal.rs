//! The caller of an action, as use cases see it: who, with which roles and grants, through
//! which credential. A use case decides access with its first statement:
//! `principal.require(Permission::UsersManage)?`.
//!
//! A caller whose roles require a second factor and who has none yet owes an enrolment
//! (`owes_enrolment`): the HTTP crate lets them reach only the enrolment routes. A sign-in still
//! waiting for its second factor is no principal at all: it is a [`PendingSignIn`].

use rampart_domain::{Assurance, Grants, Permission, PermissionSet};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

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
        /// When the holder last proved who they are (sign-in or re-authentication).
        authenticated_at: OffsetDateTime,
        /// How they proved it then.
        assurance: Assurance,
        expires_at: OffsetDateTime,
        presented: Presented,
    },
    ApiKey {
        id: Uuid,
        token_hash: [u8; 32],
        /// The key's own list: it bounds even what comes from a role rather than a
        /// permission (a customer's own records).
        allowed: PermissionSet,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    /// The roles held (built-in or custom).
    pub roles: Vec<rampart_domain::Role>,
    /// What this credential may do somewhere: the roles' permissions, cut down to the key's own
    /// list for an API key.
    pub permissions: PermissionSet,
    /// The same, with where: each role's permissions and departments (the object level).
    pub grants: Grants,
    pub credential: Credential,
    /// The roles require a second factor and the account has none: only enrolment is open.
    pub owes_enrolment: bool,
}

/// Why a principal may not do what it asked; the HTTP edge answers 403 with `forbidden` or
/// `reauth_required`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Not held: the permission, or a person's session where an API key came.
    #[error("the caller may not do this")]
    Forbidden,
    /// Held, but the sign-in is too old for a sensitive change: step up first.
    #[error("re-authenticate first")]
    ReauthRequired,
}

impl Principal {
    /// Refuses unless the caller holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), Refused> {
        if self.permissions.contains(permission) { Ok(()) } else { Err(Refused::Forbidden) }
    }

    /// The session this request came through; API keys have none (the route needs a person
    /// signed in, not a key).
    pub fn session_id(&self) -> Result<Uuid, Refused> {
        match &self.credential {
            Credential::Session { id, .. } => Ok(*id),
            Credential::ApiKey { .. } => Err(Refused::Forbidden),
        }
    }

    /// Refuses unless the holder re-authenticated within `window` before `now`
    /// ([`Refused::ReauthRequired`]): with password and second factor when the account has one
    /// (sign-in and `POST /api/auth/reauth` demand both then). API keys never qualify.
    pub fn require_recent_authentication(
        &self,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<(), Refused> {
        match &self.credential {
            Credential::Session { authenticated_at, .. } if now - *authenticated_at <= window => {
                Ok(())
            }
            Credential::Session { .. } => Err(Refused::ReauthRequired),
            Credential::ApiKey { .. } => Err(Refused::Forbidden),
        }
    }

    /// [`Self::require_recent_authentication`] within `sessions.reauth_window_secs` of now: the
    /// step-up ("sudo") that sensitive changes demand.
    pub fn require_step_up(&self, state: &crate::AppState) -> Result<(), Refused> {
        self.require_recent_authentication(
            state.clock.now(),
            state.settings.sessions.reauth_window(),
        )
    }

    /// Whether the credential itself allows `permission`: a session always (its holder's grants
    /// decide), an API key only when its own list names it. Access that comes from a role, not
    /// a permission (a customer's own records), asks this too, so a key never does more than
    /// its list says.
    pub fn credential_allows(&self, permission: Permission) -> bool {
        match &self.credential {
            Credential::Session { .. } => true,
            Credential::ApiKey { allowed, .. } => allowed.contains(permission),
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

    /// How the session's holder proved who they are; API keys have no such proof.
    pub fn assurance(&self) -> Option<Assurance> {
        match &self.credential {
            Credential::Session { assurance, .. } => Some(*assurance),
            Credential::ApiKey { .. } => None,
        }
    }
}

/// A sign-in whose password was right and whose second factor is still owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: [u8; 32],
    pub presented: Presented,
}
