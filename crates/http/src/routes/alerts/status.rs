//! `POST /api/alerts/{id}/status`: a security officer acknowledges or resolves an alert.

use axum::extract::{Path, State};
use rampart_domain::Permission;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::{Client, SignedIn};
use crate::routes::responses::{BODY_MISFIT, ErrorResponse, MALFORMED_JSON, UNAUTHENTICATED};
use crate::{ApiError, ApiJson, AppState};
use rampart_core::alerts::set_alert_status as change_status;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AlertStatusRequest {
    status: NewStatus,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum NewStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl NewStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
        }
    }
}

/// Sets an alert's status (audited).
#[utoipa::path(
    post,
    path = "/api/alerts/{id}/status",
    params(("id" = i64, Path, description = "the alert", minimum = 1)),
    request_body = AlertStatusRequest,
    responses(
        (status = 204, description = "the status is set"),
        (status = 400, description = MALFORMED_JSON, body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `incident:manage`",
            body = ErrorResponse),
        (status = 404, description = "`not_found`: no such alert", body = ErrorResponse),
        (status = 422, description = BODY_MISFIT, body = ErrorResponse),
    ),
)]
pub(super) async fn set_alert_status(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Client(client): Client,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<AlertStatusRequest>,
) -> Result<axum::http::StatusCode, ApiError> {
    principal.require(Permission::IncidentManage)?;
    let status = request.status.as_str();
    if !change_status(&state, &principal, &client, id, status).await? {
        return Err(ApiError::NotFound);
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}
