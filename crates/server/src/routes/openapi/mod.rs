//! `GET /api/openapi.json`: the HTTP API as an OpenAPI 3.1 document.
//!
//! Each resource module documents its handlers with `#[utoipa::path]` and lists them in its own
//! `Api`, next to its `routes()`; [`document`] merges those under one `info`, with the security
//! schemes and the bodies the routes share, defined here. The route table (`routes/mod.rs`)
//! stays the one place where routes and their access are declared: `tests/api/openapi.rs` holds
//! the document to it (every declared route documented and nothing else; a security requirement
//! exactly on the routes that are not public). [`shapes`] holds the schemas of the fields a
//! handler parses further than their JSON type, so that what the document allows is what the
//! handler takes (schemathesis checks both ways in `scripts/security-scan`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Server};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema, ToSchema};

pub(crate) use self::shapes::{
    credential_schema, department_name_schema, department_names_schema, line_schema,
    new_credential_schema, one_of, permission_names_schema, reason_schema, slug_schema,
    text_schema, title_schema,
};
use super::{
    RouteTable, alerts, audit, auth, collections, departments, forms, health, incident, incidents,
    me, metrics, records, roles, setup_page, users,
};
use crate::config::Settings;
use crate::sessions::{CSRF_HEADER, SESSION_COOKIE};
use crate::{ApiError, AppState};

mod shapes;

pub(super) fn routes() -> RouteTable {
    RouteTable::new().public("/api/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    responses((status = 200, description = "the OpenAPI 3.1 document of this API", body = Object)),
)]
async fn openapi_json(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let mut document =
        serde_json::to_value(document(&state.settings)).map_err(ApiError::internal)?;
    shapes::constrain_formats(&mut document);
    shapes::require_any_of(&mut document, "LoginMfaRequest", &["code", "recovery_code"])?;
    Ok(Json(document))
}

/// The whole document, with `server.public_origin` as its server, and the limits that are
/// settings.
fn document(settings: &Settings) -> Document {
    let mut document = tagged("openapi", RampartApi::openapi())
        .merge_from(tagged("health", health::Api::openapi()))
        .merge_from(tagged("setup", setup_page::Api::openapi()))
        .merge_from(tagged("auth", auth::Api::openapi()))
        .merge_from(tagged("me", me::Api::openapi()))
        .merge_from(tagged("users", users::Api::openapi()))
        .merge_from(tagged("audit", audit::Api::openapi()))
        .merge_from(tagged("alerts", alerts::Api::openapi()))
        .merge_from(tagged("metrics", metrics::Api::openapi()))
        .merge_from(tagged("departments", departments::Api::openapi()))
        .merge_from(tagged("roles", roles::Api::openapi()))
        .merge_from(tagged("collections", collections::Api::openapi()))
        .merge_from(tagged("records", records::Api::openapi()))
        .merge_from(tagged("forms", forms::Api::openapi()))
        .merge_from(tagged("incident", incident::Api::openapi()))
        .merge_from(tagged("incident", incidents::Api::openapi()));
    // Any route can fail in a way the client cannot fix (the body says nothing more), or take
    // longer than `server.request_timeout_secs`; and any state-changing one that came with the
    // session cookie is refused unless it came from our pages (`middleware/csrf.rs`).
    let internal: RefOr<Response> =
        error_response("`internal_error`: something failed on the server").into();
    let timeout: RefOr<Response> =
        error_response("`request_timeout`: the request took longer than the server allows").into();
    let csrf: RefOr<Response> = error_response(CSRF_REJECTED).into();
    // Any route that reads a JSON body refuses one that is not JSON, or not of its shape
    // (`extract.rs`), too large or of another media type; routes that give 400 or 422 for more
    // reasons describe them themselves.
    let malformed: RefOr<Response> = error_response(MALFORMED_JSON).into();
    let misfit: RefOr<Response> = error_response(BODY_MISFIT).into();
    let body_errors = JsonBodyErrors::responses();
    for (method, operation) in operations_by_method(&mut document) {
        let reads_a_body = operation.request_body.is_some();
        let responses = &mut operation.responses.responses;
        if reads_a_body {
            responses.entry("400".to_owned()).or_insert_with(|| malformed.clone());
            responses.entry("422".to_owned()).or_insert_with(|| misfit.clone());
            for (status, response) in &body_errors {
                responses.entry(status.clone()).or_insert_with(|| response.clone());
            }
        }
        responses.entry("500".to_owned()).or_insert_with(|| internal.clone());
        responses.entry("408".to_owned()).or_insert_with(|| timeout.clone());
        if method != "get" {
            responses.entry("403".to_owned()).or_insert_with(|| csrf.clone());
        }
    }
    set_maximum(
        &mut document,
        "/api/collections/{name}/records",
        "limit",
        settings.records.max_page_size,
    );
    let public_origin = &settings.server.public_origin;
    document.servers = Some(vec![Server::new(public_origin.trim_end_matches('/'))]);
    // Derived from Cargo.toml, which names none.
    document.info.license = None;
    document
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rampart",
        version = env!("CARGO_PKG_VERSION"),
        description = "Accounts, sessions, sign-in, roles and business records of a Rampart server. Every error answers \
            `{\"error\":{\"code\",\"message\",\"request_id\"}}` (`ErrorResponse`). Signed-in \
            routes take the `__Host-rampart_session` cookie (unsafe methods also need \
            `X-CSRF-Token`, the `csrf_token` given at sign-in) or `Authorization: Bearer` with a \
            session token or an API key (`rk_…`).",
    ),
    paths(openapi_json),
    components(schemas(ErrorResponse)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "health", description = "Whether the process is up and can serve"),
        (name = "auth", description = "Signing in and out, registration, e-mail verification, \
            passwords, the first owner"),
        (name = "me", description = "The caller's own account, sessions, second factors and \
            API keys"),
        (name = "users", description = "Other people's accounts and sessions (`users:manage`)"),
        (name = "audit", description = "The tamper-evident audit trail (`audit:read`)"),
        (name = "alerts", description = "What the detection rules raised, and the live feed"),
        (name = "metrics", description = "Prometheus metrics, for a scraper holding `metrics.token`"),
        (name = "departments", description = "The departments grants and records are scoped to (`roles:manage`)"),
        (name = "roles", description = "Built-in and custom roles, and who holds which where (`roles:manage`, step-up)"),
        (name = "collections", description = "What the business stores, defined at run time (`collections:manage`)"),
        (name = "records", description = "The business records: by department, by owner, sensitive fields only for `records:read_sensitive`"),
        (name = "forms", description = "Website forms creating records without signing in (`public_create`)"),
        (name = "incident", description = "Incident response: lockdown, incidents and their timelines, containment (`incident:manage`, step-up for changes)"),
        (name = "openapi", description = "This document"),
    ),
)]
struct RampartApi;

/// The ways a caller proves who they are (`security` names in the operations).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        let cookie = ApiKeyValue::with_description(
            SESSION_COOKIE,
            "the browser session, set by `POST /api/auth/login` (Secure, HttpOnly, SameSite=Lax)",
        );
        let csrf = ApiKeyValue::with_description(
            CSRF_HEADER,
            "with the cookie, on every unsafe method: the `csrf_token` given at sign-in",
        );
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "a session token (`POST /api/auth/login` with `\"session\":\"token\"`) or an API \
                 key (`rk_` + 64 hex digits)",
            ))
            .build();
        components
            .add_security_scheme("session_cookie", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
        components.add_security_scheme("csrf_token", SecurityScheme::ApiKey(ApiKey::Header(csrf)));
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let scraper = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("the `metrics.token` setting, for `GET /metrics` only"))
            .build();
        components.add_security_scheme("metrics_token", SecurityScheme::Http(scraper));
    }
}

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

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorResponse"))))
        .build()
}

/// Sets the `maximum` of the GET operation's query parameter `name`: a limit that is a setting
/// (an attribute can only give a constant).
fn set_maximum(document: &mut Document, path: &str, name: &str, maximum: u64) {
    let parameter = document
        .paths
        .paths
        .get_mut(path)
        .and_then(|item| item.get.as_mut())
        .and_then(|operation| operation.parameters.as_mut())
        .and_then(|parameters| {
            parameters.iter_mut().find_map(|p| match p {
                RefOr::T(p) if p.name == name => Some(p),
                _ => None,
            })
        });
    if let Some(Some(RefOr::T(Schema::Object(schema)))) = parameter.map(|p| p.schema.as_mut()) {
        schema.maximum = Some(maximum.into());
    }
}

/// `api` with every operation under `tag` alone.
fn tagged(tag: &str, mut api: Document) -> Document {
    for operation in operations(&mut api) {
        operation.tags = Some(vec![tag.to_owned()]);
    }
    api
}

fn operations_by_method(
    document: &mut Document,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    document.paths.paths.values_mut().flat_map(|item| {
        [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
    })
}

fn operations(document: &mut Document) -> impl Iterator<Item = &mut Operation> {
    document.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
            .into_iter()
            .flatten()
    })
}
