//! Authorization beyond the route table: a user's grants, and the decisions about records.
//!
//! - `grants.rs`: what a user holds, where (built-in and custom roles, department scopes);
//! - `records.rs`: which records a caller reaches, and which of their fields;
//! - `role_grants.rs`: granting and revoking a role (nobody grants more than they hold);
//! - `custom_roles.rs`: custom roles created, changed and deleted;
//! - `departments.rs`: departments created, retitled and deleted.

pub mod custom_roles;
pub mod departments;
mod grants;
pub mod records;
pub mod role_grants;

pub use grants::{custom_role_permissions, load_grants};
