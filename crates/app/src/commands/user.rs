//! `rampart user create-owner --email ADDRESS`: the first owner, from the command line.

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, bail};
use rampart_core::accounts::{self, BootstrapError, password_context};
use rampart_core::boot::ExistingInstallation;
use rampart_core::client::ClientContext;
use rampart_core::config;
use rampart_domain::{Email, Password};
use zeroize::Zeroizing;

pub(crate) fn create_owner(file: Option<&Path>, email: &str) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    let email = Email::parse(email).map_err(|error| anyhow::anyhow!("--email: {error}"))?;
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
    let text = line.trim_end_matches(['\r', '\n']);
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        let state = installation.into_app_state(settings).await?;
        let password = Password::new(text, &password_context(&state, &email))
            .map_err(|rejected| anyhow::anyhow!("password: {rejected}"))?;
        match accounts::create_owner(&state, None, &email, password, &ClientContext::local()).await
        {
            Ok(owner) => {
                println!("created the owner {} ({})", email.as_str(), owner.id);
                Ok(())
            }
            Err(error @ (BootstrapError::OwnerExists | BootstrapError::InvalidLink)) => {
                bail!("{error}")
            }
            Err(BootstrapError::Account(error)) => Err(error.into()),
        }
    })
}
