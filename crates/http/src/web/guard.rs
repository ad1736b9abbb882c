//! The access rule of a page, enforced the way a browser needs it: where the API answers 401,
//! a page sends the browser to `/sign-in`; where the API answers 403
//! `mfa_enrolment_required`, a page sends it to the enrolment page; a missing permission is a
//! 403 page. The rule itself is the route table's [`Access`], as for every route, and each
//! handler still takes the caller through an extractor and its use case checks again.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use axum::routing::MethodRouter;
use rampart_core::sessions::Principal;
use rampart_domain::Permission;

use super::page::{Layout, render, see_other};
use super::templates::Message;
use super::{ENROL_PAGE, SIGN_IN_PAGE};
use crate::AppState;
use crate::routes::Access;

/// `operation` behind the page guard of `access`.
pub(crate) fn guarded_page(
    operation: MethodRouter<AppState>,
    access: Access,
) -> MethodRouter<AppState> {
    match access {
        Access::Public => operation,
        Access::Enrolment => operation
            .route_layer(from_fn(|request: Request, next: Next| admit(None, true, request, next))),
        Access::SignedIn | Access::RecordPolicy => operation
            .route_layer(from_fn(|request: Request, next: Next| admit(None, false, request, next))),
        Access::Permission(permission) => {
            operation.route_layer(from_fn(move |request: Request, next: Next| {
                admit(Some(permission), false, request, next)
            }))
        }
        // No person holds the scraper's token: no page is for it.
        Access::MetricsToken => {
            operation.route_layer(from_fn(|_: Request, _: Next| async { forbidden() }))
        }
    }
}

/// Lets the request through when the caller meets the rule, else sends them where they can.
async fn admit(
    permission: Option<Permission>,
    enrolment_open: bool,
    request: Request,
    next: Next,
) -> Response {
    match request.extensions().get::<Principal>() {
        None => see_other(SIGN_IN_PAGE),
        Some(principal) if principal.owes_enrolment && !enrolment_open => see_other(ENROL_PAGE),
        Some(principal) if permission.is_some_and(|p| !principal.permissions.contains(p)) => {
            forbidden()
        }
        Some(_) => next.run(request).await,
    }
}

fn forbidden() -> Response {
    let page = Message {
        layout: Layout::new("Rampart", None),
        title: "Not allowed",
        text: "Your account may not open this page.",
    };
    render(StatusCode::FORBIDDEN, &page)
}
