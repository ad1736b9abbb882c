//! Every route, and who may call it.
//!
//! Routes are added only through [`RouteTable`], whose methods name the access rule: a route
//! cannot exist without a declaration. Today every route is [`Access::Public`]; the accounts work
//! adds the authenticated and permission-checked kinds, and the session middleware denies
//! everything not declared public.

mod health;

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a session: health checks, sign-in, public forms.
    Public,
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
    RouteTable::new().merge(health::routes())
}
