//! Reads each request's body, up to `server.body_limit_bytes`, before anything answers it.
//!
//! Many answers come before a handler would read the body: 401 from the principal extractor,
//! 403 from the CSRF check, 404, 405. Without this layer the connection then closes with the
//! client's bytes still unread, and Linux answers unread data on a closed socket with a reset:
//! a client still sending (Python's `requests`, a browser's upload) loses the answer and sees
//! the connection cut ("EOF occurred in violation of protocol") instead of the 401. Reading the
//! body first costs nothing a JSON handler would not spend anyway: every body Rampart accepts is
//! read whole.
//!
//! The limit holds while reading: a declared `Content-Length` above it is refused at once (413,
//! without reading what may be gigabytes), and a body that grows past it while being read is
//! refused when it does. Inside the request timeout, so a client trickling its body is cut off.

use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::extract::{Request, State};
use axum::http::{StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// What is read and thrown away of an HTTP/2 body after its 413 (see [`drain_in_background`]).
const DRAIN_AT_MOST: usize = 64 << 20;
const DRAIN_FOR: Duration = Duration::from_secs(30);

/// The largest body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub(crate) usize);

pub(crate) async fn read_whole_body(
    State(BodyLimit(limit)): State<BodyLimit>,
    request: Request,
    next: Next,
) -> Response {
    let http2 = request.version() == Version::HTTP_2;
    let too_large = declared_length(&request).is_some_and(|length| length > limit);
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    if too_large {
        return refuse(stream, http2);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        // The client broke off: there is no request to answer.
        let Ok(chunk) = chunk else { return StatusCode::PAYLOAD_TOO_LARGE.into_response() };
        if bytes.len() + chunk.len() > limit {
            return refuse(stream, http2);
        }
        bytes.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Answers 413 Payload Too Large. Over HTTP/2 the rest of the body is read and thrown away in
/// the background (up to 64 MiB, for 30 s): dropping it at once would reset the stream, and a
/// client still sending (beyond the flow-control window, as any large upload is) would see the
/// reset instead of the answer. Over HTTP/1.1 the connection closes after the answer (see the
/// module's comment).
fn refuse(rest: BodyDataStream, http2: bool) -> Response {
    if http2 {
        drain_in_background(rest);
    }
    StatusCode::PAYLOAD_TOO_LARGE.into_response()
}

fn drain_in_background(mut rest: BodyDataStream) {
    tokio::spawn(async move {
        let mut read = 0usize;
        let drained = async {
            while let Some(Ok(chunk)) = rest.next().await {
                read += chunk.len();
                if read > DRAIN_AT_MOST {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DRAIN_FOR, drained).await;
    });
}

fn declared_length(request: &Request) -> Option<usize> {
    request.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Bytes;
    use axum::routing::post;
    use tower::ServiceExt;

    use super::*;

    /// A route that answers with the length of the body it got.
    fn app(limit: usize) -> Router {
        Router::new()
            .route("/", post(|body: Bytes| async move { body.len().to_string() }))
            .layer(axum::middleware::from_fn_with_state(BodyLimit(limit), read_whole_body))
    }

    async fn answer(limit: usize, request: Request) -> (StatusCode, String) {
        let response = app(limit).oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn post_of(body: Vec<u8>, declared: Option<usize>) -> Request {
        let mut request = Request::post("/");
        if let Some(length) = declared {
            request = request.header(header::CONTENT_LENGTH, length);
        }
        request.body(Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn a_body_within_the_limit_reaches_the_handler_whole() {
        assert_eq!(
            answer(100, post_of(vec![b'x'; 100], Some(100))).await,
            (StatusCode::OK, "100".into())
        );
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let (status, _) = answer(100, post_of(vec![b'x'; 10], Some(101))).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_body_without_a_length_is_refused_when_it_outgrows_the_limit() {
        let (status, _) = answer(100, post_of(vec![b'x'; 101], None)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
