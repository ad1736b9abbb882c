//! A caller's record writes — create, update, move to the bin, restore — each decided against
//! what the caller reaches (`access/records.rs`), run in one unit of work with its audit event,
//! and answered with the record as the caller may see it.
//!
//! Staff (`records:write` in a department the collection is open to) choose the department of a
//! new record among theirs (it may be left out when they have one); a customer's record goes to
//! the collection's default department and is theirs. Setting a sensitive field needs
//! `records:read_sensitive` there, except for a customer (their own data).

use rampart_domain::AuditAction;
use rampart_domain::records::Document;
use uuid::Uuid;

use super::write::{
    NewRecord, RecordWriteError, bin_record, create_record_in, restore_from_bin,
    update_existing_record,
};
use super::{Collection, ReadError, RecordView, present, reach_by_id, reach_collection};
use crate::AppState;
use crate::access::records::{
    RecordAction, Visibility, departments_for_new_record, may_set_sensitive,
};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

/// Why a record write was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Not in a department the caller may write, or a sensitive field they may not set.
    #[error("the caller may not write this here")]
    Forbidden,
    /// A department that is missing, or given where the collection has none.
    #[error("{0}")]
    Department(&'static str),
    /// Changed since the version the caller read, already in the bin, or not in it.
    #[error("{0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Write(#[from] RecordWriteError),
    #[error(transparent)]
    Store(#[from] rampart_store::StoreError),
}

/// Creates a record in collection `name` with `fields`, in `department` (see the module's
/// rules), owned by the caller.
pub async fn create_as(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    department: Option<String>,
    fields: &Document,
) -> Result<RecordView, EditError> {
    let (collection, visibility) =
        reach_collection(state, principal, client, name, RecordAction::Write).await?;
    let department = department_of_new_record(principal, &collection, &visibility, department)?;
    refuse_sensitive_fields(principal, &collection, &visibility, department.as_deref(), fields)?;
    let owner = principal.user_id;
    let new = NewRecord { department, owner_id: Some(owner), created_by: Some(owner) };
    let mut work = UnitOfWork::begin(state).await?;
    let created = create_record_in(&work, &collection, fields, new).await?;
    work.record(
        AuditEvent::success(AuditAction::RecordCreated)
            .by(principal, client)
            .target(format!("record:{}/{}", collection.name, created.id)),
    );
    work.commit().await?;
    shown(state, principal, client, &collection, created).await
}

/// Changes the `fields` sent (`null` clears one) of record `id`, if it is still at `version`.
pub async fn update_as(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (name, id): (&str, Uuid),
    version: i64,
    fields: &Document,
) -> Result<RecordView, EditError> {
    let (collection, visibility, existing) =
        reach_by_id(state, principal, client, (name, id), RecordAction::Write).await?;
    let department = existing.department.clone();
    refuse_sensitive_fields(principal, &collection, &visibility, department.as_deref(), fields)?;
    let mut work = UnitOfWork::begin(state).await?;
    let changed = update_existing_record(&work, &collection, &existing, fields, version).await?;
    let names: Vec<&String> = fields.keys().collect();
    work.record(
        AuditEvent::success(AuditAction::RecordUpdated)
            .by(principal, client)
            .target(format!("record:{}/{id}", collection.name))
            .detail("fields", serde_json::json!(names))
            .detail("version", changed.version),
    );
    work.commit().await?;
    shown(state, principal, client, &collection, changed).await
}

/// Moves record `id` to the bin (restorable for `records.bin_days`), if it is still at
/// `version` when one is given.
pub async fn bin_as(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (name, id): (&str, Uuid),
    version: Option<i64>,
) -> Result<(), EditError> {
    let (collection, _, existing) =
        reach_by_id(state, principal, client, (name, id), RecordAction::Write).await?;
    let stale = version.is_some_and(|version| version != existing.version);
    if stale || existing.deleted_at.is_some() {
        return Err(EditError::Conflict("the record changed or is already in the bin"));
    }
    let mut work = UnitOfWork::begin(state).await?;
    if !bin_record(&work, &collection, id).await? {
        return Err(EditError::Conflict("the record is already in the bin"));
    }
    work.record(
        AuditEvent::success(AuditAction::RecordDeleted)
            .by(principal, client)
            .target(format!("record:{}/{id}", collection.name)),
    );
    work.commit().await?;
    Ok(())
}

/// Brings record `id` back from the bin.
pub async fn restore_as(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    (name, id): (&str, Uuid),
) -> Result<(), EditError> {
    let (collection, _, _) =
        reach_by_id(state, principal, client, (name, id), RecordAction::Write).await?;
    let mut work = UnitOfWork::begin(state).await?;
    if !restore_from_bin(&work, &collection, id).await? {
        return Err(EditError::Conflict("the record is not in the bin"));
    }
    work.record(
        AuditEvent::success(AuditAction::RecordRestored)
            .by(principal, client)
            .target(format!("record:{}/{id}", collection.name)),
    );
    work.commit().await?;
    Ok(())
}

/// The record as the caller may see it.
async fn shown(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    record: rampart_store::records::RecordRow,
) -> Result<RecordView, EditError> {
    let mut views = present(state, principal, client, collection, &[record]).await?;
    Ok(views.pop().ok_or(ReadError::NotReached)?)
}

/// Where a new record goes, or why it may not go there.
fn department_of_new_record(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
    asked: Option<String>,
) -> Result<Option<String>, EditError> {
    if !collection.department_scoped {
        return match asked {
            None => Ok(None),
            Some(_) => Err(EditError::Department(
                "department: this collection is not scoped by department",
            )),
        };
    }
    if matches!(visibility, Visibility::Owner(_)) {
        return match asked {
            None => Ok(collection.default_department.clone()),
            Some(_) => Err(EditError::Forbidden),
        };
    }
    let allowed = departments_for_new_record(principal, collection);
    let chosen = match (asked, &allowed) {
        (Some(asked), _) => asked,
        (None, Some(mine)) if mine.len() == 1 => mine.iter().next().cloned().unwrap_or_default(),
        (None, _) => {
            return Err(EditError::Department(
                "department: say which department the record belongs to",
            ));
        }
    };
    let permitted =
        collection.open_to(&chosen) && allowed.as_ref().is_none_or(|mine| mine.contains(&chosen));
    if !permitted {
        return Err(EditError::Forbidden);
    }
    Ok(Some(chosen))
}

/// Refuses a sensitive field the caller may not set.
fn refuse_sensitive_fields(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
    department: Option<&str>,
    fields: &Document,
) -> Result<(), EditError> {
    if may_set_sensitive(principal, collection, visibility, department) {
        return Ok(());
    }
    let sets_sensitive = collection
        .schema
        .fields()
        .iter()
        .any(|f| f.sensitive && fields.contains_key(f.name.as_str()));
    if sets_sensitive { Err(EditError::Forbidden) } else { Ok(()) }
}
