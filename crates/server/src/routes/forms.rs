//! `POST /api/forms/{collection}`: a website's form (contact, quote request) creating a record
//! without signing in — only in collections marked `public_create`, at most
//! `records.form_submissions_per_hour` per client address and collection (429 beyond, counted
//! across instances), and never echoing what was sent. A submission whose honeypot field
//! (`records.honeypot_field`, hidden from people, filled by bots) is not empty gets the same
//! answer as any other and is dropped; both refusals are audited as `form_rejected`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::AuditAction;
use rampart_domain::records::Document;
use rampart_store::forms::count_form_submission;
use serde::Serialize;
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{Access, RouteTable};
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::extract::ApiJson;
use crate::records::load_collection;
use crate::records::write::{NewRecord, create_record_in};
use crate::routes::responses::{ErrorResponse, JsonBodyErrors};
use crate::unit_of_work::{UnitOfWork, record};
use crate::{ApiError, AppState};

pub(super) fn routes() -> RouteTable {
    RouteTable::new().post("/api/forms/{collection}", Access::Public, submit_form)
}

#[derive(OpenApi)]
#[openapi(paths(submit_form))]
pub(super) struct Api;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FormReceipt {
    /// Always `received`.
    status: &'static str,
    /// The new record's id (a random id when the submission was dropped as spam).
    id: Uuid,
}

const WINDOW_SECS: i64 = 3600;

/// Submits a website form: the body is the collection's fields, flat.
#[utoipa::path(post, path = "/api/forms/{collection}", request_body = Object,
    params(("collection" = String, Path, description = "a collection with `public_create`")),
    responses(
        (status = 202, description = "received", body = FormReceipt),
        (status = 404, description = "`not_found`: no such collection takes public submissions", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: fields that do not fit the form (each named)", body = ErrorResponse),
        (status = 503, description = "`lockdown`: public submissions are paused during a lockdown", body = ErrorResponse),
        (status = 429, description = "`rate_limited`: too many submissions from this address; `Retry-After` says when to try again", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn submit_form(
    State(state): State<AppState>,
    client: ClientContext,
    Path(name): Path<String>,
    ApiJson(mut fields): ApiJson<Document>,
) -> Result<(StatusCode, Json<FormReceipt>), ApiError> {
    if crate::incident::lockdown::lockdown_state(&state.db).await?.active {
        return Err(ApiError::Lockdown);
    }
    let collection = match load_collection(&state.db, &name).await? {
        Some(collection) if collection.public_create => collection,
        _ => return Err(ApiError::NotFound),
    };
    let now = state.clock.now();
    // Whole hours since the epoch: every submission of the hour names the same window.
    let hour = now.unix_timestamp() - now.unix_timestamp().rem_euclid(WINDOW_SECS);
    let window_start =
        time::OffsetDateTime::from_unix_timestamp(hour).map_err(ApiError::internal)?;
    let ip = client.ip.to_canonical().to_string();
    let count = count_form_submission(&state.db, &name, &ip, window_start).await?;
    let limit = i64::try_from(state.settings.records.form_submissions_per_hour).unwrap_or(i64::MAX);
    if count > limit {
        if count == limit + 1 {
            rejected(&state, &client, &name, "rate_limited").await?;
        }
        let retry_after = window_start + time::Duration::seconds(WINDOW_SECS) - now;
        return Err(ApiError::RateLimited {
            retry_after_secs: u64::try_from(retry_after.whole_seconds()).unwrap_or(1).max(1),
        });
    }
    let honeypot = fields.remove(&state.settings.records.honeypot_field);
    if honeypot.as_ref().is_some_and(|value| value != &Value::Null && value != "") {
        rejected(&state, &client, &name, "honeypot").await?;
        let receipt = FormReceipt { status: "received", id: Uuid::new_v4() };
        return Ok((StatusCode::ACCEPTED, Json(receipt)));
    }
    let new = NewRecord {
        department: if collection.department_scoped {
            collection.default_department.clone()
        } else {
            None
        },
        owner_id: None,
        created_by: None,
    };
    let mut work = UnitOfWork::begin(&state).await?;
    let created = create_record_in(&work, &collection, &fields, new).await?;
    work.record(
        AuditEvent::success(AuditAction::RecordCreated)
            .client(&client)
            .target(format!("record:{name}/{}", created.id))
            .detail("through", "public_form"),
    );
    work.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(FormReceipt { status: "received", id: created.id })))
}

async fn rejected(
    state: &AppState,
    client: &ClientContext,
    collection: &str,
    reason: &str,
) -> Result<(), ApiError> {
    record(
        state,
        AuditEvent::failure(AuditAction::FormRejected)
            .client(client)
            .target(format!("collection:{collection}"))
            .detail("reason", reason),
    )
    .await
    .map_err(Into::into)
}
