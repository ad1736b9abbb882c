//! Every error response, whoever made it, leaves as `{"error":{"code","message","request_id"}}`.
//!
//! [`ApiError`](crate::ApiError) leaves its code and message in the response's extensions; axum's
//! own rejections (404, 405, 415…), the timeout layer and the panic catcher leave only a status.
//! Either way this middleware writes the body, with the request id, and keeps headers such as
//! `Allow` and `Retry-After`. The one exception is a page's own error answer (a form shown again
//! with its message), which is HTML for people and marked so by `web/page.rs`.

use std::any::Any;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::request_id::RequestId;
use crate::ErrorBody;
use crate::routes::responses::{ErrorDetail, ErrorResponse};

pub(crate) async fn render_errors_as_json(request: Request, next: Next) -> Response {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let status = response.status();
    // A page shown again with its message (a wrong password, a wrong code) is for people:
    // its HTML stays (`web/page.rs`).
    let page = response.extensions().get::<crate::web::PageBody>().is_some();
    if (!status.is_client_error() && !status.is_server_error()) || page {
        return response;
    }
    let error = response
        .extensions_mut()
        .remove::<ErrorBody>()
        .unwrap_or_else(|| ErrorBody::for_status(status));
    let body = ErrorResponse {
        error: ErrorDetail {
            code: error.code.to_owned(),
            message: error.message.to_string(),
            request_id: request_id.to_string(),
        },
    };
    let body = serde_json::to_string(&body).unwrap_or_default();

    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body))
}

/// The panic catcher's answer: a bare 500 (the envelope adds the body). The panic message goes
/// to the log, inside the request's span, so the request id ties the two together.
pub(crate) fn panic_to_internal_error(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = %message, "handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
