//! `rampart drill restore`: proves the newest backup can be restored, and how fast. It is
//! restored into a scratch database (a temporary SQLite file, or `--into` a fresh PostgreSQL
//! database), verified like any restore, and the scratch copy is removed. RTO (seconds the
//! restore took) and RPO (how old the restored data was) are recorded in `restore_drills`, shown
//! as metrics, and audited as `backup_drill`.

use std::path::PathBuf;

use rampart_crypto::{BackupIdentities, MasterKey};
use rampart_domain::AuditAction;
use rampart_store::backups::{RestoreDrill, insert_restore_drill};
use rampart_store::{Db, PoolSettings};
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::BackupError;
use super::manifest::list_backups;
use super::restore::restore_backup;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::unit_of_work::UnitOfWork;

#[derive(Debug, Clone)]
pub struct DrillReport {
    pub backup: PathBuf,
    pub rto_seconds: f64,
    pub rpo_seconds: f64,
    pub rows: u64,
    pub audit_entries: u64,
}

/// Restores the newest backup of `backup.directory` into a scratch database and records the
/// outcome. `into`: a fresh database URL to use instead of a temporary SQLite file.
pub async fn drill_restore(
    state: &AppState,
    master: &MasterKey,
    identities: BackupIdentities,
    into: Option<&secrecy::SecretString>,
) -> Result<DrillReport, BackupError> {
    let started_at = state.clock.now();
    let result = run_drill(state, master, identities, into).await;
    let finished_at = state.clock.now();
    let drill = RestoreDrill {
        id: Uuid::new_v4(),
        started_at,
        finished_at,
        outcome: if result.is_ok() { "success" } else { "failure" }.to_owned(),
        backup_file: result.as_ref().ok().and_then(|r| file_name(&r.backup)),
        rto_seconds: result.as_ref().ok().map(|report| report.rto_seconds),
        rpo_seconds: result.as_ref().ok().map(|report| report.rpo_seconds),
        error: result.as_ref().err().map(ToString::to_string),
    };
    let mut work = UnitOfWork::begin(state).await?;
    insert_restore_drill(work.db(), &drill).await?;
    let event = match &result {
        Ok(report) => AuditEvent::success(AuditAction::BackupDrill)
            .target(format!("backup:{}", drill.backup_file.clone().unwrap_or_default()))
            .detail("rto_seconds", report.rto_seconds)
            .detail("rpo_seconds", report.rpo_seconds)
            .detail("rows", report.rows),
        Err(error) => {
            AuditEvent::failure(AuditAction::BackupDrill).detail("reason", error.to_string())
        }
    };
    work.record(event);
    work.commit().await?;
    result
}

fn file_name(path: &std::path::Path) -> Option<String> {
    path.file_name().map(|name| name.to_string_lossy().into_owned())
}

async fn run_drill(
    state: &AppState,
    master: &MasterKey,
    identities: BackupIdentities,
    into: Option<&secrecy::SecretString>,
) -> Result<DrillReport, BackupError> {
    let directory = state.settings.backup.directory(&state.settings.storage);
    let (path, manifest) = list_backups(&directory)?
        .pop()
        .ok_or_else(|| BackupError::NoBackup(directory.display().to_string()))?;
    let rpo_seconds = (state.clock.now() - manifest.header.created_at).as_seconds_f64().max(0.0);

    let scratch = Scratch::new(into)?;
    let clock = std::time::Instant::now();
    let outcome = async {
        let db = Db::connect(scratch.url.expose_secret(), &PoolSettings::default()).await?;
        db.migrate().await?;
        let restored = restore_backup(&db, master, &path, identities).await;
        if scratch.directory.is_none() {
            // A database given with --into keeps no copy of the data after the drill.
            rampart_store::backup::Restore::begin_replacing(&db).await?.finish().await?;
        }
        db.close().await;
        restored
    }
    .await;
    let rto_seconds = clock.elapsed().as_secs_f64();
    drop(scratch);
    let restored = outcome?;
    Ok(DrillReport {
        backup: path,
        rto_seconds,
        rpo_seconds,
        rows: restored.rows,
        audit_entries: restored.audit_entries,
    })
}

/// Where a drill restores to; a temporary SQLite directory is removed when dropped.
struct Scratch {
    url: secrecy::SecretString,
    directory: Option<PathBuf>,
}

impl Scratch {
    fn new(into: Option<&secrecy::SecretString>) -> Result<Self, BackupError> {
        if let Some(url) = into {
            return Ok(Self { url: url.clone(), directory: None });
        }
        let directory = std::env::temp_dir().join(format!("rampart-drill-{}", Uuid::new_v4()));
        super::files::ensure_private_directory(&directory)?;
        let url = format!("sqlite:{}", directory.join("drill.db").display());
        Ok(Self { url: url.into(), directory: Some(directory) })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(directory) = &self.directory {
            let _ = std::fs::remove_dir_all(directory);
        }
    }
}
