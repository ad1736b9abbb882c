//! Every route, and who may call it.
//!
//! Routes are added only through [`RouteTable`], one method at a time, each with its access rule:
//! an operation cannot exist without a declaration, and the API document's security text is
//! derived from the same declaration (`openapi/`). A signed-in or permission operation is wrapped
//! in a layer that refuses a request without a principal (401) or without the permission (403)
//! before the handler runs — and handlers take `Principal` and check again, so neither check
//! alone holds the line. A caller who owes a second factor (`mfa.required_roles`) passes only the layer of an
//! enrolment route; every other signed-in or permission route answers 403
//! `mfa_enrolment_required` (and so does the `Principal` extractor).

mod alerts;
mod audit;
pub(crate) mod auth;
mod collections;
mod csp_report;
pub(crate) mod departments;
mod forms;
mod health;
mod incident;
mod incidents;
mod invitations;
mod me;
pub(crate) use me::email_change_error;
mod metrics;
pub(crate) mod openapi;
mod paging;
pub(crate) mod records;
pub(crate) mod responses;
mod roles;
pub(crate) mod schemas;
pub(crate) mod session_response;
mod session_view;
mod setup_page;
pub(crate) mod shapes;
mod users;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use rampart_domain::Permission;

use crate::{ApiError, AppState};
use rampart_core::sessions::Principal;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a session: health checks, sign-in, public forms.
    Public,
    /// Any signed-in user (session or API key); what they reach is their own.
    SignedIn,
    /// Any signed-in user, including one who still owes a second factor: enrolling one, seeing
    /// who they are, signing out.
    Enrolment,
    /// Only a principal holding this permission.
    Permission(Permission),
    /// Only a metrics scraper presenting `metrics.token` (no person, no session).
    MetricsToken,
    /// Any signed-in caller, then the collection's and the record's rules decide
    /// (`access/records.rs`): a permission in a department, or a customer's own records; what
    /// the caller does not reach answers 404 (audited).
    RecordPolicy,
}

impl Access {
    /// The rule in words, as the API document states it for each operation.
    pub fn describe(self) -> String {
        match self {
            Self::Public => "anyone, without signing in.".to_owned(),
            Self::SignedIn => {
                "any signed-in caller (session or API key), for what is theirs.".to_owned()
            }
            Self::Enrolment => {
                "any signed-in caller, also one who still owes a second factor.".to_owned()
            }
            Self::Permission(permission) => {
                format!("callers holding the permission `{}`.", permission.as_str())
            }
            Self::MetricsToken => "the metrics scraper presenting `metrics.token`.".to_owned(),
            Self::RecordPolicy => "any signed-in caller; then the collection's and the record's \
                rules decide (a permission in the record's department, or a customer's own \
                records), and what the caller does not reach answers 404."
                .to_owned(),
        }
    }
}

/// Who a route answers: programs (JSON, in the API document) or people (HTML pages, `web/`).
/// The access rule means the same for both; only the refusal differs: the API answers 401/403
/// JSON, a page sends the browser to `/sign-in` (or to the enrolment page) instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Face {
    #[default]
    Api,
    Page,
}

/// One operation — a method on a path — and its access rule: what the guards enforce, what the
/// API document states (`openapi/`), and what the tests that walk the route table check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub face: Face,
}

/// `.get(path, access, handler)`, `.post(…)`, …: one operation, declared with its access rule.
macro_rules! one_method_per_call {
    ($($name:ident => $method:ident),+ $(,)?) => {$(
        pub fn $name<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.route(Method::$method, path, access, handler)
        }
    )+};
}

/// A router whose operations all declare their access rule, one method at a time.
#[derive(Debug, Default)]
pub struct RouteTable {
    router: Router<AppState>,
    declared: Vec<DeclaredRoute>,
    face: Face,
}

impl RouteTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A table of HTML pages: the same access rules, refused the way a browser needs.
    pub fn pages() -> Self {
        Self { face: Face::Page, ..Self::default() }
    }

    one_method_per_call! {
        get => GET,
        post => POST,
        put => PUT,
        patch => PATCH,
        delete => DELETE,
    }

    /// `method` on `path`, behind the guard of `access`.
    fn route<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let operation = match self.face {
            Face::Api => guarded(on(filter, handler), access),
            Face::Page => crate::web::guarded_page(on(filter, handler), access),
        };
        self.router = self.router.route(path, operation);
        self.declared.push(DeclaredRoute { method, path, access, face: self.face });
        self
    }

    pub fn merge(mut self, other: RouteTable) -> Self {
        self.router = self.router.merge(other.router);
        self.declared.extend(other.declared);
        self
    }

    pub fn declared(&self) -> &[DeclaredRoute] {
        &self.declared
    }

    /// The operations of one face: the API's (what the API document describes) or the pages'.
    pub fn declared_for(&self, face: Face) -> impl Iterator<Item = &DeclaredRoute> {
        self.declared.iter().filter(move |route| route.face == face)
    }

    /// The declared access of `method` on `path`, if it is routed.
    pub fn access_of(&self, method: &Method, path: &str) -> Option<Access> {
        self.declared
            .iter()
            .find(|route| route.method == *method && route.path == path)
            .map(|route| route.access)
    }

    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The layer that enforces `access` before the handler runs (the handler checks again).
fn guarded(operation: MethodRouter<AppState>, access: Access) -> MethodRouter<AppState> {
    match access {
        // The scraper's handler checks its token first (`routes/metrics.rs`).
        Access::Public | Access::MetricsToken => operation,
        Access::SignedIn | Access::RecordPolicy => {
            operation.route_layer(from_fn(require_principal))
        }
        Access::Enrolment => operation.route_layer(from_fn(require_any_principal)),
        Access::Permission(permission) => {
            operation.route_layer(from_fn(move |request: Request, next: Next| {
                require_permission(permission, request, next)
            }))
        }
    }
}

/// Rampart's own routes: the API and the pages.
pub fn table() -> RouteTable {
    RouteTable::new()
        .merge(crate::web::pages())
        .merge(csp_report::routes())
        .merge(health::routes())
        .merge(setup_page::routes())
        .merge(auth::routes())
        .merge(me::routes())
        .merge(users::routes())
        .merge(invitations::routes())
        .merge(audit::routes())
        .merge(alerts::routes())
        .merge(departments::routes())
        .merge(roles::routes())
        .merge(collections::routes())
        .merge(records::routes())
        .merge(forms::routes())
        .merge(incident::routes())
        .merge(incidents::routes())
        .merge(metrics::routes())
        .merge(openapi::routes())
}

async fn require_any_principal(request: Request, next: Next) -> Response {
    if request.extensions().get::<Principal>().is_none() {
        return ApiError::Unauthenticated.into_response();
    }
    next.run(request).await
}

async fn require_principal(request: Request, next: Next) -> Response {
    match request.extensions().get::<Principal>() {
        None => ApiError::Unauthenticated.into_response(),
        Some(principal) if principal.owes_enrolment => {
            ApiError::MfaEnrolmentRequired.into_response()
        }
        Some(_) => next.run(request).await,
    }
}

async fn require_permission(permission: Permission, request: Request, next: Next) -> Response {
    match request.extensions().get::<Principal>() {
        None => ApiError::Unauthenticated.into_response(),
        Some(principal) if principal.owes_enrolment => {
            ApiError::MfaEnrolmentRequired.into_response()
        }
        Some(principal) if !principal.permissions.contains(permission) => {
            ApiError::Forbidden.into_response()
        }
        Some(_) => next.run(request).await,
    }
}
