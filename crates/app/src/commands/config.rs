use std::path::Path;

use rampart_core::config;

/// `rampart config check`: the same loading and validation as `serve`, without starting.
pub(crate) fn check(file: Option<&Path>) -> anyhow::Result<()> {
    config::load(file)?;
    println!("configuration is valid");
    Ok(())
}

/// `rampart config show`: the settings in force, secrets redacted.
pub(crate) fn show(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    print!("{}", config::render_redacted(&settings));
    Ok(())
}
