//! `rampart backup create` (and each scheduled backup): one snapshot of the whole database,
//! streamed table by table into an age-encrypted file while the server keeps serving, then the
//! manifest. Every attempt is recorded (`backup_runs`) and audited; a failure is audited as
//! `backup_failed`, which raises the alert of the same name.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use futures_util::TryStreamExt;
use rampart_crypto::{BackupRecipients, Digesting};
use rampart_domain::AuditAction;
use rampart_store::backup::{Cell, ColumnKind, Snapshot, TableShape, schema_version, table_shapes};
use rampart_store::backups::{BackupRun, insert_backup_run};
use time::OffsetDateTime;
use time::macros::format_description;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::BackupError;
use super::files::{create_private_file, ensure_private_directory};
use super::format::{FORMAT, FORMAT_VERSION, Header, Writer};
use super::manifest::{AuditHead, MANIFEST_FORMAT, Manifest, manifest_path, write_manifest};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::unit_of_work::UnitOfWork;

/// Rows handed from the reading task to the writing thread at a time.
const ROWS_PER_CHUNK: usize = 512;

/// A backup that was written.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    pub manifest: Manifest,
    pub seconds: f64,
}

/// Makes a backup now. The attempt is recorded and audited whatever its outcome.
pub async fn create_backup(state: &AppState) -> Result<BackupReport, BackupError> {
    let started_at = state.clock.now();
    let clock = std::time::Instant::now();
    let result = write_backup(state, started_at).await;
    let finished_at = state.clock.now();
    let run = BackupRun {
        id: Uuid::new_v4(),
        started_at,
        finished_at,
        outcome: if result.is_ok() { "success" } else { "failure" }.to_owned(),
        file_name: result.as_ref().ok().map(|report| report.manifest.file.clone()),
        sha256: result.as_ref().ok().map(|report| report.manifest.sha256.clone()),
        size_bytes: result
            .as_ref()
            .ok()
            .map(|r| i64::try_from(r.manifest.size_bytes).unwrap_or(i64::MAX)),
        row_count: result
            .as_ref()
            .ok()
            .map(|r| i64::try_from(r.manifest.row_count).unwrap_or(i64::MAX)),
        error: result.as_ref().err().map(ToString::to_string),
    };
    let event = match &result {
        Ok(report) => AuditEvent::success(AuditAction::BackupCreated)
            .target(format!("backup:{}", report.manifest.file))
            .detail("rows", report.manifest.row_count)
            .detail("size_bytes", report.manifest.size_bytes)
            .detail("sha256", report.manifest.sha256.as_str())
            .detail("audit_head_seq", report.manifest.audit_head.seq),
        Err(error) => {
            tracing::error!(error = %error, "backup failed");
            AuditEvent::failure(AuditAction::BackupFailed).detail("reason", error.to_string())
        }
    };
    // The run and its event commit together.
    let mut work = UnitOfWork::begin(state).await?;
    insert_backup_run(work.db(), &run).await?;
    work.record(event);
    work.commit().await?;
    result.map(|mut report| {
        report.seconds = clock.elapsed().as_secs_f64();
        report
    })
}

async fn write_backup(
    state: &AppState,
    started_at: OffsetDateTime,
) -> Result<BackupReport, BackupError> {
    let settings = &state.settings.backup;
    let recipients = BackupRecipients::parse(&settings.recipients)?;
    let directory = settings.directory(&state.settings.storage);
    ensure_private_directory(&directory)?;
    let shapes = table_shapes(&state.db).await?;
    let header = Header {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        rampart_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: schema_version(&state.db).await?,
        engine: state.db.engine().name().to_owned(),
        created_at: started_at,
    };
    let name = file_name(started_at);
    let path = directory.join(&name);
    let partial = path.with_extension("age.partial");
    let file = create_private_file(&partial)?;

    let (sender, receiver) = mpsc::channel(16);
    let writing = {
        let (recipients, header) = (recipients.clone(), header.clone());
        tokio::task::spawn_blocking(move || write_file(file, &recipients, &header, receiver))
    };
    let read = read_snapshot(state, &shapes, sender).await;
    let written = writing.await.map_err(|_| BackupError::TaskFailed);
    let (audit_head, written) = match (read, written) {
        (Ok(head), Ok(Ok(written))) => (head, written),
        (_, Ok(Err(error)) | Err(error)) | (Err(error), _) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, &path)?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        file: name,
        sha256: written.sha256,
        size_bytes: written.size_bytes,
        header,
        audit_head,
        row_count: written.rows.values().sum(),
        rows: written.rows,
        recipients: settings.recipients.iter().map(|key| key.trim().to_owned()).collect(),
    };
    if let Err(error) = write_manifest(&path, &manifest) {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(manifest_path(&path));
        return Err(error);
    }
    Ok(BackupReport { path, manifest, seconds: 0.0 })
}

/// `rampart-20261201T143000Z-1a2b3c4d.age`: names sort by time; the suffix keeps two backups
/// of the same second apart.
fn file_name(at: OffsetDateTime) -> String {
    let stamp = at
        .format(format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_else(|_| "undated".to_owned());
    let suffix = Uuid::new_v4().simple().to_string();
    format!("rampart-{stamp}-{}.age", &suffix[..8])
}

enum Chunk {
    Table(String, Vec<(String, ColumnKind)>),
    Rows(Vec<Vec<Cell>>),
}

/// Reads every table inside one snapshot and hands the rows to the writer. Returns the audit
/// chain's head as the snapshot saw it.
async fn read_snapshot(
    state: &AppState,
    shapes: &[TableShape],
    sender: mpsc::Sender<Chunk>,
) -> Result<AuditHead, BackupError> {
    let stopped = || BackupError::TaskFailed;
    let mut snapshot = Snapshot::begin(&state.db).await?;
    let mut head = None;
    for shape in shapes {
        let columns = shape.columns.iter().map(|c| (c.name.clone(), c.kind())).collect();
        sender.send(Chunk::Table(shape.name.clone(), columns)).await.map_err(|_| stopped())?;
        let mut rows = snapshot.rows(shape);
        let mut chunk = Vec::with_capacity(ROWS_PER_CHUNK);
        while let Some(row) = rows.try_next().await? {
            if shape.name == "audit_head" {
                head = Some(audit_head_of(shape, &row)?);
            }
            chunk.push(row);
            if chunk.len() == ROWS_PER_CHUNK {
                sender
                    .send(Chunk::Rows(std::mem::take(&mut chunk)))
                    .await
                    .map_err(|_| stopped())?;
            }
        }
        drop(rows);
        if !chunk.is_empty() {
            sender.send(Chunk::Rows(chunk)).await.map_err(|_| stopped())?;
        }
    }
    snapshot.finish().await?;
    head.ok_or(BackupError::Format("the database has no audit chain head"))
}

fn audit_head_of(shape: &TableShape, row: &[Cell]) -> Result<AuditHead, BackupError> {
    let cell = |name: &str| {
        shape.columns.iter().position(|column| column.name == name).and_then(|i| row.get(i))
    };
    match (cell("seq"), cell("hash")) {
        (Some(Cell::Integer(seq)), Some(Cell::Bytes(hash))) => {
            Ok(AuditHead { seq: *seq, hash: hex::encode(hash) })
        }
        _ => Err(BackupError::Format("the audit chain head is not readable")),
    }
}

struct Written {
    rows: BTreeMap<String, u64>,
    sha256: String,
    size_bytes: u64,
}

/// The writing thread: JSON lines → age → SHA-256 → the file, flushed to disk before it
/// counts as written.
fn write_file(
    file: File,
    recipients: &BackupRecipients,
    header: &Header,
    mut receiver: mpsc::Receiver<Chunk>,
) -> Result<Written, BackupError> {
    let digesting = Digesting::new(BufWriter::with_capacity(1 << 20, file));
    let encrypted = recipients.encrypt(digesting)?;
    let mut writer = Writer::start(BufWriter::with_capacity(1 << 20, encrypted), header)?;
    while let Some(chunk) = receiver.blocking_recv() {
        match chunk {
            Chunk::Table(name, columns) => writer.table(&name, columns)?,
            Chunk::Rows(rows) => {
                for row in rows {
                    writer.row(&row)?;
                }
            }
        }
    }
    let (buffered, rows) = writer.finish()?;
    let encrypted = buffered.into_inner().map_err(|error| error.into_error())?;
    let (mut buffered_file, sha256, size_bytes) = encrypted.finish()?.finish();
    buffered_file.flush()?;
    let file = buffered_file.into_inner().map_err(|error| error.into_error())?;
    file.sync_all()?;
    Ok(Written { rows, sha256, size_bytes })
}
