//! `rampart db setup-roles`: PostgreSQL least privilege.

use std::path::Path;

use anyhow::bail;
use rampart_core::config;
use rampart_store::{Db, Engine, PoolSettings, apply_statements, least_privilege_statements};
use secrecy::ExposeSecret;

pub(crate) fn setup_roles(
    file: Option<&Path>,
    migration_role: &str,
    runtime_role: &str,
    print: bool,
) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    let admin_url =
        settings.database.migration_url.clone().unwrap_or_else(|| settings.database_url());
    if Engine::of_url(admin_url.expose_secret())? != Engine::Postgres {
        bail!("database roles are a PostgreSQL feature: set database.url to a postgres:// URL");
    }
    super::runtime()?.block_on(async {
        let db = Db::connect(admin_url.expose_secret(), &PoolSettings::default()).await?;
        let statements = least_privilege_statements(&db, migration_role, runtime_role).await?;
        if print {
            for statement in &statements {
                println!("{statement};");
            }
            return Ok(());
        }
        apply_statements(&db, &statements).await?;
        println!(
            "{migration_role} owns the schema and applies migrations; {runtime_role} may only \
             SELECT, INSERT, UPDATE and DELETE.\nGive each a password (ALTER ROLE … PASSWORD) or \
             a certificate, then set database.migration_url to {migration_role}'s URL and \
             database.url to {runtime_role}'s."
        );
        Ok(())
    })
}
