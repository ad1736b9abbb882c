//! `rampart backup create | verify | list | keygen`, `rampart restore`, `rampart drill restore`.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;
use rampart_core::audit::AuditEvent;
use rampart_core::backup::{
    create_backup, drill_restore, list_backups, restore_backup, verify_backup,
};
use rampart_core::boot::{ExistingInstallation, RestoreTarget};
use rampart_core::config;
use rampart_core::unit_of_work::record;
use rampart_crypto::{BackupIdentities, MasterKey};
use rampart_domain::AuditAction;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

pub(crate) fn create(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    super::runtime()?.block_on(async {
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let report = create_backup(&state).await?;
        let manifest = &report.manifest;
        println!(
            "backup written: {} ({} rows, {} bytes, {:.1} s)\nsha256 {}\naudit chain head: entry {}",
            report.path.display(),
            manifest.row_count,
            manifest.size_bytes,
            report.seconds,
            manifest.sha256,
            manifest.audit_head.seq,
        );
        Ok(())
    })
}

pub(crate) fn verify(file: Option<&Path>, backup: &Path, identity: &Path) -> anyhow::Result<()> {
    // The configuration is not needed to check a file, but a broken one is worth hearing of.
    config::load(file)?;
    let identities = read_identities(identity)?;
    let report = verify_backup(backup, &identities)
        .with_context(|| format!("{} is NOT a good backup", backup.display()))?;
    let header = &report.header;
    println!(
        "backup OK: {} rows in {} tables, made {} by Rampart {} from {} (schema {})",
        report.row_count(),
        report.rows.len(),
        header.created_at.format(&Rfc3339).unwrap_or_default(),
        header.rampart_version,
        header.engine,
        header.schema_version,
    );
    match &report.manifest {
        Some(_) => println!("manifest matches (sha256 {})", report.sha256),
        None => println!("no manifest beside it; sha256 {}", report.sha256),
    }
    Ok(())
}

pub(crate) fn list(file: Option<&Path>) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    let directory = settings.backup.directory(&settings.storage);
    let backups = list_backups(&directory)?;
    if backups.is_empty() {
        println!("no backups in {}", directory.display());
    }
    for (path, manifest) in backups {
        println!(
            "{}  {}  {} rows  {} bytes  audit head {}",
            manifest.header.created_at.format(&Rfc3339).unwrap_or_default(),
            path.display(),
            manifest.row_count,
            manifest.size_bytes,
            manifest.audit_head.seq,
        );
    }
    Ok(())
}

pub(crate) fn keygen(output: &Path) -> anyhow::Result<()> {
    let (identity, recipient) = BackupIdentities::generate();
    let identity = Zeroizing::new(identity);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(output)
        .with_context(|| format!("{} (it must not exist yet)", output.display()))?;
    writeln!(file, "# Rampart backup identity: decrypts backups. Keep it off the server.")?;
    writeln!(file, "# public key: {recipient}")?;
    writeln!(file, "{}", identity.as_str())?;
    file.sync_all()?;
    println!("identity written to {} (0600)", output.display());
    println!("add to backup.recipients: {recipient}");
    Ok(())
}

pub(crate) fn restore(
    file: Option<&Path>,
    backup: &Path,
    identity: &Path,
    into: Option<String>,
) -> anyhow::Result<()> {
    let mut settings = config::load(file)?;
    if let Some(url) = into {
        settings.database.url = Some(url.into());
        settings.database.migration_url = None;
    }
    let identities = read_identities(identity)?;
    super::runtime()?.block_on(async {
        let target = RestoreTarget::open(&settings).await?;
        let report = restore_backup(&target.db, &target.master_key, backup, identities).await?;
        target.db.close().await;
        let state = ExistingInstallation::open(&settings).await?.into_app_state(settings).await?;
        let created_at = report.header.created_at.format(&Rfc3339).unwrap_or_default();
        let event = AuditEvent::success(AuditAction::BackupRestored)
            .target(format!("backup:{}", backup.file_name().unwrap_or_default().to_string_lossy()))
            .detail("rows", report.rows)
            .detail("from_engine", report.header.engine.as_str())
            .detail("created_at", created_at.as_str());
        record(&state, event).await?;
        println!(
            "restored {} rows from {} ({} backup made {created_at}) in {:.1} s",
            report.rows,
            backup.display(),
            report.header.engine,
            report.seconds,
        );
        println!(
            "audit trail verified: {} entries{}",
            report.audit_entries,
            if report.manifest_checked { ", manifest matched" } else { " (no manifest found)" }
        );
        Ok(())
    })
}

pub(crate) fn drill(
    file: Option<&Path>,
    identity: &Path,
    into: Option<String>,
) -> anyhow::Result<()> {
    let settings = config::load(file)?;
    let identities = read_identities(identity)?;
    super::runtime()?.block_on(async {
        let installation = ExistingInstallation::open(&settings).await?;
        // The drill needs the key after the state has taken the installation.
        let master_key = MasterKey::from_bytes(installation.master_key.expose_bytes())?;
        let state = installation.into_app_state(settings).await?;
        let into = into.map(secrecy::SecretString::from);
        let report = drill_restore(&state, &master_key, identities, into.as_ref()).await?;
        println!(
            "drill passed: {} restored and verified ({} rows, {} audit entries)",
            report.backup.display(),
            report.rows,
            report.audit_entries
        );
        println!(
            "RTO {:.1} s (time to restore), RPO {:.0} s (age of the data)",
            report.rto_seconds, report.rpo_seconds
        );
        Ok(())
    })
}

fn read_identities(path: &Path) -> anyhow::Result<BackupIdentities> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("identity file {}", path.display()))?,
    );
    Ok(BackupIdentities::parse(&text)?)
}
