//! The answers routes share, and how the API document describes them: the body of every error
//! ([`ErrorResponse`], written by `middleware/error_envelope.rs` too), the one-word
//! [`StatusResponse`], the descriptions several operations give one status, and the error
//! responses a kind of route adds (JSON bodies, password hashing, throttling). Route modules use
//! these; `openapi/` only assembles the document.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

// `middleware/error_envelope.rs` writes this body for every error, whoever answers it: the
// document and the answers come from this one type.
/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorResponse {
    pub(crate) error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable and machine-readable, e.g. `invalid_credentials`, `unauthenticated`.
    pub(crate) code: String,
    /// For people; never holds internals.
    pub(crate) message: String,
    /// The request's `x-request-id`, to find its log line.
    pub(crate) request_id: String,
}

/// The answer of a route that has nothing to say but what happened.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatusResponse {
    status: Outcome,
}

impl StatusResponse {
    pub(crate) const fn new(status: Outcome) -> Self {
        Self { status }
    }
}

/// What happened, as one word (each operation says which it answers).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Ok,
    Ready,
    OwnerCreated,
    CheckYourEmail,
    EmailVerified,
    PasswordReset,
    PasswordChanged,
    Active,
    Disabled,
    Removed,
    FactorsReset,
    Revoked,
    EmailChanged,
}

/// Descriptions several operations give the same status.
pub(crate) const MALFORMED_JSON: &str = "`malformed_json`: the body is not JSON";
pub(crate) const BODY_MISFIT: &str =
    "`invalid_input`: a field is missing, unknown or of the wrong type";
pub(crate) const UNAUTHENTICATED: &str =
    "`unauthenticated`: no valid session or API key came with the request";
pub(crate) const NOT_A_UUID: &str = "`bad_request`: `id` is not a UUID";
pub(crate) const NOT_PERMITTED: &str = "`forbidden`: the caller does not hold `users:manage`; or \
    `csrf_rejected`: a request with the cookie did not come from our pages or lacked \
    `X-CSRF-Token`";
pub(crate) const CSRF_REJECTED: &str = "`csrf_rejected`: a request with the cookie did not come from our pages or lacked `X-CSRF-Token`";
pub(crate) const INVALID_TOKEN: &str = "`invalid_token`: the link's token is unknown, used or \
    expired; or `malformed_json`: the body is not JSON";
pub(crate) const PASSWORD_REFUSED: &str = "`invalid_input`: a field is missing, unknown or of the \
    wrong type, or the new password is refused (the message says why)";

/// The errors of a route that reads a JSON body, besides 400 and 422 (which each route
/// describes): a body too large, or not JSON.
pub(crate) struct JsonBodyErrors;

/// 503 `busy` + `Retry-After`: password hashing is saturated (routes that hash a password).
pub(crate) struct Busy;

/// 429 `invalid_credentials` + `Retry-After`: too many failures for the address or from the
/// client (routes that check a password through the sign-in throttle).
pub(crate) struct Throttled;

impl IntoResponses for JsonBodyErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses([
            ("413", "`payload_too_large`: the body is larger than this server accepts", false),
            ("415", "`unsupported_media_type`: the body must be `application/json`", false),
        ])
    }
}

impl IntoResponses for Busy {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        error_responses([("503", "`busy`: the server is busy hashing passwords", true)])
    }
}

impl IntoResponses for Throttled {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let description = "`invalid_credentials` (the same body as 401): too many failed \
            attempts for this address or from this client";
        error_responses([("429", description, true)])
    }
}

/// Error responses by status: each with the [`ErrorResponse`] body, and `Retry-After` when
/// marked.
fn error_responses<const N: usize>(
    responses: [(&str, &str, bool); N],
) -> BTreeMap<String, RefOr<Response>> {
    responses
        .into_iter()
        .map(|(status, description, retry_after)| {
            let mut response = error_response(description);
            if retry_after {
                let seconds = HeaderBuilder::new()
                    .schema(Some(u64::schema()))
                    .description(Some("seconds to wait before trying again"))
                    .build();
                response.headers.insert("Retry-After".to_owned(), seconds.into());
            }
            (status.to_owned(), response.into())
        })
        .collect()
}

pub(crate) fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorResponse"))))
        .build()
}
