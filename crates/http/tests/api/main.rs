//! Black-box tests of the HTTP server: a real `Application` on a loopback port, over TLS, on
//! SQLite and PostgreSQL (see `rampart_store::on_both_engines!`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    unreachable_pub
)]

mod access_matrix;
mod account_emails;
mod accounts;
mod acme;
mod alerts;
mod api_keys;
mod atomicity;
mod audit_breaks;
mod audit_trail;
mod backups;
mod bootstrap;
mod browser_defences;
mod business;
mod email_change;
mod erasure;
mod errors;
mod factors;
mod faults;
mod forensics;
mod forms;
mod health;
mod helpers;
mod hygiene;
mod incident_notify;
mod incidents;
mod invitations;
mod keys;
mod least_privilege;
mod limits;
mod lockdown;
mod logging;
mod mail;
mod me_export;
mod metrics;
mod mfa_enforcement;
mod mfa_recovery;
mod mfa_totp;
mod openapi;
mod pages;
mod pages_account;
mod pages_keys;
mod pages_links;
mod passkeys;
mod passwords;
mod people;
mod permission_matrix;
mod record_injection;
mod records;
mod records_storage;
mod reencrypt;
mod roles;
mod routes;
mod sessions;
mod shutdown;
mod sign_in;
mod sign_in_protection;
mod site;
mod smtp_sink;
mod startup;
mod step_up;
mod test_routes;
mod tls;
mod users_list;
