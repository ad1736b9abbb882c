//! Rampart's HTTP server.
//!
//! Where things are:
//! - `config/`: the settings tree and how it is loaded and checked.
//! - `startup/`: [`Application`]: data directory, master key, database, TLS, listeners, shutdown.
//! - `middleware/`: what every request passes through (request id, log line, security headers,
//!   JSON errors, timeouts, body limits).
//! - `routes/`: one module per resource; [`routes::RouteTable`] records who may call each route.
//! - `error.rs`: [`ApiError`], the one error type handlers return.

pub mod accounts;
pub mod config;
mod error;
mod extract;
pub mod hashing;
pub mod keys;
mod middleware;
pub mod routes;
mod startup;
mod state;
pub mod telemetry;

pub use error::{ApiError, ErrorBody};
pub use extract::ApiJson;
pub use middleware::request_id::RequestId;
pub use startup::{
    Application, ApplicationBuilder, ExistingInstallation, StartupError, StartupReport,
    replace_master_key_file,
};
pub use state::AppState;
