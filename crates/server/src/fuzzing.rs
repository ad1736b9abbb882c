//! The crate's parsers of untrusted input, callable by the fuzz targets in `fuzz/` (cargo feature
//! `fuzzing`, off by default). Each function is a thin wrapper over the code a request or a
//! backup really goes through; nothing here parses on its own.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::net::IpAddr;

use axum::http::HeaderMap;
pub use rampart_crypto::BackupIdentities;
pub use rampart_store::backup::{Cell, ColumnKind};

use crate::backup::format::{Item, Reader, Writer, open_encrypted};
pub use crate::backup::{BackupError, Header, Manifest};
pub use crate::sessions::Presented;

/// The session cookie's value among the request's `Cookie` headers.
pub fn session_token_from_cookies(headers: &HeaderMap) -> Option<&str> {
    crate::sessions::cookie::session_token_from_cookies(headers)
}

/// The token of `Authorization: Bearer …`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    crate::sessions::bearer_token(headers)
}

/// The credential the authentication middleware takes from the request, and how it came.
pub fn presented_token(headers: &HeaderMap) -> Option<(&str, Presented)> {
    crate::sessions::presented_token(headers)
}

/// The CSRF middleware's decision for a state-changing request that rides on the cookie.
pub fn cookie_request_allowed(headers: &HeaderMap, origins: &[String]) -> bool {
    crate::middleware::csrf::cookie_request_allowed(headers, origins)
}

/// The client's address: `peer`, or `X-Forwarded-For` when `peer` is a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    crate::client::client_ip(peer, headers, trusted_proxies)
}

/// The `User-Agent` as audit and the session list keep it.
pub fn user_agent(headers: &HeaderMap) -> String {
    crate::client::user_agent(headers)
}

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
