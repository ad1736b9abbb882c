//! `rampart incident lockdown on|off [--reason TEXT]`: containment from the command line, for
//! when nobody can (or should) sign in.

use std::path::Path;

use rampart_server::incident::lockdown::set_lockdown;
use rampart_server::{ExistingInstallation, config};

pub(crate) fn lockdown(file: Option<&Path>, active: bool, reason: &str) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let state = installation.into_app_state(settings).await?;
        let ended = set_lockdown(&state, active, reason, None).await?;
        if active {
            println!("lockdown is on: {ended} sessions ended; only incident managers with a second factor can act");
        } else {
            println!("lockdown is off");
        }
        Ok(())
    })
}
