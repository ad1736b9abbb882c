//! The crate's parsers of untrusted input, callable by the fuzz targets in `fuzz/` (cargo feature
//! `fuzzing`, off by default; the server crate's feature of the same name turns it on and
//! re-exports this module). Each function is a thin wrapper over the code an API key check or a
//! backup really goes through; nothing here parses on its own.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::IpAddr;

pub use rampart_crypto::BackupIdentities;
pub use rampart_store::backup::{Cell, ColumnKind};

use crate::backup::format::{Item, Reader, Writer, open_encrypted};
pub use crate::backup::{BackupError, Header, Manifest};

/// Whether an API key limited to `allowed_cidrs` may be used from `ip`.
pub fn api_key_networks_allow(allowed_cidrs: &str, ip: IpAddr) -> bool {
    crate::api_keys::networks_allow(allowed_cidrs, ip)
}

/// A manifest file's contents, as `restore`, `backup verify` and drills read it.
pub fn parse_manifest(text: &[u8]) -> Result<Manifest, BackupError> {
    crate::backup::manifest::parse_manifest(text)
}

/// What `backup create` writes as the manifest file.
pub fn manifest_text(manifest: &Manifest) -> Result<Vec<u8>, BackupError> {
    crate::backup::manifest::manifest_text(manifest)
}

/// A table of a backup as the reader hands it out.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Everything a backup's plaintext holds, once read to its end line.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupContents {
    pub header: Header,
    pub tables: Vec<Table>,
    /// Rows per table, as counted by the reader.
    pub counts: BTreeMap<String, u64>,
}

/// A backup's plaintext (JSON lines) read to the end.
pub fn read_backup(plaintext: &[u8]) -> Result<BackupContents, BackupError> {
    read_to_end(Reader::open(plaintext)?)
}

/// An encrypted backup (an age file) decrypted with `identities` and read to the end.
pub fn read_encrypted_backup(
    encrypted: &[u8],
    identities: &BackupIdentities,
) -> Result<BackupContents, BackupError> {
    read_to_end(open_encrypted(encrypted, identities)?)
}

fn read_to_end<R: BufRead>(mut reader: Reader<R>) -> Result<BackupContents, BackupError> {
    let mut tables: Vec<Table> = Vec::new();
    while let Some(item) = reader.next_item()? {
        match item {
            Item::Table { name, columns } => tables.push(Table { name, columns, rows: Vec::new() }),
            Item::Row(cells) => tables
                .last_mut()
                .ok_or(BackupError::Format("a row before its table"))?
                .rows
                .push(cells),
        }
    }
    Ok(BackupContents { header: reader.header().clone(), tables, counts: reader.counts().clone() })
}

/// The plaintext `backup create` writes for `tables`, each column of the kind given beside it.
pub fn write_backup(
    header: &Header,
    tables: &[(Table, Vec<ColumnKind>)],
) -> Result<Vec<u8>, BackupError> {
    let mut writer = Writer::start(Vec::new(), header)?;
    for (table, kinds) in tables {
        let columns = table.columns.iter().cloned().zip(kinds.iter().copied()).collect();
        writer.table(&table.name, columns)?;
        for row in &table.rows {
            writer.row(row)?;
        }
    }
    Ok(writer.finish()?.0)
}
