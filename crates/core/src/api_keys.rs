//! API keys: long-lived credentials a user makes for a script or another service.
//!
//! A key is shown once (`rk_` + 256 random bits in hex), stored as its SHA-256, and carries its
//! own permission list, an expiry and optionally the networks it may be used from. What a key may
//! do is always its list cut down to what its creator holds *now*: a user who loses a role takes
//! that power away from their keys at once, and a disabled user's keys stop working.

use std::net::IpAddr;

use ipnet::IpNet;
use rampart_crypto::{NewToken, token_hash};
use rampart_domain::{AuditAction, Permission, PermissionSet};
use rampart_store::StoreError;
use rampart_store::api_keys::{
    ApiKeyRow, find_api_key_by_token_hash, insert_api_key, list_api_keys_of_user,
    record_api_key_use, revoke_api_key,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::AppState;
use crate::accounts::active_user_grants;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::{Credential, Principal};
use crate::unit_of_work::UnitOfWork;

pub const API_KEY_PREFIX: &str = "rk_";
const API_KEY_BYTES: usize = 32;
/// `last_used_at` is written at most this often per key.
const USE_RECORD_INTERVAL: Duration = Duration::minutes(1);

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyRequestError {
    #[error("unknown permission {0:?}")]
    UnknownPermission(String),
    #[error("a key cannot hold {0}: you do not hold it yourself")]
    MorePowerThanCreator(Permission),
    #[error("{0:?} is not a network in CIDR notation such as 203.0.113.0/24")]
    BadNetwork(String),
    #[error("expires_at must be in the future and at most a year away")]
    BadExpiry,
    #[error("name must be 1 to 100 printable characters")]
    BadName,
}

/// A key as its creator sees it (never the secret, except once at creation).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    /// `resource:action` names.
    pub permissions: Vec<String>,
    /// Networks the key may be used from (CIDR); empty: any.
    pub allowed_cidrs: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked: bool,
}

impl From<&ApiKeyRow> for ApiKeyView {
    fn from(row: &ApiKeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            permissions: split_list(&row.permissions).map(str::to_owned).collect(),
            allowed_cidrs: split_list(&row.allowed_cidrs).map(str::to_owned).collect(),
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked: row.revoked_at.is_some(),
        }
    }
}

/// Makes a key for `creator` after checking that it asks for no more than the creator holds,
/// with its `apikey_created` event, in one unit of work. The token is shown once, by the caller.
pub async fn create_api_key(
    state: &AppState,
    creator: &Principal,
    client: &ClientContext,
    name: &str,
    permissions: &[String],
    allowed_cidrs: &[String],
    expires_at: OffsetDateTime,
) -> Result<Result<(NewToken, ApiKeyRow), ApiKeyRequestError>, StoreError> {
    let now = state.clock.now();
    let request = (|| {
        let name = name.trim();
        // A label shown in lists and the audit trail: one line, no terminal escapes.
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ApiKeyRequestError::BadName);
        }
        let mut granted = PermissionSet::default();
        for text in permissions {
            let permission = Permission::parse(text)
                .ok_or_else(|| ApiKeyRequestError::UnknownPermission(text.clone()))?;
            if !creator.permissions.contains(permission) {
                return Err(ApiKeyRequestError::MorePowerThanCreator(permission));
            }
            granted.extend([permission]);
        }
        for cidr in allowed_cidrs {
            cidr.parse::<IpNet>().map_err(|_| ApiKeyRequestError::BadNetwork(cidr.clone()))?;
        }
        if expires_at <= now || expires_at > now + Duration::days(366) {
            return Err(ApiKeyRequestError::BadExpiry);
        }
        Ok((name.to_owned(), granted))
    })();
    let (name, granted) = match request {
        Ok(valid) => valid,
        Err(problem) => return Ok(Err(problem)),
    };
    let token = NewToken::generate(state.random.as_ref(), API_KEY_PREFIX, API_KEY_BYTES)
        .map_err(|_| StoreError::Conflict("no randomness for an API key"))?;
    let row = ApiKeyRow {
        id: Uuid::new_v4(),
        user_id: creator.user_id,
        name,
        token_hash: token.hash().to_vec(),
        permissions: granted.iter().map(Permission::as_str).collect::<Vec<_>>().join(" "),
        allowed_cidrs: allowed_cidrs.join(" "),
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    let mut work = UnitOfWork::begin(state).await?;
    insert_api_key(work.db(), &row).await?;
    work.record(
        AuditEvent::success(AuditAction::ApikeyCreated)
            .by(creator, client)
            .target(format!("api_key:{}", row.id))
            .detail("permissions", row.permissions.clone()),
    );
    work.commit().await?;
    Ok(Ok((token, row)))
}

/// `user_id`'s keys, revoked and expired ones included.
pub async fn api_keys_of(state: &AppState, user_id: Uuid) -> Result<Vec<ApiKeyRow>, StoreError> {
    list_api_keys_of_user(&state.db, user_id).await
}

/// Revokes one of the caller's own keys (at once on every instance), with `apikey_revoked`;
/// `false` when it is not one of theirs, or was revoked already.
pub async fn revoke_own_api_key(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    id: Uuid,
) -> Result<bool, StoreError> {
    let now = state.clock.now();
    let mut work = UnitOfWork::begin(state).await?;
    if !revoke_api_key(work.db(), id, Some(principal.user_id), now).await? {
        return Ok(false);
    }
    work.record(
        AuditEvent::success(AuditAction::ApikeyRevoked)
            .by(principal, client)
            .target(format!("api_key:{id}")),
    );
    work.commit().await?;
    Ok(true)
}

/// The principal of a presented API key, or `None` when it is unknown, revoked, expired, used
/// from a network it does not allow, or its creator is no longer active.
pub(crate) async fn resolve_api_key(
    state: &AppState,
    token: &str,
    client: &ClientContext,
) -> Result<Option<Principal>, StoreError> {
    let hash = token_hash(token);
    let Some(key) = find_api_key_by_token_hash(&state.db, &hash).await? else {
        return Ok(None);
    };
    let now = state.clock.now();
    if key.revoked_at.is_some()
        || now >= key.expires_at
        || !networks_allow(&key.allowed_cidrs, client.ip)
    {
        return Ok(None);
    }
    let Some(held) = active_user_grants(state, key.user_id).await? else {
        return Ok(None);
    };
    let own: PermissionSet = split_list(&key.permissions).filter_map(Permission::parse).collect();
    if key.last_used_at.is_none_or(|last| now - last >= USE_RECORD_INTERVAL) {
        record_api_key_use(&state.db, key.id, now).await?;
    }
    // A key of someone who now owes a second factor (role granted, factors reset) waits too.
    let roles = held.roles();
    let owes_enrolment = crate::mfa::owes_enrolment(state, key.user_id, &roles).await?;
    let grants = held.restricted_to(&own);
    Ok(Some(Principal {
        user_id: key.user_id,
        roles,
        permissions: grants.permissions(),
        grants,
        credential: Credential::ApiKey { id: key.id, token_hash: hash, allowed: own },
        owes_enrolment,
    }))
}

/// Whether `ip` is in one of a key's networks (`allowed_cidrs`, space-separated; none: any).
pub(crate) fn networks_allow(allowed_cidrs: &str, ip: IpAddr) -> bool {
    let mut networks = split_list(allowed_cidrs).peekable();
    if networks.peek().is_none() {
        return true;
    }
    let ip = ip.to_canonical();
    networks.filter_map(|cidr| cidr.parse::<IpNet>().ok()).any(|network| network.contains(&ip))
}

fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(' ').filter(|item| !item.is_empty())
}
