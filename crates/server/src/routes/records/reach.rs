//! The object level on the HTTP side: a collection or record the caller does not reach answers
//! 404 — the same as one that does not exist — and the refusal is audited as `authz_fail`.

use rampart_domain::AuditAction;
use rampart_store::records::{RecordRow, Visibility, find_record};
use uuid::Uuid;

use crate::access::records::{RecordAction, reaches, visibility};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::records::{Collection, load_collection};
use crate::sessions::Principal;
use crate::unit_of_work::record;
use crate::{ApiError, AppState};

/// Records the refusal and answers 404.
pub(crate) async fn refuse(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    target: String,
    action: RecordAction,
) -> ApiError {
    let event = AuditEvent::failure(AuditAction::AuthzFail)
        .by(principal, client)
        .target(target)
        .detail("reason", "not_reachable")
        .detail("action", if action == RecordAction::Read { "read" } else { "write" });
    match record(state, event).await {
        Ok(()) => ApiError::NotFound,
        Err(error) => error.into(),
    }
}

/// The collection, and which of its records the caller reaches for `action`.
pub(crate) async fn reach_collection(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    action: RecordAction,
) -> Result<(Collection, Visibility), ApiError> {
    let Some(collection) = load_collection(&state.db, name).await? else {
        return Err(ApiError::NotFound);
    };
    match visibility(principal, &collection, action) {
        Some(visibility) => Ok((collection, visibility)),
        None => Err(refuse(state, principal, client, format!("collection:{name}"), action).await),
    }
}

/// A record of `collection` the caller reaches (live or in the bin).
pub(crate) async fn reach_record(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    visibility: &Visibility,
    id: Uuid,
    action: RecordAction,
) -> Result<RecordRow, ApiError> {
    let Some(found) = find_record(&state.db, collection.name.as_str(), id).await? else {
        return Err(ApiError::NotFound);
    };
    if !reaches(visibility, &found) {
        let target = format!("record:{}/{id}", collection.name);
        return Err(refuse(state, principal, client, target, action).await);
    }
    Ok(found)
}
