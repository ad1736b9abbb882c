//! `audit.jsonl`: the window's events as OCSF JSON lines (what `rampart audit export` writes),
//! each with its chain position (`metadata.uid`), its hash and the previous one, so the slice
//! links into the chain. Written a page at a time, hashing as it goes; the sign-ins and the
//! sensitive reads are gathered from the same pages, so a long window is read once and never
//! held in memory whole.

use std::io::{BufWriter, Write};
use std::path::Path;

use rampart_crypto::Digesting;
use rampart_store::Db;
use rampart_store::audit::{AuditFilter, AuditRow};
use serde_json::Value;

use super::ReportError;
use super::manifest::FileEntry;
use super::sensitive_reads::{SensitiveReads, add_reads};
use super::sign_ins::SignIns;
use super::window::{Window, page_after};
use crate::audit::to_ocsf;
use crate::backup::files::create_private_file;

/// What reading the window's events gave.
#[derive(Debug, Default)]
pub(crate) struct Slice {
    pub events: usize,
    pub sign_ins: SignIns,
    pub reads: SensitiveReads,
}

/// Writes the window's events up to position `head` (the chain head the manifest records:
/// events written meanwhile are for the next bundle) to `path`, a new private file, and gathers
/// the rest from them.
pub(crate) async fn write_audit_slice(
    db: &Db,
    window: Window,
    head: i64,
    path: &Path,
) -> Result<(FileEntry, Slice), ReportError> {
    let filter = AuditFilter { before_seq: Some(head.saturating_add(1)), ..AuditFilter::default() };
    let mut out = Digesting::new(BufWriter::new(create_private_file(path)?));
    let mut slice = Slice::default();
    let mut after = 0;
    loop {
        let page = page_after(db, window, &filter, after).await?;
        let Some(last_seq) = page.last_seq else { break };
        after = last_seq;
        for row in &page.rows {
            write_line(&mut out, row)?;
            slice.sign_ins.add(row);
            add_reads(&mut slice.reads, row);
        }
        slice.events += page.rows.len();
    }
    let (buffered, sha256, size_bytes) = out.finish();
    let file = buffered.into_inner().map_err(std::io::IntoInnerError::into_error)?;
    file.sync_all()?;
    Ok((FileEntry { sha256, size_bytes }, slice))
}

fn write_line(out: &mut impl Write, row: &AuditRow) -> Result<(), ReportError> {
    let mut event = to_ocsf(row);
    event["unmapped"]["prev_hash"] = Value::String(hex::encode(&row.prev_hash));
    serde_json::to_writer(&mut *out, &event)?;
    out.write_all(b"\n")?;
    Ok(())
}
