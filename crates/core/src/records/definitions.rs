//! Collections defined at run time: listed and read as a caller reaches them, created, changed
//! (every existing record must fit the new definition, or nothing changes) and deleted (only
//! when it holds no record, not even in the bin). Each change is one unit of work with its
//! `collection_changed` event.
//!
//! A definition is checked before it is stored: a schema that parses, departments that exist, a
//! default department where records arrive without one, references to collections that exist.

use rampart_domain::records::{CollectionName, CollectionSchema, FieldDef, FieldKind};
use rampart_domain::{AuditAction, Permission};
use rampart_store::StoreError;
use rampart_store::collections::{
    delete_collection as delete_row, find_collection, insert_collection, list_collections,
    update_collection,
};
use rampart_store::departments::existing_departments;

use super::schema_change::{SchemaChangeError, apply_to_records};
use super::{Collection, CollectionError, ReadError, load_collection, reach_collection};
use crate::AppState;
use crate::access::records::{RecordAction, visibility};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

/// A definition as given (the name comes apart: a new collection's, or the one changed).
#[derive(Debug, Clone)]
pub struct Definition {
    pub title: String,
    pub fields: Vec<FieldDef>,
    pub department_scoped: bool,
    pub departments: Vec<String>,
    pub default_department: Option<String>,
    pub public_create: bool,
    pub customer_access: bool,
}

/// Why a definition was not stored, read or deleted.
#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    /// Not acceptable; the message says why (422 at the HTTP edge).
    #[error("{0}")]
    Invalid(String),
    #[error("no such collection")]
    NotFound,
    /// The caller does not hold `collections:manage`.
    #[error("the caller may not define collections")]
    Forbidden,
    #[error("a collection with this name exists")]
    Taken,
    #[error("the definition changed meanwhile; read it again")]
    Changed,
    /// Refused by the store: it still holds records.
    #[error("{0}")]
    Refused(&'static str),
    /// An existing record does not fit the new definition (or could not be rewritten).
    #[error(transparent)]
    Records(#[from] SchemaChangeError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error("a definition could not be stored")]
    Row(#[source] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The collections `principal` reaches (every one for a holder of `collections:manage`).
pub async fn visible_collections(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<Collection>, DefinitionError> {
    let manager = principal.permissions.contains(Permission::CollectionsManage);
    let mut visible = Vec::new();
    for row in list_collections(&state.db).await? {
        let collection = Collection::from_row(row)?;
        if manager || visibility(principal, &collection, RecordAction::Read).is_some() {
            visible.push(collection);
        }
    }
    Ok(visible)
}

/// Collection `name`, if `principal` reaches it (a refusal is audited as for its records).
pub async fn collection_for(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
) -> Result<Collection, DefinitionError> {
    if principal.permissions.contains(Permission::CollectionsManage) {
        return load_collection(&state.db, name).await?.ok_or(DefinitionError::NotFound);
    }
    let (collection, _) =
        reach_collection(state, principal, client, name, RecordAction::Read).await?;
    Ok(collection)
}

/// Defines collection `name`.
pub async fn create_collection(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    definition: Definition,
) -> Result<Collection, DefinitionError> {
    may_manage(principal)?;
    let collection = checked(state, name, definition).await?;
    let row = collection.to_row().map_err(DefinitionError::Row)?;
    let mut work = UnitOfWork::begin(state).await?;
    insert_collection(work.db(), &row).await.map_err(|error| match error {
        StoreError::Duplicate => DefinitionError::Taken,
        other => DefinitionError::Store(other),
    })?;
    work.record(change_event(principal, client, &collection, "created"));
    work.commit().await?;
    Ok(collection)
}

/// Replaces the definition of `name`, rewriting its records under it: every existing record
/// must fit, or nothing changes.
pub async fn change_collection(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    definition: Definition,
) -> Result<Collection, DefinitionError> {
    may_manage(principal)?;
    let current = load_collection(&state.db, name).await?.ok_or(DefinitionError::NotFound)?;
    let mut changed = checked(state, name, definition).await?;
    changed.version = current.version + 1;
    changed.created_at = current.created_at;
    // In batches before the definition's unit: one transaction over a million records would
    // hold SQLite's write lock, and stall every other writer, for the whole rewrite.
    let rewritten = apply_to_records(state, &changed).await?;
    let row = changed.to_row().map_err(DefinitionError::Row)?;
    let mut work = UnitOfWork::begin(state).await?;
    if !update_collection(work.db(), &row, current.version).await? {
        return Err(DefinitionError::Changed);
    }
    work.record(
        change_event(principal, client, &changed, "changed").detail("records_rewritten", rewritten),
    );
    work.commit().await?;
    Ok(changed)
}

/// Deletes collection `name`, which must hold no record, not even in the bin.
pub async fn delete_collection(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
) -> Result<(), DefinitionError> {
    may_manage(principal)?;
    let collection = load_collection(&state.db, name).await?.ok_or(DefinitionError::NotFound)?;
    let mut work = UnitOfWork::begin(state).await?;
    let deleted = delete_row(work.db(), name).await.map_err(|error| match error {
        StoreError::Conflict(why) => DefinitionError::Refused(why),
        other => DefinitionError::Store(other),
    })?;
    if !deleted {
        return Err(DefinitionError::NotFound);
    }
    work.record(change_event(principal, client, &collection, "deleted"));
    work.commit().await?;
    Ok(())
}

/// The route declares `collections:manage`; checked again here, where the change is made.
fn may_manage(principal: &Principal) -> Result<(), DefinitionError> {
    principal.require(Permission::CollectionsManage).map_err(|_| DefinitionError::Forbidden)
}

fn change_event(
    principal: &Principal,
    client: &ClientContext,
    collection: &Collection,
    change: &str,
) -> AuditEvent {
    AuditEvent::success(AuditAction::CollectionChanged)
        .by(principal, client)
        .target(format!("collection:{}", collection.name))
        .detail("change", change)
        .detail("version", collection.version)
}

fn invalid(message: String) -> DefinitionError {
    DefinitionError::Invalid(message)
}

/// `definition` checked, as collection `name` (version and times: the caller's to set).
async fn checked(
    state: &AppState,
    name: &str,
    definition: Definition,
) -> Result<Collection, DefinitionError> {
    let name =
        CollectionName::parse(name).map_err(|problem| invalid(format!("name: {problem}")))?;
    let title = rampart_domain::title::checked_title(&definition.title)
        .ok_or_else(|| invalid(rampart_domain::title::TITLE_RULE.into()))?;
    let schema = CollectionSchema::parse(definition.fields)
        .map_err(|problem| invalid(problem.to_string()))?;
    let mut named = definition.departments.clone();
    named.extend(definition.default_department.clone());
    let existing = existing_departments(&state.db, &named).await?;
    if let Some(missing) = named.iter().find(|d| !existing.contains(d)) {
        return Err(invalid(format!("departments: {missing:?} is not a department")));
    }
    if let Some(default) = &definition.default_department
        && !definition.departments.is_empty()
        && !definition.departments.contains(default)
    {
        return Err(invalid("default_department: must be one of departments".into()));
    }
    if definition.department_scoped
        && (definition.public_create || definition.customer_access)
        && definition.default_department.is_none()
    {
        return Err(invalid(
            "default_department: a department-scoped collection that takes public or customer records needs one".into(),
        ));
    }
    for field in schema.fields() {
        if let FieldKind::Reference { collection: target } = &field.kind
            && target.as_str() != name.as_str()
            && find_collection(&state.db, target.as_str()).await?.is_none()
        {
            return Err(invalid(format!(
                "{}: references {}, which is not a collection",
                field.name, target
            )));
        }
    }
    let now = state.clock.now();
    Ok(Collection {
        name,
        title,
        schema,
        department_scoped: definition.department_scoped,
        departments: definition.departments,
        default_department: definition.default_department,
        public_create: definition.public_create,
        customer_access: definition.customer_access,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}
