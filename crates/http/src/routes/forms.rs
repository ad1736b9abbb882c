//! `POST /api/forms/{collection}`: a website's form (contact, quote request) creating a record
//! without signing in, never echoing what was sent. The rules (public collections only, the
//! rate limit, the honeypot, lockdown) are `rampart_core::records::forms`'.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_domain::records::Document;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{Access, RouteTable};
use crate::caller::Client;
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors};
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
    Client(client): Client,
    Path(name): Path<String>,
    ApiJson(fields): ApiJson<Document>,
) -> Result<(StatusCode, Json<FormReceipt>), ApiError> {
    let id = rampart_core::records::forms::submit_form(&state, &client, &name, fields).await?;
    Ok((StatusCode::ACCEPTED, Json(FormReceipt { status: "received", id })))
}
