//! `GET /api/openapi.json`: the HTTP API as an OpenAPI 3.1 document.
//!
//! Each resource module documents its handlers with `#[utoipa::path]` and lists them in its own
//! `Api`, next to its `routes()`; [`document`] merges those under one `info`, with the security
//! schemes and the bodies the routes share, defined here. The route table (`routes/mod.rs`)
//! stays the one place where routes and their access are declared: `tests/api/openapi.rs` holds
//! the document to it (every declared route documented and nothing else; a security requirement
//! exactly on the routes that are not public). The vocabulary the routes share — error bodies,
//! status answers, common error responses — is `routes/responses.rs`, and the schemas of the
//! fields a handler parses further than their JSON type are `routes/shapes.rs`, so that what the
//! document allows is what the handler takes (schemathesis checks both ways in
//! `scripts/security-scan`); route modules import those, never this module.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{OpenApi as Document, RefOr, Server};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::responses::{
    BODY_MISFIT, CSRF_REJECTED, ErrorResponse, JsonBodyErrors, MALFORMED_JSON, error_response,
};
use super::{
    Access, RouteTable, alerts, audit, auth, collections, csp_report, departments, forms, health,
    incident, incidents, invitations, me, metrics, records, roles, setup_page, users,
};
use crate::caller::{CSRF_HEADER, SESSION_COOKIE};
use crate::{ApiError, AppState};
use rampart_core::config::Settings;

pub(super) fn routes() -> RouteTable {
    RouteTable::new().get("/api/openapi.json", Access::Public, openapi_json)
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
    super::shapes::constrain_formats(&mut document);
    super::shapes::require_any_of(&mut document, "LoginMfaRequest", &["code", "recovery_code"])?;
    Ok(Json(document))
}

/// The whole document, with `server.public_origin` as its server, and the limits that are
/// settings.
fn document(settings: &Settings) -> Document {
    let mut document = tagged("openapi", RampartApi::openapi())
        .merge_from(tagged("health", health::Api::openapi()))
        .merge_from(tagged("setup", setup_page::Api::openapi()))
        .merge_from(tagged("pages", csp_report::Api::openapi()))
        .merge_from(tagged("auth", auth::Api::openapi()))
        .merge_from(tagged("me", me::Api::openapi()))
        .merge_from(tagged("users", users::Api::openapi()))
        .merge_from(tagged("invitations", invitations::Api::openapi()))
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
    declare_access(&mut document);
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
        (name = "invitations", description = "Staff invited with roles × departments \
            (`users:manage`), and the invitee accepting with the e-mailed link"),
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

/// Each operation's security requirement and the words of its access rule, from the route
/// table's declaration of that method on that path — the one place access is declared. (An
/// operation documented but not routed keeps none; `tests/api/openapi.rs` refuses it.)
fn declare_access(document: &mut Document) {
    let table = super::table();
    for (path, item) in &mut document.paths.paths {
        let methods = [
            (Method::GET, &mut item.get),
            (Method::PUT, &mut item.put),
            (Method::POST, &mut item.post),
            (Method::DELETE, &mut item.delete),
            (Method::PATCH, &mut item.patch),
        ];
        for (method, operation) in methods {
            let (Some(operation), Some(access)) = (operation, table.access_of(&method, path))
            else {
                continue;
            };
            operation.security = requirements(access, &method);
            let rule = format!("Access: {}", access.describe());
            operation.description = Some(match operation.description.take() {
                Some(description) => format!("{description}\n\n{rule}"),
                None => rule,
            });
        }
    }
}

/// What a caller presents for an operation of `access`: nothing (public), the scraper's token,
/// or a session (the cookie, with the CSRF token on a method that changes something) or bearer
/// credential.
fn requirements(access: Access, method: &Method) -> Option<Vec<SecurityRequirement>> {
    let none = Vec::<String>::new;
    match access {
        Access::Public => None,
        Access::MetricsToken => Some(vec![SecurityRequirement::new("metrics_token", none())]),
        Access::SignedIn | Access::Enrolment | Access::Permission(_) | Access::RecordPolicy => {
            let cookie = SecurityRequirement::new("session_cookie", none());
            let cookie =
                if *method == Method::GET { cookie } else { cookie.add("csrf_token", none()) };
            Some(vec![cookie, SecurityRequirement::new("bearer", none())])
        }
    }
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
