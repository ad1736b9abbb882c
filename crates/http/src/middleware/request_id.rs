//! Request ids: correlate a client's report, the log lines and the audit events of one request.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";
const MAX_LEN: usize = 64;

/// The id of the request being served, in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A client's id is kept only if it is 1–64 characters of `[A-Za-z0-9._:-]`: anything else could
/// forge log lines or carry a secret into them, so it is replaced by a fresh one.
pub(crate) fn is_well_formed(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

pub(crate) async fn assign_request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_well_formed(id))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let request_id = RequestId(id.into());
    request.extensions_mut().insert(request_id.clone());

    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_accepted() {
        assert!(is_well_formed("3f2a-77:client.1_x"));
        assert!(!is_well_formed(""));
        assert!(!is_well_formed(&"a".repeat(65)));
        assert!(!is_well_formed("abc\ndef"));
        assert!(!is_well_formed("has space"));
        assert!(!is_well_formed("{\"json\":1}"));
    }
}
