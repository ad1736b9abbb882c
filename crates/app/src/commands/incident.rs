//! `rampart incident …`: incidents (open, update, close, list, show with the timeline) and
//! containment from the command line — lockdown, revoking sessions and API keys, disabling an
//! account, forcing password resets, rotating keys — for when nobody can (or should) sign in.
//! The logic is the server's (`rampart_server::incident`); this file parses and prints.

use std::path::Path;

use anyhow::{Context, bail};
use rampart_crypto::{MasterKey, Purpose};
use rampart_domain::incident::Severity;
use rampart_domain::{Email, IncidentNote, IncidentStatus, IncidentSummary};
use rampart_server::accounts::find_account_by_email;
use rampart_server::incident::Actor;
use rampart_server::incident::containment::{
    Containment, ContainmentReport, ResetScope, disable_user, force_password_reset,
    revoke_api_keys, revoke_sessions, rotate_keys, valid_reason,
};
use rampart_server::incident::incidents::{
    IncidentChange, find_changeable_incident, open_incident, update_incident,
};
use rampart_server::incident::lockdown::set_lockdown;
use rampart_server::incident::timeline::timeline;
use rampart_server::{AppState, ExistingInstallation, config};
use rampart_store::incidents::{IncidentRow, find_incident, list_incidents};
use uuid::Uuid;

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
            IncidentCommand::Lockdown { .. } => bail!("handled by `lockdown`"),
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

fn source(entry: &rampart_server::incident::timeline::TimelineEntry) -> &'static str {
    use rampart_server::incident::timeline::TimelineSource;
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
