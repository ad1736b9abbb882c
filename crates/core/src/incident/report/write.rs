//! Writing a bundle: a new directory (0700) of owner-only files (0600), the manifest last.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rampart_domain::AuditAction;
use rampart_store::alerts::{AlertRow, list_alerts_raised_between};
use rampart_store::audit::find_chain_head;
use rampart_store::backup::schema_version;
use serde::Serialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::ReportError;
use super::audit_slice::write_audit_slice;
use super::manifest::{
    BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BundleManifest, FileEntry, MANIFEST_FILE, SigningKey,
};
use super::version::{VersionInfo, dependencies};
use super::window::Window;
use crate::AppState;
use crate::audit::AuditEvent;
use crate::backup::AuditHead;
use crate::backup::files::{create_private_file, ensure_private_directory};
use crate::config::render_redacted;
use crate::unit_of_work::record;

/// Alerts a bundle holds at most (a window with more is an incident of its own).
const MAX_ALERTS: u64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    pub directory: PathBuf,
    pub events: usize,
    pub alerts: usize,
    /// Files besides the manifest.
    pub files: usize,
    pub audit_head_seq: i64,
}

/// Writes the bundle of `window` into `directory`, which must not exist or be empty.
pub async fn write_report(
    state: &AppState,
    directory: &Path,
    window: Window,
) -> Result<ReportSummary, ReportError> {
    prepare_directory(directory)?;
    // Audited before anything is read (fail closed); the head the manifest records then covers
    // the making of this bundle too.
    let event = AuditEvent::success(AuditAction::IncidentReport)
        .target("forensics_bundle")
        .detail("since", format_time(window.since)?)
        .detail("until", format_time(window.until)?);
    record(state, event).await?;
    let head = find_chain_head(&state.db).await?;
    // A second more each side, then exactly the window (SQLite's text times: see window.rs).
    let second = time::Duration::seconds(1);
    let alerts: Vec<AlertRow> = list_alerts_raised_between(
        &state.db,
        window.since - second,
        window.until + second,
        MAX_ALERTS,
    )
    .await?
    .into_iter()
    .filter(|alert| window.contains(alert.raised_at))
    .collect();
    let version = VersionInfo {
        rampart_version: env!("CARGO_PKG_VERSION"),
        schema_version: schema_version(&state.db).await?,
        engine: state.db.engine().name(),
        dependencies: dependencies(),
    };

    let mut files = BTreeMap::new();
    let (audit, slice) =
        write_audit_slice(&state.db, window, head.seq, &directory.join("audit.jsonl")).await?;
    files.insert("audit.jsonl".to_owned(), audit);
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), ReportError> {
        let mut file = create_private_file(&directory.join(name))?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        let entry = FileEntry {
            sha256: rampart_crypto::sha256_hex(&bytes),
            size_bytes: bytes.len() as u64,
        };
        files.insert(name.to_owned(), entry);
        Ok(())
    };
    put("alerts.json", pretty(&alerts.iter().map(alert_json).collect::<Vec<_>>())?)?;
    put("sign_ins.json", pretty(&slice.sign_ins)?)?;
    put("sensitive_reads.json", pretty(&slice.reads)?)?;
    put("config.toml", render_redacted(&state.settings).into_bytes())?;
    put("version.json", pretty(&version)?)?;

    let signer = state.keyring.current().checkpoint_signer()?;
    let manifest = BundleManifest {
        format: BUNDLE_FORMAT.to_owned(),
        format_version: BUNDLE_FORMAT_VERSION,
        rampart_version: env!("CARGO_PKG_VERSION").to_owned(),
        since: format_time(window.since)?,
        until: format_time(window.until)?,
        created_at: format_time(state.clock.now())?,
        audit_head: AuditHead { seq: head.seq, hash: hex::encode(&head.hash) },
        files,
        signing_key: SigningKey::of(&signer),
    };
    let count = manifest.files.len();
    let signed = manifest.signed_by(&signer)?;
    let mut file = create_private_file(&directory.join(MANIFEST_FILE))?;
    file.write_all(&signed.to_bytes()?)?;
    file.sync_all()?;
    Ok(ReportSummary {
        directory: directory.to_owned(),
        events: slice.events,
        alerts: alerts.len(),
        files: count,
        audit_head_seq: head.seq,
    })
}

/// A new directory, or an empty one, made private. A directory with files in it is refused: a
/// bundle is never mixed with other files, nor written over an older bundle.
fn prepare_directory(directory: &Path) -> Result<(), ReportError> {
    match std::fs::read_dir(directory) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ReportError::NotEmpty(directory.display().to_string()));
            }
            std::fs::set_permissions(directory, std::fs::Permissions::from_mode(0o700))?;
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Ok(ensure_private_directory(directory)?)
        }
        Err(error) => Err(error.into()),
    }
}

fn alert_json(alert: &AlertRow) -> Value {
    let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    json!({
        "id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity,
        "status": alert.status,
        "subject": alert.subject,
        "window_start": time(alert.window_start),
        "raised_at": time(alert.raised_at),
        "updated_at": time(alert.updated_at),
        "details": serde_json::from_str::<Value>(&alert.details).unwrap_or(Value::Null),
    })
}

fn pretty(value: &impl Serialize) -> Result<Vec<u8>, ReportError> {
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    Ok(text)
}

fn format_time(at: time::OffsetDateTime) -> Result<String, ReportError> {
    at.format(&Rfc3339).map_err(|error| ReportError::Encode(error.to_string()))
}
