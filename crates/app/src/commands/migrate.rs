use std::path::Path;

use rampart_core::config;
use rampart_store::{Db, PoolSettings};
use secrecy::ExposeSecret;

/// `rampart migrate`: bring the database schema up to date, then exit.
pub(crate) fn run(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let db =
            Db::connect(settings.database_url().expose_secret(), &PoolSettings::default()).await?;
        db.migrate().await?;
        println!("{} database is up to date", db.engine().name());
        Ok(())
    })
}
