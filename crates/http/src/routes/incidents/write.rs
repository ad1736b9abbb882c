//! `POST /api/incidents` (open) and `PATCH /api/incidents/{id}` (update; `"status":"closed"`
//! closes for good). Both need `incident:manage` and a fresh re-authentication.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::incident::Severity;
use rampart_domain::{IncidentNote, IncidentStatus, IncidentSummary, Permission};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{FORBIDDEN_OR_REAUTH, IncidentView, LOCKDOWN};
use crate::caller::{Client, SignedIn};
use crate::extract::{ApiJson, present};
use crate::routes::responses::{ErrorResponse, JsonBodyErrors, NOT_A_UUID, UNAUTHENTICATED};
use crate::routes::shapes::{one_of, text_schema};
use crate::{ApiError, AppState};
use rampart_core::incident::Actor;
use rampart_core::incident::incidents::{
    IncidentChange, open_incident as open, update_incident as update,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct OpenIncidentRequest {
    /// `low`, `medium`, `high` or `critical`.
    #[schema(schema_with = severity_names)]
    severity: String,
    /// One line, at most 500 characters.
    #[schema(schema_with = summary_text)]
    summary: String,
    /// A first note (at most 4000 characters).
    #[serde(default)]
    #[schema(schema_with = note_text)]
    note: Option<String>,
}

/// At least one member; none may be `null`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub(super) struct UpdateIncidentRequest {
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = severity_names)]
    severity: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = summary_text)]
    summary: Option<String>,
    /// `open`, `contained` or `closed` (final: a closed incident changes no more).
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = status_names)]
    status: Option<String>,
    /// A note for the timeline (at most 4000 characters).
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = note_text)]
    note: Option<String>,
}

fn summary_text() -> utoipa::openapi::schema::Object {
    text_schema(false, IncidentSummary::MAX_CHARS)
}

fn note_text() -> utoipa::openapi::schema::Object {
    text_schema(true, IncidentNote::MAX_CHARS)
}

fn severity_names() -> utoipa::openapi::schema::Object {
    one_of(Severity::ALL.map(Severity::as_str))
}

fn status_names() -> utoipa::openapi::schema::Object {
    one_of(IncidentStatus::ALL.map(IncidentStatus::as_str))
}

fn severity(name: &str) -> Result<Severity, ApiError> {
    Severity::parse(name).ok_or_else(|| {
        ApiError::Unprocessable("severity: expected low, medium, high or critical".into())
    })
}

fn refused(error: rampart_domain::IncidentRefused) -> ApiError {
    ApiError::Unprocessable(error.to_string())
}

/// Opens an incident.
#[utoipa::path(post, path = "/api/incidents", request_body = OpenIncidentRequest,
    responses(
        (status = 201, description = "the incident, open", body = IncidentView),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = FORBIDDEN_OR_REAUTH, body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown severity, or a summary or note too long or empty", body = ErrorResponse),
        (status = 503, description = LOCKDOWN, body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn open_incident(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    ApiJson(request): ApiJson<OpenIncidentRequest>,
) -> Result<(StatusCode, Json<IncidentView>), ApiError> {
    principal.require(Permission::IncidentManage)?;
    principal.require_step_up(&state)?;
    let severity = severity(&request.severity)?;
    let summary = IncidentSummary::parse(&request.summary).map_err(refused)?;
    let note = request.note.as_deref().map(IncidentNote::parse).transpose().map_err(refused)?;
    let row = open(&state, severity, summary, note, Actor::Api(&principal, &client)).await?;
    Ok((StatusCode::CREATED, Json(IncidentView::of(row, None))))
}

/// Changes an incident's severity, summary or status, or adds a note; `"status":"closed"`
/// closes it (its timeline ends then).
#[utoipa::path(patch, path = "/api/incidents/{id}", request_body = UpdateIncidentRequest,
    params(("id" = Uuid, Path, description = "the incident")),
    responses(
        (status = 200, description = "the incident as changed", body = IncidentView),
        (status = 400, description = NOT_A_UUID, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = FORBIDDEN_OR_REAUTH, body = ErrorResponse),
        (status = 404, description = "`not_found`: no such incident", body = ErrorResponse),
        (status = 409, description = "`conflict`: the incident is closed, or changed meanwhile", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown severity or status, a field too long, or nothing to change", body = ErrorResponse),
        (status = 503, description = LOCKDOWN, body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn update_incident(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<UpdateIncidentRequest>,
) -> Result<Json<IncidentView>, ApiError> {
    principal.require(Permission::IncidentManage)?;
    principal.require_step_up(&state)?;
    let change = IncidentChange {
        severity: request.severity.as_deref().map(severity).transpose()?,
        summary: request
            .summary
            .as_deref()
            .map(IncidentSummary::parse)
            .transpose()
            .map_err(refused)?,
        status: request
            .status
            .as_deref()
            .map(|name| {
                IncidentStatus::parse(name).ok_or_else(|| {
                    ApiError::Unprocessable("status: expected open, contained or closed".into())
                })
            })
            .transpose()?,
        note: request.note.as_deref().map(IncidentNote::parse).transpose().map_err(refused)?,
    };
    let row = update(&state, id, change, Actor::Api(&principal, &client)).await?;
    Ok(Json(IncidentView::of(row, None)))
}
