use rampart_crypto::Purpose;
use rampart_store::Db;
use rampart_store::keys::list_keys;
use time::OffsetDateTime;

use super::KeysError;
use super::load::identify;

/// One key version as `rampart keys status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyVersionStatus {
    pub version: u32,
    pub created_at: OffsetDateTime,
}

/// The versions of one purpose, oldest first; the last is the one new writes use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeStatus {
    pub purpose: Purpose,
    pub versions: Vec<KeyVersionStatus>,
}

/// What is stored, per purpose. Reads only the table: no key is unwrapped.
pub async fn key_status(db: &Db) -> Result<Vec<PurposeStatus>, KeysError> {
    let stored = list_keys(db).await?;
    let mut status: Vec<PurposeStatus> = Purpose::ALL
        .into_iter()
        .map(|purpose| PurposeStatus { purpose, versions: Vec::new() })
        .collect();
    for row in &stored {
        let (purpose, version) = identify(row)?;
        if let Some(entry) = status.iter_mut().find(|entry| entry.purpose == purpose) {
            entry.versions.push(KeyVersionStatus { version, created_at: row.created_at });
        }
    }
    Ok(status)
}
