//! `POST /api/forms/{collection}`: a website's form (contact, quote request) creating a record
//! without signing in, never echoing what was sent. The rules (public collections only, the
//! rate limit, the honeypot, lockdown) are `rampart_core::records::forms`'.
//!
//! Two ways in, one use case: JSON (a script), answered 202 with a receipt; or a plain HTML form
//! (`application/x-www-form-urlencoded`, no JavaScript needed), answered 303 to the thank-you
//! page its `_next` field names (a path on this site; `/thanks.html` when absent). Empty fields of
//! an HTML form are left out, as if not sent. A form post must come from this site's own pages
//! (`middleware/csrf.rs`).

use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rampart_domain::records::Document;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::{Access, RouteTable};
use crate::caller::Client;
use crate::extract::ApiJson;
use crate::routes::responses::{ErrorResponse, JsonBodyErrors};
use crate::web::{FormNotSent, Layout};
use crate::{ApiError, AppState};

pub(super) fn routes() -> RouteTable {
    RouteTable::new().post("/api/forms/{collection}", Access::Public, submit_form)
}

#[derive(OpenApi)]
#[openapi(paths(submit_form))]
pub(super) struct Api;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FormReceipt {
    /// Always `received`.
    status: &'static str,
    /// The new record's id (a random id when the submission was dropped as spam).
    id: Uuid,
}

/// Where a page's form goes after it was received, when it does not say.
const DEFAULT_THANKS: &str = "/thanks.html";
/// The field of an HTML form that names its thank-you page (never stored).
const NEXT_FIELD: &str = "_next";

/// Submits a website form: the body is the collection's fields, flat (JSON, or an HTML form with
/// an optional `_next` thank-you path).
#[utoipa::path(post, path = "/api/forms/{collection}", request_body = Object,
    params(("collection" = String, Path, description = "a collection with `public_create`")),
    responses(
        (status = 202, description = "received", body = FormReceipt),
        (status = 303, description = "an HTML form (`application/x-www-form-urlencoded`) was received: see its thank-you page (`_next`, default `/thanks.html`)"),
        (status = 404, description = "`not_found`: no such collection takes public submissions", body = ErrorResponse),
        (status = 422, description = "`invalid_input`: fields that do not fit the form (each named)", body = ErrorResponse),
        (status = 503, description = "`lockdown`: public submissions are paused during a lockdown", body = ErrorResponse),
        (status = 429, description = "`rate_limited`: too many submissions from this address; `Retry-After` says when to try again", body = ErrorResponse),
        JsonBodyErrors,
    ))]
pub(super) async fn submit_form(
    State(state): State<AppState>,
    Client(client): Client,
    Path(name): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    // The same test as the CSRF gate's, which asked an HTML form to come from our pages.
    if crate::middleware::csrf::is_form(request.headers()) {
        // For people: a redirect to the thank-you page, or a page that says what went wrong.
        return Ok(match submit_page_form(&state, &client, &name, request).await {
            Ok(thanks) => Redirect::to(&thanks).into_response(),
            Err(error) => crate::web::refused_with(error, |reason| FormNotSent {
                layout: Layout::new(&state.settings.accounts.site_name, None),
                reason,
            }),
        });
    }
    let ApiJson(fields) = ApiJson::<Document>::from_request(request, &state).await?;
    let id = rampart_core::records::forms::submit_form(&state, &client, &name, fields).await?;
    Ok((StatusCode::ACCEPTED, Json(FormReceipt { status: "received", id })).into_response())
}

/// An HTML form's submission; its thank-you path.
async fn submit_page_form(
    state: &AppState,
    client: &rampart_core::client::ClientContext,
    name: &str,
    request: Request,
) -> Result<String, ApiError> {
    let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(request, state)
        .await
        .map_err(|_| ApiError::BadRequest("the form could not be read".into()))?;
    let (fields, thanks) = page_submission(pairs)?;
    rampart_core::records::forms::submit_form(state, client, name, fields).await?;
    Ok(thanks)
}

/// An HTML form's fields (empty ones left out) and its thank-you path: `_next` must be a path on
/// this site (`/…`, never `//host` nor `/\\host`, which browsers take for another site).
fn page_submission(pairs: Vec<(String, String)>) -> Result<(Document, String), ApiError> {
    let mut fields = Document::new();
    let mut thanks = DEFAULT_THANKS.to_owned();
    for (key, value) in pairs {
        if key == NEXT_FIELD {
            let on_this_site = value.starts_with('/')
                && !value.starts_with("//")
                && !value.starts_with("/\\")
                && !value.chars().any(char::is_control);
            if !on_this_site {
                return Err(ApiError::Unprocessable(
                    "_next: the thank-you page must be a path on this site, such as /thanks.html"
                        .into(),
                ));
            }
            thanks = value;
        } else if !value.is_empty() {
            fields.insert(key, serde_json::Value::String(value));
        }
    }
    Ok((fields, thanks))
}

#[cfg(test)]
mod tests {
    use super::page_submission;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_page_form_keeps_its_filled_fields_and_a_thank_you_path_on_this_site() {
        let (fields, thanks) =
            page_submission(pairs(&[("name", "Ada"), ("phone", ""), ("_next", "/thanks/")]))
                .unwrap();
        assert_eq!(serde_json::Value::Object(fields), serde_json::json!({ "name": "Ada" }));
        assert_eq!(thanks, "/thanks/");
        let (_, thanks) = page_submission(pairs(&[("name", "Ada")])).unwrap();
        assert_eq!(thanks, "/thanks.html");
        for elsewhere in
            ["https://evil.example/", "//evil.example/", "/\\evil.example", "thanks.html", "/a\nb"]
        {
            assert!(page_submission(pairs(&[("_next", elsewhere)])).is_err(), "{elsewhere}");
        }
    }
}
