//! What a caller sees of records: sensitive fields opened only for a holder of
//! `records:read_sensitive` where the record is; each response that shows sensitive fields is
//! one `sensitive_read` audit event naming the records (the forensics of "who read what"), and
//! feeds the mass-reading alert. A sealed part that does not open fails the request (closed)
//! and is audited as `crypt_decrypt_fail`.

use rampart_domain::AuditAction;
use rampart_store::records::RecordRow;

use super::ReadError;
use super::seal::open_sensitive;
use super::{Collection, RecordView, reach_by_id};
use crate::AppState;
use crate::access::records::{RecordAction, sees_sensitive};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::record;

/// One record the caller reaches (live or in the bin), as they may see it.
pub async fn read_as(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (name, id): (&str, uuid::Uuid),
) -> Result<RecordView, ReadError> {
    let (collection, _, found) =
        reach_by_id(state, principal, client, (name, id), RecordAction::Read).await?;
    present(state, principal, client, &collection, &[found])
        .await?
        .pop()
        .ok_or(ReadError::NotReached)
}

/// The views of `records` for `principal`, with the `sensitive_read` event when any sensitive
/// field is shown.
pub async fn present(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    records: &[RecordRow],
) -> Result<Vec<RecordView>, ReadError> {
    let keyring = state.keyring.current();
    let mut views = Vec::with_capacity(records.len());
    let mut read_sensitive = Vec::new();
    for found in records {
        let sensitive = if found.sealed.is_some()
            && sees_sensitive(principal, collection, found.department.as_deref())
        {
            match open_sensitive(&keyring, &found.collection, found.id, found.sealed.as_deref()) {
                Ok(opened) => {
                    read_sensitive.push(found.id.to_string());
                    Some(opened)
                }
                Err(_) => {
                    record(
                        state,
                        AuditEvent::failure(AuditAction::CryptDecryptFail)
                            .by(principal, client)
                            .target(format!("record:{}/{}", found.collection, found.id)),
                    )
                    .await?;
                    return Err(ReadError::Unopenable(rampart_crypto::CryptoError::Malformed));
                }
            }
        } else {
            None
        };
        views.push(RecordView::of(found, sensitive));
    }
    if !read_sensitive.is_empty() {
        record(
            state,
            AuditEvent::success(AuditAction::SensitiveRead)
                .by(principal, client)
                .target(format!("collection:{}", collection.name))
                .detail("count", read_sensitive.len())
                .detail("records", read_sensitive),
        )
        .await?;
    }
    Ok(views)
}
