//! `GET /api/alerts`: alerts newest first, with the state of their delivery to each sink.

use axum::Json;
use axum::extract::State;
use rampart_core::alerts::{AlertWithDeliveries, alert_page};
use rampart_domain::Permission;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use crate::caller::SignedIn;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, ApiQuery, AppState};

const MAX_LIMIT: u64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct AlertQuery {
    /// `open`, `acknowledged` or `resolved`.
    #[param(pattern = "^(open|acknowledged|resolved)$")]
    status: Option<String>,
    /// The `next_before` of the previous page.
    #[param(minimum = 1)]
    before: Option<i64>,
    /// Alerts per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// One alert.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AlertView {
    pub(crate) id: i64,
    /// The rule that fired, e.g. `password_spraying`.
    pub(crate) rule: String,
    /// `low`, `medium`, `high` or `critical`.
    pub(crate) severity: String,
    /// `open`, `acknowledged` or `resolved`.
    pub(crate) status: String,
    /// What it is about: `user:<id>`, `ip:<address>`, `deployment`, …
    pub(crate) subject: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub(crate) raised_at: OffsetDateTime,
    #[schema(value_type = Object)]
    pub(crate) details: serde_json::Value,
    pub(crate) deliveries: Vec<DeliveryView>,
}

/// An alert's delivery to one sink.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryView {
    /// `webhook` or `email`.
    sink: String,
    /// `pending`, `delivered` or `dead` (every attempt failed).
    status: String,
    attempts: i32,
    /// The last failure's kind (never a URL or a body).
    last_error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AlertPage {
    alerts: Vec<AlertView>,
    next_before: Option<i64>,
}

/// Lists alerts, newest first.
#[utoipa::path(
    get,
    path = "/api/alerts",
    params(AlertQuery),
    responses(
        (status = 200, description = "a page of alerts", body = AlertPage),
        (status = 400, description = "`bad_request`: a parameter is unknown or malformed",
            body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `audit:read`",
            body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown status, a `before` below 1, or a limit outside \
            1..=200", body = ErrorResponse),
    ),
)]
pub(super) async fn list_alerts(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> Result<Json<AlertPage>, ApiError> {
    principal.require(Permission::AuditRead)?;
    let limit = crate::routes::paging::checked_page(query.limit, 50, MAX_LIMIT, query.before)?;
    if let Some(status) = &query.status
        && !matches!(status.as_str(), "open" | "acknowledged" | "resolved")
    {
        return Err(ApiError::Unprocessable(
            "status: expected open, acknowledged or resolved".into(),
        ));
    }
    let (found, more) = alert_page(&state, query.status.as_deref(), query.before, limit).await?;
    let alerts: Vec<AlertView> = found.into_iter().map(view).collect();
    let next_before = if more { alerts.last().map(|alert| alert.id) } else { None };
    Ok(Json(AlertPage { alerts, next_before }))
}

pub(crate) fn view(
    AlertWithDeliveries { alert: row, deliveries }: AlertWithDeliveries,
) -> AlertView {
    AlertView {
        id: row.id,
        rule: row.rule,
        severity: row.severity,
        status: row.status,
        subject: row.subject,
        raised_at: row.raised_at,
        details: serde_json::from_str(&row.details).unwrap_or(serde_json::Value::Null),
        deliveries: deliveries
            .into_iter()
            .map(|delivery| DeliveryView {
                sink: delivery.sink,
                status: delivery.status,
                attempts: delivery.attempts,
                last_error: delivery.last_error,
            })
            .collect(),
    }
}
