//! `rampart audit verify | public-key | export`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use rampart_core::alerts::verify_and_alert;
use rampart_core::audit::{
    AuditEvent, Verification, closed_segments, export_events, start_new_segment,
};
use rampart_core::boot::ExistingInstallation;
use rampart_core::config;
use rampart_core::unit_of_work::record;
use rampart_domain::AuditAction;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub(crate) fn verify(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        match verify_and_alert(&state).await? {
            Verification::Intact(summary) => {
                println!(
                    "audit trail intact: {} entries checked up to {}, {} signed checkpoints match",
                    summary.entries, summary.head_seq, summary.checkpoints
                );
                for closed in closed_segments(&state.db).await? {
                    println!(
                        "closed segment {}: {} (closed {}; the next segment starts at entry {})",
                        closed.segment,
                        closed.finding,
                        closed.closed_at.format(&Rfc3339).unwrap_or_default(),
                        closed.next_first_seq
                    );
                }
                Ok(())
            }
            Verification::Broken(found) => {
                bail!("audit trail NOT intact: {found} (raised as the audit_chain_broken alert)")
            }
        }
    })
}

pub(crate) fn new_segment(file: Option<&Path>, confirm: bool) -> anyhow::Result<()> {
    if !confirm {
        bail!(
            "this closes the broken audit segment for good: run `rampart audit verify` and \
             `rampart audit export --output FILE` first, then add --confirm"
        );
    }
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let started = start_new_segment(&state).await?;
        println!(
            "segment {} closed ({}); segment {} starts at entry {}: audited actions work again",
            started.segment - 1,
            started.finding,
            started.segment,
            started.first_seq
        );
        Ok(())
    })
}

pub(crate) fn public_key(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        for (version, key) in state.keyring.current().audit_public_keys()? {
            println!("v{version} ed25519 {}", hex::encode(key));
        }
        Ok(())
    })
}

pub(crate) fn export(
    file: Option<&Path>,
    since: Option<&str>,
    until: Option<&str>,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let since = since.map(parse_time).transpose().context("--since")?;
    let until = until.map(parse_time).transpose().context("--until")?;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(create_private_file(path)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let written = export_events(&state.db, since, until, &mut out).await?;
        out.flush()?;
        let mut event = AuditEvent::success(AuditAction::AuditExported)
            .detail("format", "ocsf")
            .detail("events", written);
        if let Some(since) = since {
            event = event.detail("since", since.format(&Rfc3339)?);
        }
        if let Some(until) = until {
            event = event.detail("until", until.format(&Rfc3339)?);
        }
        record(&state, event).await?;
        eprintln!("exported {written} events");
        Ok(())
    })
}

/// A new file only its owner can read: an export names people and addresses.
fn create_private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

/// RFC 3339, or a bare date meaning its midnight UTC.
pub(super) fn parse_time(text: &str) -> anyhow::Result<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text, &format)
        .with_context(|| format!("{text:?} is neither RFC 3339 nor a date such as 2026-12-01"))?;
    Ok(date.midnight().assume_utc())
}
