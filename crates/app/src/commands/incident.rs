//! `rampart incident …`: incidents (open, update, close, list, show with the timeline) and
//! containment from the command line — lockdown, revoking sessions and API keys, disabling an
//! account, forcing password resets, rotating keys — for when nobody can (or should) sign in;
//! then the forensics bundle (`report`, `verify-bundle`) and notifying the people affected
//! (`notify`). The logic is the server's (`rampart_core::incident`); this file parses and
//! prints.

use std::path::Path;

use anyhow::{Context, bail};
use rampart_core::accounts::find_account_by_email;
use rampart_core::boot::ExistingInstallation;
use rampart_core::incident::Actor;
use rampart_core::incident::containment::{
    Containment, ContainmentReport, ResetScope, disable_user, force_password_reset,
    revoke_api_keys, revoke_sessions, rotate_keys, valid_reason,
};
use rampart_core::incident::incidents::{
    IncidentChange, find_changeable_incident, open_incident, update_incident,
};
use rampart_core::incident::lockdown::set_lockdown;
use rampart_core::incident::notify::{NotifyRequest, Template, notify_affected};
use rampart_core::incident::report::{Window, verify_bundle as check_bundle, write_report};
use rampart_core::incident::timeline::timeline;
use rampart_core::{AppState, config};
use rampart_crypto::{MasterKey, Purpose};
use rampart_domain::incident::Severity;
use rampart_domain::{Email, IncidentNote, IncidentStatus, IncidentSummary};
use rampart_store::incidents::{IncidentRow, find_incident, list_incidents};
use uuid::Uuid;

use super::audit::parse_time;
use crate::cli::{ContainmentArgs, IncidentCommand};

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

/// Every incident command but lockdown.
pub(crate) fn run(file: Option<&Path>, command: IncidentCommand) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        // Key rotation needs the master key, which the state does not keep.
        let master = MasterKey::from_bytes(installation.master_key.expose_bytes())?;
        let state = installation.into_app_state(settings).await?;
        match command {
            IncidentCommand::Lockdown { .. }
            | IncidentCommand::Report { .. }
            | IncidentCommand::VerifyBundle { .. }
            | IncidentCommand::Notify { .. } => bail!("handled by its own function"),
            IncidentCommand::Open { severity, summary, note } => {
                let row = open_incident(
                    &state,
                    parse_severity(&severity)?,
                    IncidentSummary::parse(&summary)?,
                    note.as_deref().map(IncidentNote::parse).transpose()?,
                    Actor::Cli,
                )
                .await?;
                println!("opened incident {} ({}): {}", row.id, row.severity, row.summary);
            }
            IncidentCommand::Update { id, severity, summary, status, note } => {
                let change = IncidentChange {
                    severity: severity.as_deref().map(parse_severity).transpose()?,
                    summary: summary.as_deref().map(IncidentSummary::parse).transpose()?,
                    status: status.as_deref().and_then(IncidentStatus::parse),
                    note: note.as_deref().map(IncidentNote::parse).transpose()?,
                };
                let row = update_incident(&state, parse_id(&id)?, change, Actor::Cli).await?;
                println!("incident {} is {} ({})", row.id, row.status, row.severity);
            }
            IncidentCommand::Close { id, note } => {
                let change = IncidentChange {
                    status: Some(IncidentStatus::Closed),
                    note: note.as_deref().map(IncidentNote::parse).transpose()?,
                    ..IncidentChange::default()
                };
                let row = update_incident(&state, parse_id(&id)?, change, Actor::Cli).await?;
                println!("incident {} is closed", row.id);
            }
            IncidentCommand::List { status } => {
                for row in list_incidents(&state.db, status.as_deref(), 200).await? {
                    print_incident(&row);
                }
            }
            IncidentCommand::Show { id } => show(&state, parse_id(&id)?).await?,
            IncidentCommand::RevokeSessions { user, why } => {
                let user = match user {
                    Some(address) => Some(user_id(&state, &address).await?),
                    None => None,
                };
                let report =
                    revoke_sessions(&state, user, containment(&state, &why).await?).await?;
                print_report("sessions revoked", &report);
            }
            IncidentCommand::RevokeApiKeys { why } => {
                let report = revoke_api_keys(&state, containment(&state, &why).await?).await?;
                print_report("API keys revoked", &report);
            }
            IncidentCommand::DisableUser { email, why } => {
                let user = user_id(&state, &email).await?;
                let report = disable_user(&state, user, containment(&state, &why).await?).await?;
                print_report("account disabled", &report);
            }
            IncidentCommand::ForcePasswordReset { all, user, why } => {
                let scope = if all {
                    ResetScope::All
                } else {
                    let mut users = Vec::new();
                    for address in &user {
                        users.push(user_id(&state, address).await?);
                    }
                    ResetScope::Listed(users)
                };
                let how = containment(&state, &why).await?;
                let report = force_password_reset(&state, scope, how).await?;
                print_report("passwords reset", &report);
            }
            IncidentCommand::RotateKeys { purpose, why } => {
                let purposes = parse_purposes(&purpose)?;
                let how = containment(&state, &why).await?;
                let report = rotate_keys(&state, &master, &purposes, how).await?;
                for (purpose, version) in &report.rotated {
                    println!("{purpose}: now v{version} for new writes");
                }
                let reencrypted = &report.reencrypted;
                println!(
                    "re-encrypted: checked {} values, rewrote {}; old versions retire at the next \
                     `rampart keys reencrypt` once every instance has the new keys (5 minutes)",
                    reencrypted.checked, reencrypted.rewritten
                );
            }
        }
        Ok(())
    })
}

async fn containment<'a>(
    state: &AppState,
    why: &'a ContainmentArgs,
) -> anyhow::Result<Containment<'a>> {
    let incident = match &why.incident {
        Some(id) => Some(find_changeable_incident(state, parse_id(id)?).await?.id),
        None => None,
    };
    Ok(Containment { actor: Actor::Cli, incident, reason: valid_reason(&why.reason)? })
}

async fn show(state: &AppState, id: Uuid) -> anyhow::Result<()> {
    let row = find_incident(&state.db, id).await?.context("no such incident")?;
    print_incident(&row);
    for entry in timeline(state, &row).await? {
        let at = entry.at.format(&time::format_description::well_known::Rfc3339)?;
        let who = entry.actor.map_or_else(|| "-".to_owned(), |id| id.to_string());
        let from = source(&entry);
        let what = entry.text.or(entry.target).unwrap_or_default();
        println!("  {at}  {from:<6} {:<28} {who:<36}  {what}", entry.kind);
    }
    Ok(())
}

fn source(entry: &rampart_core::incident::timeline::TimelineEntry) -> &'static str {
    use rampart_core::incident::timeline::TimelineSource;
    match entry.source {
        TimelineSource::Note => "note",
        TimelineSource::Alert => "alert",
        TimelineSource::Audit => "audit",
    }
}

fn print_incident(row: &IncidentRow) {
    let closed = row.closed_at.map(|at| format!(", closed {}", at.date())).unwrap_or_default();
    println!(
        "{}  {:<9} {:<8} opened {}{closed}  {}",
        row.id,
        row.status,
        row.severity,
        row.opened_at.date(),
        row.summary
    );
}

fn print_report(what: &str, report: &ContainmentReport) {
    println!(
        "{what}: {} sessions ended, {} API keys revoked, {} accounts disabled, {} passwords \
         reset, {} reset e-mails queued",
        report.sessions_ended,
        report.api_keys_revoked,
        report.users_disabled,
        report.passwords_reset,
        report.emails_queued
    );
}

fn parse_id(id: &str) -> anyhow::Result<Uuid> {
    Uuid::parse_str(id).context("the incident id is not a UUID")
}

fn parse_severity(name: &str) -> anyhow::Result<Severity> {
    Severity::parse(name).context("severity: expected low, medium, high or critical")
}

fn parse_purposes(purpose: &str) -> anyhow::Result<Vec<Purpose>> {
    if purpose == "all" {
        return Ok(Purpose::ALL.to_vec());
    }
    Ok(vec![Purpose::parse(purpose).with_context(|| {
        format!(
            "unknown purpose {purpose:?}: expected all, {}",
            Purpose::ALL.map(Purpose::name).join(", ")
        )
    })?])
}

/// The account with this address; the error does not repeat the address (it may be pasted
/// into a ticket).
async fn user_id(state: &AppState, address: &str) -> anyhow::Result<Uuid> {
    let email = Email::parse(address).ok().context("not an e-mail address")?;
    Ok(find_account_by_email(state, &email).await?.context("no account with that address")?.id)
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
