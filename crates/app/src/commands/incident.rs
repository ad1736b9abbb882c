//! `rampart incident lockdown on|off [--reason TEXT]`: containment from the command line, for
//! when nobody can (or should) sign in. `rampart incident report | verify-bundle | notify`: the
//! forensics bundle and notifying affected people (`rampart_server::incident::{report, notify}`).

use std::path::Path;

use anyhow::{Context, bail};
use rampart_domain::Email;
use rampart_server::incident::lockdown::set_lockdown;
use rampart_server::incident::notify::{NotifyRequest, Template, notify_affected};
use rampart_server::incident::report::{Window, verify_bundle as check_bundle, write_report};
use rampart_server::{ExistingInstallation, config};

use super::audit::parse_time;

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

pub(crate) fn report(
    file: Option<&Path>,
    since: &str,
    until: Option<&str>,
    directory: &Path,
) -> anyhow::Result<()> {
    let since = parse_time(since).context("--since")?;
    let until = match until {
        Some(until) => parse_time(until).context("--until")?,
        None => time::OffsetDateTime::now_utc(),
    };
    let window = Window::new(since, until)?;
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let summary = write_report(&state, directory, window).await?;
        println!(
            "forensics bundle written to {}: {} events, {} alerts, {} files, signed at audit head {}",
            summary.directory.display(),
            summary.events,
            summary.alerts,
            summary.files,
            summary.audit_head_seq
        );
        Ok(())
    })
}

pub(crate) fn verify_bundle(
    file: Option<&Path>,
    directory: &Path,
    public_key: Option<&str>,
) -> anyhow::Result<()> {
    let trusted = match public_key {
        Some(text) => vec![parse_public_key(text)?],
        None => installation_audit_keys(file).context(
            "verify-bundle checks the signer against this installation's audit keys: run it \
             where Rampart is installed, or give --public-key HEX",
        )?,
    };
    match check_bundle(directory, &trusted) {
        Ok(check) => {
            println!(
                "bundle intact: {} files match the manifest, signed by audit key v{} (window {} to {}, audit head {})",
                check.files, check.key_version, check.since, check.until, check.audit_head_seq
            );
            Ok(())
        }
        Err(problem) => bail!("bundle NOT intact: {problem}"),
    }
}

fn parse_public_key(text: &str) -> anyhow::Result<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .context("--public-key must be 64 hex digits (an Ed25519 public key, as `rampart audit public-key` prints)")
}

fn installation_audit_keys(file: Option<&Path>) -> anyhow::Result<Vec<[u8; 32]>> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let keys = state.keyring.current().audit_public_keys()?;
        Ok(keys.into_iter().map(|(_, key)| key).collect())
    })
}

pub(crate) fn notify(
    file: Option<&Path>,
    read_by: &str,
    since: &str,
    until: &str,
    template: &Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    let read_by = Email::parse(read_by).context("--read-by")?;
    let window =
        Window::new(parse_time(since).context("--since")?, parse_time(until).context("--until")?)?;
    let text = std::fs::read_to_string(template)
        .with_context(|| format!("cannot read the template {}", template.display()))?;
    let template = Template::parse(&text)?;
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let request = NotifyRequest { read_by: &read_by, window, template: &template, dry_run };
        let outcome = notify_affected(&state, request).await?;
        if dry_run {
            println!("{}", outcome.notified);
        } else {
            println!(
                "{} people notified (batch {}; {} had been already); the messages are in the outbox, sent by the server's mail worker",
                outcome.notified, outcome.batch_id, outcome.already_notified
            );
        }
        Ok(())
    })
}
