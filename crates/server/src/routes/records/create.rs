//! `POST /api/collections/{name}/records` with `{"department": …, "fields": {…}}`.
//!
//! Staff (`records:write` in a department the collection is open to) choose the department
//! among theirs (it may be left out when they have one); a customer's record goes to the
//! collection's default department and is theirs. Setting a sensitive field needs
//! `records:read_sensitive` there, except for a customer (their own data).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rampart_domain::AuditAction;
use rampart_domain::records::Document;
use rampart_store::records::Visibility;
use serde::Deserialize;
use utoipa::ToSchema;

use super::NOT_REACHED;
use super::read::with_etag;
use crate::access::records::{RecordAction, departments_for_new_record, may_set_sensitive};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::records::Collection;
use crate::records::present;
use crate::records::reach_collection;
use crate::records::write::{NewRecord, create_record_in as create};
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, UNAUTHENTICATED};
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewRecordRequest {
    /// Department-scoped collections: where the record goes (one of the caller's).
    #[serde(default)]
    department: Option<String>,
    #[schema(value_type = Object)]
    fields: Document,
}

/// Where a new record goes, or why it may not go there (403).
fn department_of_new_record(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
    asked: Option<String>,
) -> Result<Option<String>, ApiError> {
    if !collection.department_scoped {
        return match asked {
            None => Ok(None),
            Some(_) => Err(ApiError::Unprocessable(
                "department: this collection is not scoped by department".into(),
            )),
        };
    }
    if matches!(visibility, Visibility::Owner(_)) {
        return match asked {
            None => Ok(collection.default_department.clone()),
            Some(_) => Err(ApiError::Forbidden),
        };
    }
    let allowed = departments_for_new_record(principal, collection);
    let chosen = match (asked, &allowed) {
        (Some(asked), _) => asked,
        (None, Some(mine)) if mine.len() == 1 => mine.iter().next().cloned().unwrap_or_default(),
        (None, _) => {
            return Err(ApiError::Unprocessable(
                "department: say which department the record belongs to".into(),
            ));
        }
    };
    let permitted =
        collection.open_to(&chosen) && allowed.as_ref().is_none_or(|mine| mine.contains(&chosen));
    if !permitted {
        return Err(ApiError::Forbidden);
    }
    Ok(Some(chosen))
}

/// Refuses (403, naming the field) a sensitive field the caller may not set.
pub(super) fn refuse_sensitive_fields(
    principal: &Principal,
    collection: &Collection,
    visibility: &Visibility,
    department: Option<&str>,
    fields: &Document,
) -> Result<(), ApiError> {
    if may_set_sensitive(principal, collection, visibility, department) {
        return Ok(());
    }
    match collection
        .schema
        .fields()
        .iter()
        .find(|f| f.sensitive && fields.contains_key(f.name.as_str()))
    {
        Some(_) => Err(ApiError::Forbidden),
        None => Ok(()),
    }
}

/// Creates a record.
#[utoipa::path(post, path = "/api/collections/{name}/records", request_body = NewRecordRequest,
    params(("name" = String, Path, description = "the collection")),
    responses(
        (status = 201, description = "the new record; `ETag` holds its version", body = crate::records::RecordView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: not in that department, or a sensitive field the caller may not set", body = ErrorResponse),
        (status = 404, description = NOT_REACHED, body = ErrorResponse),
        (status = 409, description = "`conflict`: a unique field's value is taken", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: fields that do not fit the collection (each named)", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn create_record(
    State(state): State<AppState>,
    principal: Principal,
    client: ClientContext,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<NewRecordRequest>,
) -> Result<Response, ApiError> {
    let (collection, visibility) =
        reach_collection(&state, &principal, &client, &name, RecordAction::Write).await?;
    let department =
        department_of_new_record(&principal, &collection, &visibility, body.department)?;
    refuse_sensitive_fields(
        &principal,
        &collection,
        &visibility,
        department.as_deref(),
        &body.fields,
    )?;
    let owner = principal.user_id;
    let new = NewRecord { department, owner_id: Some(owner), created_by: Some(owner) };
    let mut work = UnitOfWork::begin(&state).await?;
    let created = create(&work, &collection, &body.fields, new).await?;
    work.record(
        AuditEvent::success(AuditAction::RecordCreated)
            .by(&principal, &client)
            .target(format!("record:{}/{}", collection.name, created.id)),
    );
    work.commit().await?;
    let mut views = present(&state, &principal, &client, &collection, &[created]).await?;
    let view = views.pop().ok_or(ApiError::NotFound)?;
    let mut response = with_etag(view);
    *response.status_mut() = StatusCode::CREATED;
    Ok(response.into_response())
}
