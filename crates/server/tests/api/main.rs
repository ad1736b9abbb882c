//! Black-box tests of the HTTP server: a real `Application` on a loopback port, over TLS, on
//! SQLite and PostgreSQL (see `rampart_store::on_both_engines!`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    unreachable_pub
)]

mod accounts;
mod acme;
mod errors;
mod health;
mod helpers;
mod hygiene;
mod keys;
mod limits;
mod logging;
mod reencrypt;
mod routes;
mod shutdown;
mod startup;
mod test_routes;
mod tls;
