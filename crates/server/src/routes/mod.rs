//! Every route, and who may call it.
//!
//! Routes are added only through [`RouteTable`], whose methods name the access rule: a route
//! cannot exist without a declaration. A signed-in or permission route is wrapped in a layer
//! that refuses a request without a principal (401) or without the permission (403) before the
//! handler runs — and handlers take `Principal` and check again, so neither check alone holds
//! the line. A caller who owes a second factor (`mfa.required_roles`) passes only the layer of an
//! enrolment route; every other signed-in or permission route answers 403
//! `mfa_enrolment_required` (and so does the `Principal` extractor).

mod alerts;
mod audit;
mod auth;
mod collections;
pub(crate) mod departments;
mod forms;
mod health;
mod incident;
mod incidents;
mod me;
mod metrics;
pub(crate) mod openapi;
mod paging;
pub(crate) mod records;
mod roles;
mod session_response;
mod session_view;
mod setup_page;
mod users;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use rampart_domain::Permission;

use crate::sessions::Principal;
use crate::{ApiError, AppState};

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

/// A route's path and access rule, for the tests that walk the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredRoute {
    pub path: &'static str,
    pub access: Access,
}

/// A router whose routes all declare their access rule.
#[derive(Debug, Default)]
pub struct RouteTable {
    router: Router<AppState>,
    declared: Vec<DeclaredRoute>,
}

impl RouteTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A route anyone may call without signing in.
    pub fn public(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self.declared.push(DeclaredRoute { path, access: Access::Public });
        self
    }

    /// A route for any signed-in caller.
    pub fn signed_in(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler.route_layer(from_fn(require_principal)));
        self.declared.push(DeclaredRoute { path, access: Access::SignedIn });
        self
    }

    /// A route for any signed-in caller that stays open to one who still owes a second factor.
    pub fn enrolment(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler.route_layer(from_fn(require_any_principal)));
        self.declared.push(DeclaredRoute { path, access: Access::Enrolment });
        self
    }

    /// A route for callers holding `permission`.
    pub fn permitted(
        mut self,
        path: &'static str,
        permission: Permission,
        handler: MethodRouter<AppState>,
    ) -> Self {
        let guard = from_fn(move |request: Request, next: Next| {
            require_permission(permission, request, next)
        });
        self.router = self.router.route(path, handler.route_layer(guard));
        self.declared.push(DeclaredRoute { path, access: Access::Permission(permission) });
        self
    }

    /// A business-records route: signed in, then decided per collection and record.
    pub fn record_policy(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler.route_layer(from_fn(require_principal)));
        self.declared.push(DeclaredRoute { path, access: Access::RecordPolicy });
        self
    }

    /// A route for the metrics scraper; its handler checks the token first (`routes/metrics.rs`).
    pub fn scraper(mut self, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, handler);
        self.declared.push(DeclaredRoute { path, access: Access::MetricsToken });
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

    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Rampart's own routes.
pub fn table() -> RouteTable {
    RouteTable::new()
        .merge(health::routes())
        .merge(setup_page::routes())
        .merge(auth::routes())
        .merge(me::routes())
        .merge(users::routes())
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
