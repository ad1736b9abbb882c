//! Rampart's HTTP server: the web's one way into `rampart_core`.
//!
//! This crate reads requests and writes responses; every decision is a call into
//! `rampart_core` (it has no `rampart_store` dependency, so a route cannot reach the database
//! around a use case).
//!
//! Where things are:
//! - `startup/`: [`Application`]: the installation opened (`rampart_core::boot`), TLS,
//!   listeners, the background chores, shutdown.
//! - `middleware/`: what every request passes through (request id, log line, security headers,
//!   CSRF, CORS, JSON errors, timeouts, body limits).
//! - `caller/`: the credential read off each request, and the extractors handlers take
//!   ([`caller::SignedIn`], [`caller::Client`]…).
//! - `routes/`: one module per resource; [`routes::RouteTable`] records who may call each route,
//!   per method; the OpenAPI document is derived from it.
//! - `web/`: the HTML pages for people (sign-in, account), their templates (`templates/`) and
//!   embedded CSS/JS (`assets/`); the same use cases as the API, never a second path.
//! - `error.rs`: [`ApiError`], the one error type handlers return, and how each use case's error
//!   becomes a status.
//! - `site.rs`: the business's own static website (`site.dir`) at `/`.
//! - `webhook.rs`: the HTTP client that POSTs alerts.
//! - `fuzzing.rs` (feature `fuzzing`, off by default): the crate's parsers, opened to `fuzz/`.

pub mod caller;
mod error;
mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod middleware;
pub mod routes;
mod site;
mod startup;
mod web;
mod webhook;

pub use error::{ApiError, ErrorBody};
pub use extract::{ApiJson, ApiQuery};
pub use middleware::request_id::RequestId;
pub use rampart_core::AppState;
pub use startup::{Application, ApplicationBuilder, Listeners, StartupError, StartupReport};
