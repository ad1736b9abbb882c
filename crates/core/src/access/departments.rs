//! The departments grants and records are scoped to: listed, created (a slug name and a display
//! title), retitled (the name never changes), and deleted when no grant and no record refers to
//! them. Each change is one unit of work with its `department_changed` event. (`roles:manage`
//! is the route's to check first.)

use rampart_domain::AuditAction;
use rampart_domain::records::DepartmentName;
use rampart_domain::title::{TITLE_RULE, checked_title};
use rampart_store::StoreError;
pub use rampart_store::departments::DepartmentRow;
use rampart_store::departments::{
    delete_department as delete_row, insert_department, list_departments, update_department_title,
};

use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

#[derive(Debug, thiserror::Error)]
pub enum DepartmentError {
    /// Not acceptable; the message says why (422 at the HTTP edge).
    #[error("{0}")]
    Invalid(String),
    #[error("no such department")]
    NotFound,
    /// The name is taken, or grants or records still refer to the department.
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn all_departments(state: &AppState) -> Result<Vec<DepartmentRow>, DepartmentError> {
    Ok(list_departments(&state.db).await?)
}

pub async fn create_department(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    title: &str,
) -> Result<DepartmentRow, DepartmentError> {
    let name = DepartmentName::parse(name)
        .map_err(|problem| DepartmentError::Invalid(format!("name: {problem}")))?;
    let row = DepartmentRow {
        name: name.as_str().to_owned(),
        title: title_of(title)?,
        created_at: state.clock.now(),
    };
    let mut work = UnitOfWork::begin(state).await?;
    insert_department(work.db(), &row).await.map_err(|error| match error {
        StoreError::Duplicate => DepartmentError::Refused("a department with this name exists"),
        StoreError::Conflict(why) => DepartmentError::Refused(why),
        other => DepartmentError::Store(other),
    })?;
    work.record(change_event(principal, client, &row.name, "created"));
    work.commit().await?;
    Ok(row)
}

pub async fn retitle_department(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    title: &str,
) -> Result<(), DepartmentError> {
    let title = title_of(title)?;
    let mut work = UnitOfWork::begin(state).await?;
    if !update_department_title(work.db(), name, &title).await? {
        return Err(DepartmentError::NotFound);
    }
    work.record(change_event(principal, client, name, "renamed"));
    work.commit().await?;
    Ok(())
}

pub async fn delete_department(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    name: &str,
) -> Result<(), DepartmentError> {
    let mut work = UnitOfWork::begin(state).await?;
    let deleted = delete_row(work.db(), name).await.map_err(|error| match error {
        StoreError::Conflict(why) => DepartmentError::Refused(why),
        other => DepartmentError::Store(other),
    })?;
    if !deleted {
        return Err(DepartmentError::NotFound);
    }
    work.record(change_event(principal, client, name, "deleted"));
    work.commit().await?;
    Ok(())
}

fn title_of(title: &str) -> Result<String, DepartmentError> {
    checked_title(title).ok_or_else(|| DepartmentError::Invalid(TITLE_RULE.into()))
}

fn change_event(
    principal: &Principal,
    client: &ClientContext,
    name: &str,
    change: &str,
) -> AuditEvent {
    AuditEvent::success(AuditAction::DepartmentChanged)
        .by(principal, client)
        .target(format!("department:{name}"))
        .detail("change", change)
}
