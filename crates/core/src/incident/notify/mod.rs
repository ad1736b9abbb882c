//! `rampart incident notify --read-by EMAIL --since T --until T --template FILE [--dry-run]`:
//! tells the people whose records a principal read in a window, by e-mail.
//!
//! - `recipients.rs`: who (the records read, each one's e-mail field, one message an address);
//! - `template.rs`: the message (`Subject:` line, body, placeholders).
//!
//! Messages go through the outbox (encrypted at rest, delivered by the mail worker of any
//! instance). Who was told is kept in `incident_notifications` as a blind index of the address,
//! never the address: a batch (the reader and the window) mails each address at most once, so
//! running the same notification again tells only those it has not reached yet. The row is
//! written before the message is queued: a crash in between leaves someone recorded and not
//! mailed (at most once), which the audit event's count shows.

mod recipients;
mod template;

pub use template::{Fill, Template, TemplateError};

use rampart_crypto::CryptoError;
use rampart_domain::{AuditAction, Email};
use rampart_store::StoreError;
use rampart_store::incident_notifications::{
    NotificationRow, address_notified_in_batch, insert_incident_notifications,
};
use time::format_description::well_known::Rfc3339;

use self::recipients::{Recipient, recipients_of_reads};
use super::report::{ReportError, Window};
use crate::AppState;
use crate::accounts::{AccountError, EMAIL_INDEX_CONTEXT, find_account_by_email};
use crate::audit::AuditEvent;
use crate::mail::{MailError, OutgoingEmail, enqueue};
use crate::records::CollectionError;
use crate::unit_of_work::{UnitOfWork, record};

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("no account has the --read-by address")]
    UnknownReader,
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Window(#[from] ReportError),
    #[error("a stored value could not be decrypted: {0}")]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Collection(#[from] CollectionError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One notification: whose reads, when, what to say.
#[derive(Debug)]
pub struct NotifyRequest<'a> {
    pub read_by: &'a Email,
    pub window: Window,
    pub template: &'a Template,
    /// Count who would be mailed; send nothing, record nothing but the audit event.
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyOutcome {
    /// Names the reader and window: the same notification run again has the same batch.
    pub batch_id: String,
    /// Addresses mailed by this run (or that would be, in a dry run).
    pub notified: usize,
    /// Addresses this batch had mailed before.
    pub already_notified: usize,
    /// Records the reader read in the window.
    pub records_read: usize,
}

pub async fn notify_affected(
    state: &AppState,
    request: NotifyRequest<'_>,
) -> Result<NotifyOutcome, NotifyError> {
    let reader =
        find_account_by_email(state, request.read_by).await?.ok_or(NotifyError::UnknownReader)?;
    let since = format(request.window.since)?;
    let until = format(request.window.until)?;
    let batch_id = batch_id(reader.id, &since, &until);
    let (recipients, records_read) = recipients_of_reads(state, reader.id, request.window).await?;
    let mut outcome = NotifyOutcome {
        batch_id: batch_id.clone(),
        notified: 0,
        already_notified: 0,
        records_read,
    };
    let mut failed = None;
    for recipient in recipients.values() {
        let fill = Fill {
            collection: &collections_of(recipient),
            since: &since,
            until: &until,
            site: &state.settings.accounts.site_name,
        };
        match tell(state, &batch_id, recipient, request.template, fill, request.dry_run).await {
            Ok(true) => outcome.notified += 1,
            Ok(false) => outcome.already_notified += 1,
            Err(error) => {
                failed = Some(error);
                break;
            }
        }
    }
    let event = if failed.is_some() {
        AuditEvent::failure(AuditAction::IncidentNotified)
    } else {
        AuditEvent::success(AuditAction::IncidentNotified)
    };
    let event = event
        .target(format!("user:{}", reader.id))
        .detail("batch", batch_id)
        .detail("count", outcome.notified)
        .detail("already_notified", outcome.already_notified)
        .detail("records_read", records_read)
        .detail("since", since)
        .detail("until", until)
        .detail("dry_run", request.dry_run);
    record(state, event).await?;
    match failed {
        Some(error) => Err(error),
        None => Ok(outcome),
    }
}

/// Mails one recipient unless the batch reached them already; `Ok(false)` when it had.
async fn tell(
    state: &AppState,
    batch_id: &str,
    recipient: &Recipient,
    template: &Template,
    fill: Fill<'_>,
    dry_run: bool,
) -> Result<bool, NotifyError> {
    let keyring = state.keyring.current();
    let normalized = recipient.email.normalized();
    let digests: Vec<Vec<u8>> = keyring
        .blind_indexes_for_lookup(EMAIL_INDEX_CONTEXT, normalized.as_bytes())?
        .into_iter()
        .map(|index| index.digest.to_vec())
        .collect();
    if address_notified_in_batch(&state.db, batch_id, &digests).await? {
        return Ok(false);
    }
    let (subject, body) = template.render(fill)?;
    if dry_run {
        return Ok(true);
    }
    let index = keyring.blind_index(EMAIL_INDEX_CONTEXT, normalized.as_bytes())?;
    let now = state.clock.now();
    let rows: Vec<NotificationRow> = recipient
        .records
        .iter()
        .map(|(collection, id)| NotificationRow {
            batch_id: batch_id.to_owned(),
            collection: collection.clone(),
            record_id: *id,
            email_index: index.digest.to_vec(),
            email_index_version: i64::from(index.version),
            notified_at: now,
        })
        .collect();
    // The records marked notified and the message queued commit together.
    let mut work = UnitOfWork::begin(state).await?;
    match insert_incident_notifications(work.db(), &rows).await {
        Ok(()) => {}
        // Another run of this batch took these records a moment ago.
        Err(StoreError::Duplicate) => return Ok(false),
        Err(error) => return Err(error.into()),
    }
    enqueue(&mut work, OutgoingEmail { to: recipient.email.clone(), subject, body }).await?;
    work.commit().await?;
    Ok(true)
}

/// The collections an address was found in, for `{{collection}}`.
fn collections_of(recipient: &Recipient) -> String {
    let mut names: Vec<&str> = recipient.records.iter().map(|(name, _)| name.as_str()).collect();
    names.dedup();
    names.join(", ")
}

/// A stable name for "what `reader` read from `since` until `until`".
fn batch_id(reader: uuid::Uuid, since: &str, until: &str) -> String {
    let digest =
        rampart_crypto::sha256_hex(format!("read-by\n{reader}\n{since}\n{until}").as_bytes());
    format!("read-by-{}", &digest[..24])
}

fn format(at: time::OffsetDateTime) -> Result<String, NotifyError> {
    at.format(&Rfc3339).map_err(|error| NotifyError::Window(ReportError::Encode(error.to_string())))
}
