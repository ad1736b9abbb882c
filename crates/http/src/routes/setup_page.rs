//! `GET /setup`: the page behind the first-owner link `rampart serve` prints.
//!
//! The token travels after `#` (never sent to a server, so never in a log); the page's script
//! reads it, clears it from the address bar, and posts it with the address and password the
//! operator types to `POST /api/auth/bootstrap`. Strict CSP with a fresh nonce per response: no
//! inline code runs but ours, nothing loads from elsewhere, the form posts only here. Results are
//! written with `textContent`, never as HTML.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::{ApiError, AppState};

pub(super) fn routes() -> super::RouteTable {
    super::RouteTable::new().get("/setup", super::Access::Public, setup_page)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(setup_page))]
pub(super) struct Api;

/// The first-owner page (HTML); the token comes after `#` in the printed link.
#[utoipa::path(
    get,
    path = "/setup",
    responses((status = 200, description = "the page that creates the first owner",
        content_type = "text/html", body = String)),
)]
pub(super) async fn setup_page(State(state): State<AppState>) -> Result<Response, ApiError> {
    let nonce = hex::encode(
        rampart_domain::random_bytes::<16>(state.random.as_ref()).map_err(ApiError::internal)?,
    );
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; \
         frame-ancestors 'none'"
    );
    let site = html_escape(&state.settings.accounts.site_name);
    let page = PAGE.replace("{nonce}", &nonce).replace("{site}", &site);
    let mut response = Html(page).into_response();
    let csp = HeaderValue::from_str(&csp).map_err(ApiError::internal)?;
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
    Ok(response)
}

fn html_escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{site}: create the first owner</title>
<style nonce="{nonce}">
body { font: 16px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }
label, input, button { display: block; width: 100%; box-sizing: border-box; }
input { margin: .25rem 0 1rem; padding: .5rem; }
button { padding: .6rem; }
#result { margin-top: 1rem; }
</style>
</head>
<body>
<h1>Create the first owner</h1>
<p>This link works once, for a limited time. The owner can then add everyone else.</p>
<form id="setup">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password (at least 12 characters; a passphrase is best)</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Create the owner</button>
</form>
<p id="result" role="status"></p>
<script nonce="{nonce}">
(function () {
  var match = /token=([0-9a-f]+)/.exec(window.location.hash);
  var token = match ? match[1] : "";
  history.replaceState(null, "", window.location.pathname);
  var result = document.getElementById("result");
  if (!token) { result.textContent = "This page needs the link printed by rampart serve."; }
  document.getElementById("setup").addEventListener("submit", function (event) {
    event.preventDefault();
    result.textContent = "Creating…";
    fetch("/api/auth/bootstrap", {
      method: "POST",
      headers: { "content-type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        token: token,
        email: document.getElementById("email").value,
        password: document.getElementById("password").value
      })
    }).then(function (response) {
      return response.json().then(function (body) {
        result.textContent = response.ok
          ? "The owner account is ready. Sign in with it."
          : (body.error && body.error.message) || "That did not work.";
      });
    }).catch(function () { result.textContent = "The server could not be reached."; });
  });
})();
</script>
</body>
</html>
"#;
