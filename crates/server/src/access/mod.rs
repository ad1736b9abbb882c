//! Authorization beyond the route table: a user's grants, and the decisions about records.
//!
//! - `grants.rs`: what a user holds, where (built-in and custom roles, department scopes);
//! - `records.rs`: which records a caller reaches, and which of their fields.

mod grants;
pub mod records;

pub use grants::{custom_role_permissions, load_grants};
