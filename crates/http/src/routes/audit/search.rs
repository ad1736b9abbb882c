//! `GET /api/audit`: events, newest first, narrowed by actor, action, outcome and time, in pages.

use axum::Json;
use axum::extract::State;
use rampart_core::audit::{AuditFilter, AuditRow, search_events};
use rampart_domain::{AuditAction, Outcome, Permission};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::caller::SignedIn;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, ApiQuery, AppState};

const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// Only events by this user.
    actor: Option<Uuid>,
    /// Only this action, e.g. `authn_login_fail`.
    #[param(schema_with = action_names)]
    action: Option<String>,
    /// `success` or `failure`.
    #[param(inline, value_type = Option<OutcomeParam>)]
    outcome: Option<String>,
    /// Events at or after this time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    since: Option<OffsetDateTime>,
    /// Events before this time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[param(value_type = Option<String>, format = DateTime)]
    until: Option<OffsetDateTime>,
    /// The `next_before` of the previous page.
    #[param(minimum = 1)]
    before: Option<i64>,
    /// Events per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

fn action_names() -> utoipa::openapi::schema::Object {
    crate::routes::shapes::one_of(AuditAction::ALL.map(AuditAction::as_str))
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the parameter's values only
#[schema(as = Outcome)]
enum OutcomeParam {
    #[schema(rename = "success")]
    Success,
    #[schema(rename = "failure")]
    Failure,
}

/// One event of the trail.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AuditEventView {
    /// Its position in the hash chain.
    seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    action: String,
    outcome: String,
    actor: Option<Uuid>,
    ip: Option<String>,
    user_agent: Option<String>,
    /// The first 16 bytes of the session token's SHA-256, hex.
    session: Option<String>,
    target: Option<String>,
    #[schema(value_type = Object)]
    details: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AuditPage {
    events: Vec<AuditEventView>,
    /// Pass as `before` for the next (older) page; absent on the last one.
    next_before: Option<i64>,
}

/// Searches the audit trail, newest first.
#[utoipa::path(
    get,
    path = "/api/audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "a page of events", body = AuditPage),
        (status = 400, description = "`bad_request`: a parameter is unknown or malformed",
            body = ErrorResponse),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `audit:read`",
            body = ErrorResponse),
        (status = 422, description = "`invalid_input`: an unknown action or outcome, a `before` below 1, or a \
            limit outside 1..=200", body = ErrorResponse),
    ),
)]
pub(super) async fn search_audit(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    principal.require(Permission::AuditRead)?;
    let limit =
        crate::routes::paging::checked_page(query.limit, DEFAULT_LIMIT, MAX_LIMIT, query.before)?;
    if query.action.as_deref().is_some_and(|action| AuditAction::parse(action).is_none()) {
        return Err(ApiError::Unprocessable("action: not an audit action".into()));
    }
    if query.outcome.as_deref().is_some_and(|outcome| Outcome::parse(outcome).is_none()) {
        return Err(ApiError::Unprocessable("outcome: expected success or failure".into()));
    }
    let filter = AuditFilter {
        actor_user_id: query.actor,
        action: query.action,
        outcome: query.outcome,
        since: query.since,
        until: query.until,
        before_seq: query.before,
    };
    let (rows, more) = search_events(&state, &filter, limit).await?;
    let events: Vec<AuditEventView> = rows.into_iter().map(view).collect();
    let next_before = if more { events.last().map(|event| event.seq) } else { None };
    Ok(Json(AuditPage { events, next_before }))
}

fn view(row: AuditRow) -> AuditEventView {
    let entry = row.entry;
    AuditEventView {
        seq: row.seq,
        at: entry.at,
        action: entry.action,
        outcome: entry.outcome,
        actor: entry.actor_user_id,
        ip: entry.ip,
        user_agent: entry.user_agent,
        session: entry.session_hash,
        target: entry.target,
        details: serde_json::from_str(&entry.details).unwrap_or(serde_json::Value::Null),
    }
}
