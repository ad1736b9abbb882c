//! The object level: a collection or record the caller does not reach is, to them, one that does
//! not exist ([`ReadError::NotReached`], 404 at the HTTP edge), and the refusal is audited as
//! `authz_fail`. Which records a caller reaches is decided in `access/records.rs`.

use rampart_domain::AuditAction;
use rampart_store::records::{RecordRow, Visibility, find_record};
use uuid::Uuid;

use super::ReadError;
use super::{Collection, load_collection};
use crate::AppState;
use crate::access::records::{RecordAction, reaches, visibility};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::record;

/// Records the refusal; the caller is told the thing does not exist.
async fn refuse(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    target: String,
    action: RecordAction,
) -> ReadError {
    let event = AuditEvent::failure(AuditAction::AuthzFail)
        .by(principal, client)
        .target(target)
        .detail("reason", "not_reachable")
        .detail("action", if action == RecordAction::Read { "read" } else { "write" });
    match record(state, event).await {
        Ok(()) => ReadError::NotReached,
        Err(error) => error.into(),
    }
}

/// The collection, and which of its records the caller reaches for `action`.
pub async fn reach_collection(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    action: RecordAction,
) -> Result<(Collection, Visibility), ReadError> {
    let Some(collection) = load_collection(&state.db, name).await? else {
        return Err(ReadError::NotReached);
    };
    match visibility(principal, &collection, action) {
        Some(visibility) => Ok((collection, visibility)),
        None => Err(refuse(state, principal, client, format!("collection:{name}"), action).await),
    }
}

/// A record of `collection` the caller reaches (live or in the bin).
pub async fn reach_record(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    visibility: &Visibility,
    id: Uuid,
    action: RecordAction,
) -> Result<RecordRow, ReadError> {
    let Some(found) = find_record(&state.db, collection.name.as_str(), id).await? else {
        return Err(ReadError::NotReached);
    };
    if !reaches(visibility, &found) {
        let target = format!("record:{}/{id}", collection.name);
        return Err(refuse(state, principal, client, target, action).await);
    }
    Ok(found)
}

/// Record `id` of collection `name`, reached by the caller for `action`, with its collection and
/// what the caller reaches of it. A refusal names the record probed, whether the caller lacks
/// the collection altogether or only this record.
pub async fn reach_by_id(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (name, id): (&str, Uuid),
    action: RecordAction,
) -> Result<(Collection, Visibility, RecordRow), ReadError> {
    let Some(collection) = load_collection(&state.db, name).await? else {
        return Err(ReadError::NotReached);
    };
    let Some(visibility) = visibility(principal, &collection, action) else {
        let target = format!("record:{name}/{id}");
        return Err(refuse(state, principal, client, target, action).await);
    };
    let found =
        reach_record(state, principal, client, &collection, &visibility, id, action).await?;
    Ok((collection, visibility, found))
}
