//! The business's own website (`site.dir`), served at `/` on the API's origin, so that its
//! contact form, its customer portal and passkeys need no CORS and share the session cookie.
//!
//! What reaches this is what no route matched: a GET or HEAD outside `/api/`. Anyone may read it
//! (it is the public website: `Access::Public` in spirit; the route table cannot declare a
//! fallback). Only files inside the directory are served: no listing (a folder serves its
//! `index.html` or nothing), no file or folder whose name starts with a dot (`.git`, `.env`,
//! also written `%2e…`), no path that leaves it (`..` is refused by `ServeDir`; under the sandbox
//! the process cannot read outside it either). A missing file answers the site's `404.html`
//! when it has one. Each answer carries the site's own Content-Security-Policy
//! (`site.content_security_policy`) and `Cache-Control: no-cache` (revalidated, never stale);
//! the other security headers are the middleware's, as everywhere.

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_status::SetStatus;

use crate::ApiError;

/// The site's files, ready to answer.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    files: ServeDir<SetStatus<ServeFile>>,
    not_found_page: SetStatus<ServeFile>,
    csp: HeaderValue,
}

impl Site {
    /// `None` when `csp` is not a valid header value (validation refuses that before).
    pub(crate) fn new(dir: &Path, csp: &str) -> Option<Self> {
        let page = ServeFile::new(dir.join("404.html"));
        let files = ServeDir::new(dir)
            .append_index_html_on_directories(true)
            .not_found_service(page.clone());
        let not_found_page = SetStatus::new(page, StatusCode::NOT_FOUND);
        Some(Self { files, not_found_page, csp: HeaderValue::from_str(csp).ok()? })
    }

    /// The answer to a request no route matched.
    pub(crate) async fn answer(self, request: Request) -> Response {
        let path = request.uri().path();
        let readable = matches!(*request.method(), Method::GET | Method::HEAD);
        if !readable || path == "/api" || path.starts_with("/api/") {
            return ApiError::NotFound.into_response();
        }
        let served = if path.split('/').any(is_hidden) {
            self.not_found_page.clone().oneshot(request).await
        } else {
            self.files.clone().oneshot(request).await
        };
        let mut response = match served {
            Ok(response) => response.map(Body::new),
            Err(never) => match never {},
        };
        // The site's own 404 page is for people: the error envelope leaves it as it is.
        response.extensions_mut().insert(crate::web::PageBody);
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// A path segment naming a dot-file or dot-folder, also percent-encoded (`%2e`).
fn is_hidden(segment: &str) -> bool {
    segment.starts_with('.')
        || segment.get(..3).is_some_and(|start| start.eq_ignore_ascii_case("%2e"))
}

#[cfg(test)]
mod tests {
    use super::is_hidden;

    #[test]
    fn dot_segments_are_hidden_however_they_are_written() {
        for hidden in [".git", ".env", "%2egit", "%2Eenv", ".."] {
            assert!(is_hidden(hidden), "{hidden}");
        }
        for shown in ["index.html", "a.b", "", "css", "%2fx"] {
            assert!(!is_hidden(shown), "{shown}");
        }
    }
}
