//! `rampart restore`: a backup written into a fresh database of either engine, in one
//! transaction, then checked: the restored data keys must unwrap under this installation's master
//! key (before anything is committed), and the restored audit chain must verify (after). A
//! restore that fails either check leaves the target as fresh as it found it.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use futures_util::TryStreamExt;
use rampart_crypto::{BackupIdentities, Digesting, MasterKey};
use rampart_store::Db;
use rampart_store::backup::{Cell, Restore, Snapshot, TableShape, schema_version, table_shapes};
use rampart_store::keys::StoredKey;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::BackupError;
use super::format::{Header, Item, open_encrypted};
use super::manifest::read_manifest;
use crate::audit::{Verification, verify_chain};
use crate::keys::{load_keyring, unwrap_all};

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub header: Header,
    pub rows: u64,
    /// Entries of the restored audit chain that verified.
    pub audit_entries: u64,
    /// Whether a manifest was found beside the file and matched it.
    pub manifest_checked: bool,
    pub seconds: f64,
}

enum Read {
    Header(Header),
    Table { name: String, columns: Vec<String> },
    Rows(Vec<Vec<Cell>>),
    Done(std::collections::BTreeMap<String, u64>),
}

/// Restores `path` into `target` (migrated, without an installation) with `identities`, and
/// checks it with `master`.
pub async fn restore_backup(
    target: &Db,
    master: &MasterKey,
    path: &Path,
    identities: BackupIdentities,
) -> Result<RestoreReport, BackupError> {
    let started = std::time::Instant::now();
    let manifest = read_manifest(path)?;
    if let Some(manifest) = &manifest {
        // Before anything is touched: is this the file the manifest describes?
        let (sha256, size_bytes) = digest_of_file(path)?;
        if manifest.sha256 != sha256 || manifest.size_bytes != size_bytes {
            return Err(BackupError::ManifestMismatch("its SHA-256 differs"));
        }
    }
    let fresh_rows = capture_rows(target).await?;
    let mut restore = Restore::begin(target).await?;

    let file = File::open(path)?;
    let (sender, mut receiver) = mpsc::channel(16);
    let reading = tokio::task::spawn_blocking(move || read_file(file, &identities, &sender));

    let mut header = None;
    let mut done = None;
    let mut keys = KeyRows::default();
    let current_schema = schema_version(target).await?;
    while let Some(read) = receiver.recv().await {
        match read {
            Read::Header(found) => {
                if found.schema_version != current_schema {
                    return Err(BackupError::SchemaMismatch {
                        backup: found.schema_version,
                        current: current_schema,
                        made_by: found.rampart_version,
                    });
                }
                header = Some(found);
            }
            Read::Table { name, columns } => {
                keys.start(&name, &columns);
                restore.start_table(&name, &columns).await?;
            }
            Read::Rows(rows) => {
                for cells in rows {
                    keys.take(&cells);
                    restore.push_row(cells).await?;
                }
            }
            Read::Done(counts) => done = Some(counts),
        }
    }
    reading.await.map_err(|_| BackupError::TaskFailed)??;
    let (Some(header), Some(counts)) = (header, done) else {
        return Err(BackupError::TaskFailed);
    };
    if let Some(manifest) = &manifest
        && (manifest.rows != counts || manifest.header != header)
    {
        return Err(BackupError::ManifestMismatch("its contents differ"));
    }
    // The keys must open under this master key before anything is kept.
    unwrap_all(master, &keys.rows).map_err(|_| BackupError::WrongMasterKey)?;
    let rows = restore.finish().await?;

    match check_restored(target, master, manifest.as_ref().map(|m| m.audit_head.seq)).await {
        Ok(audit_entries) => Ok(RestoreReport {
            header,
            rows,
            audit_entries,
            manifest_checked: manifest.is_some(),
            seconds: started.elapsed().as_secs_f64(),
        }),
        Err(error) => {
            put_back(target, fresh_rows).await?;
            Err(error)
        }
    }
}

/// The restored trail must verify end to end, and end where the manifest says it did.
async fn check_restored(
    target: &Db,
    master: &MasterKey,
    expected_head: Option<i64>,
) -> Result<u64, BackupError> {
    let keyring = load_keyring(target, master).await.map_err(|_| BackupError::WrongMasterKey)?;
    match verify_chain(target, &keyring).await {
        Ok(Verification::Intact(summary)) => {
            if expected_head.is_some_and(|seq| seq != summary.head_seq) {
                return Err(BackupError::AuditBroken(format!(
                    "it ends at entry {}, the manifest says {}",
                    summary.head_seq,
                    expected_head.unwrap_or_default()
                )));
            }
            Ok(summary.entries)
        }
        Ok(Verification::Broken(found)) => Err(BackupError::AuditBroken(found.to_string())),
        Err(error) => Err(BackupError::AuditBroken(error.to_string())),
    }
}

/// Every row of the fresh target (what its migrations seeded), to put back if the restore is
/// refused after it was committed.
async fn capture_rows(db: &Db) -> Result<Vec<(TableShape, Vec<Vec<Cell>>)>, BackupError> {
    let shapes = table_shapes(db).await?;
    let mut snapshot = Snapshot::begin(db).await?;
    let mut captured = Vec::with_capacity(shapes.len());
    for shape in shapes {
        let rows: Vec<Vec<Cell>> = snapshot.rows(&shape).try_collect().await?;
        captured.push((shape, rows));
    }
    snapshot.finish().await?;
    Ok(captured)
}

async fn put_back(db: &Db, captured: Vec<(TableShape, Vec<Vec<Cell>>)>) -> Result<(), BackupError> {
    let mut restore = Restore::begin_replacing(db).await?;
    for (shape, rows) in captured {
        let columns: Vec<String> = shape.columns.iter().map(|c| c.name.clone()).collect();
        restore.start_table(&shape.name, &columns).await?;
        for row in rows {
            restore.push_row(row).await?;
        }
    }
    restore.finish().await?;
    Ok(())
}

/// The `keys` table's rows as they stream past, to check against the master key.
#[derive(Default)]
struct KeyRows {
    /// Positions of purpose, version and wrapped while the keys table streams.
    positions: Option<(usize, usize, usize)>,
    rows: Vec<StoredKey>,
}

impl KeyRows {
    fn start(&mut self, table: &str, columns: &[String]) {
        let at = |name: &str| columns.iter().position(|column| column == name);
        self.positions = match (table, at("purpose"), at("version"), at("wrapped")) {
            ("keys", Some(p), Some(v), Some(w)) => Some((p, v, w)),
            _ => None,
        };
    }

    fn take(&mut self, cells: &[Cell]) {
        let Some((p, v, w)) = self.positions else { return };
        if let (
            Some(Cell::Text(purpose)),
            Some(Cell::Integer(version)),
            Some(Cell::Bytes(wrapped)),
        ) = (cells.get(p), cells.get(v), cells.get(w))
        {
            self.rows.push(StoredKey {
                purpose: purpose.clone(),
                version: *version,
                wrapped: wrapped.clone(),
                created_at: OffsetDateTime::UNIX_EPOCH,
            });
        }
    }
}

/// Rows handed from the reading thread to the writer at a time.
const ROWS_PER_CHUNK: usize = 512;

/// The reading thread: the file → SHA-256 → age → JSON lines, handed over item by item.
fn read_file(
    file: File,
    identities: &BackupIdentities,
    sender: &mpsc::Sender<Read>,
) -> Result<(), BackupError> {
    let send = |read| sender.blocking_send(read).map_err(|_| BackupError::TaskFailed);
    let mut reader = open_encrypted(file, identities)?;
    send(Read::Header(reader.header().clone()))?;
    let mut rows = Vec::with_capacity(ROWS_PER_CHUNK);
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Row(cells) => {
                rows.push(cells);
                if rows.len() == ROWS_PER_CHUNK {
                    send(Read::Rows(std::mem::replace(
                        &mut rows,
                        Vec::with_capacity(ROWS_PER_CHUNK),
                    )))?;
                }
            }
            Item::Table { name, columns } => {
                if !rows.is_empty() {
                    send(Read::Rows(std::mem::take(&mut rows)))?;
                }
                send(Read::Table { name, columns })?;
            }
        }
    }
    if !rows.is_empty() {
        send(Read::Rows(rows))?;
    }
    send(Read::Done(reader.counts().clone()))
}

/// The SHA-256 (lowercase hex) and size of a file, as the manifest records them.
pub(crate) fn digest_of_file(path: &Path) -> Result<(String, u64), BackupError> {
    let mut digesting = Digesting::new(BufReader::with_capacity(1 << 20, File::open(path)?));
    std::io::copy(&mut digesting, &mut std::io::sink())?;
    let (_, sha256, size_bytes) = digesting.finish();
    Ok((sha256, size_bytes))
}
