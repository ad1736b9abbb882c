//! `POST /api/csp-report`: where browsers send the reports of our pages' CSP (`report-uri`).
//!
//! Anyone can post here, and browsers send no credentials with a report, so it is public;
//! what it says is untrusted text. A report of at most [`MAX_REPORT_BYTES`] is read (the
//! classic `{"csp-report": {…}}` body of `report-uri`) and recorded as a `csp_violation` audit
//! event by `rampart_core::audit::csp_report`, which also keeps one address from flooding the
//! trail. The answer is always 204 for a body of a sane size, recorded or not: a reporter
//! learns nothing from it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use rampart_core::audit::csp_report::{CspViolation, record_csp_violation};
use serde_json::Value;
use utoipa::OpenApi;

use super::{Access, RouteTable};
use crate::caller::Client;
use crate::routes::responses::ErrorResponse;
use crate::{ApiError, AppState};

/// The largest report read; a real one is well under 2 KiB.
pub(crate) const MAX_REPORT_BYTES: usize = 8 * 1024;

pub(super) fn routes() -> RouteTable {
    RouteTable::new().post("/api/csp-report", Access::Public, csp_report)
}

#[derive(OpenApi)]
#[openapi(paths(csp_report))]
pub(super) struct Api;

/// Takes a browser's Content-Security-Policy violation report.
///
/// The body is what browsers send to a policy's `report-uri` (`application/csp-report`):
/// `{"csp-report": {"document-uri", "effective-directive", "blocked-uri", …}}`, at most 8 KiB.
/// Anything else is accepted and ignored.
#[utoipa::path(post, path = "/api/csp-report",
    responses(
        (status = 204, description = "received (recorded unless this address sent many this hour)"),
        (status = 413, description = "`payload_too_large`: a report over 8 KiB", body = ErrorResponse),
    ))]
pub(super) async fn csp_report(
    State(state): State<AppState>,
    Client(client): Client,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    if body.len() > MAX_REPORT_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if let Some(violation) = violation_of(&body) {
        record_csp_violation(&state, &client, &violation).await.map_err(ApiError::internal)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The violation a `report-uri` body describes, if it is one.
fn violation_of(body: &[u8]) -> Option<CspViolation> {
    let report: Value = serde_json::from_slice(body).ok()?;
    let report = report.get("csp-report")?;
    let text = |key: &str| report.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(CspViolation {
        page: text("document-uri").unwrap_or_default(),
        directive: text("effective-directive")
            .or_else(|| text("violated-directive"))
            .unwrap_or_default(),
        blocked: text("blocked-uri").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_uri_body_is_read_and_anything_else_ignored() {
        let body = br#"{"csp-report":{"document-uri":"https://localhost/account",
            "violated-directive":"script-src-elem","blocked-uri":"inline"}}"#;
        let violation = violation_of(body).unwrap();
        assert_eq!(violation.directive, "script-src-elem");
        assert_eq!(violation.blocked, "inline");
        assert!(violation_of(b"not json").is_none());
        assert!(violation_of(br#"{"other":1}"#).is_none());
    }
}
