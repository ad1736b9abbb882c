//! Outgoing e-mail: queued encrypted in the database, delivered over SMTP by a background worker.
//!
//! [`enqueue`] never talks to the relay: it encrypts the whole message (recipient, subject, body)
//! bound to its outbox row, stores it, and wakes the worker. So a request that sends a reset link
//! answers at once and the same way whether or not the relay is up, and a message survives a
//! restart. The worker (`worker.rs`) claims due rows, decrypts, sends through `smtp.rs`, and
//! deletes on success; it runs on every instance, and the claims keep them from sending a message
//! twice. Neither logs an address, a subject, a body or the SMTP password: only outbox ids and
//! error kinds.

mod smtp;
pub(crate) mod worker;

use std::fmt;
use std::sync::Arc;

use rampart_crypto::{CryptoError, FieldContext, Keyring};
use rampart_domain::Email;
use rampart_store::StoreError;
use rampart_store::outbox::insert_outbox_message;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use uuid::Uuid;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::config::Settings;
use crate::unit_of_work::UnitOfWork;

/// A plain-text e-mail to one recipient.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: Email,
    pub subject: String,
    pub body: String,
}

/// The body may hold a reset link: `Debug` shows only the recipient's domain.
impl fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("to", &self.to)
            .field("subject", &"[redacted]")
            .field("body", &"[redacted]")
            .finish()
    }
}

/// Why a message could not be queued, or delivery could not be set up. Never holds an address,
/// a subject or a body.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A setting that passed validation still cannot be used (e.g. `smtp.ca_file` is not PEM).
    #[error("{0}")]
    Settings(String),
    #[error("e-mail cannot be delivered to this address")]
    Recipient,
    #[error("an e-mail subject cannot contain line breaks or control characters")]
    Subject,
    #[error("the message could not be encoded")]
    Encode,
    #[error("the message could not be encrypted: {0}")]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The handle in [`crate::AppState`]: wakes the worker, and holds the relay when `smtp.host` is set.
/// Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    wake: Arc<Notify>,
    relay: Option<Arc<smtp::Relay>>,
}

impl Mailer {
    /// Prepares delivery from `[smtp]` (nothing to prepare without `smtp.host`). Fails when the
    /// extra authority in `smtp.ca_file` cannot be read.
    pub fn new(settings: &Settings) -> Result<Self, MailError> {
        let relay = settings
            .smtp
            .host
            .as_deref()
            .map(|host| smtp::Relay::new(&settings.smtp, host, &settings.server.public_origin))
            .transpose()?;
        Ok(Self { wake: Arc::new(Notify::new()), relay: relay.map(Arc::new) })
    }

    /// Whether messages are sent (`smtp.host` is set) or only queued.
    pub fn delivers(&self) -> bool {
        self.relay.is_some()
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("delivers", &self.delivers()).finish_non_exhaustive()
    }
}

/// Queues `message` for delivery with the action of `work` (the worker is woken once it has
/// committed). The recipient and subject are checked here, so that a message that could never
/// be sent is refused to its caller.
pub async fn enqueue(work: &mut UnitOfWork<'_>, message: OutgoingEmail) -> Result<(), MailError> {
    let state = work.state();
    smtp::check_recipient(&message.to)?;
    if message.subject.chars().any(char::is_control) {
        return Err(MailError::Subject);
    }
    let stored = StoredMessage {
        to: message.to.as_str().to_owned(),
        subject: message.subject,
        body: message.body,
    };
    let plaintext = Zeroizing::new(serde_json::to_vec(&stored).map_err(|_| MailError::Encode)?);
    let id = Uuid::new_v4();
    let keyring = state.keyring.current();
    let ciphertext = keyring.encrypt_field(
        &message_place(&id.to_string()),
        &plaintext,
        state.random.as_ref(),
    )?;
    insert_outbox_message(work.db(), id, ciphertext, state.clock.now()).await?;
    work.mail_queued();
    Ok(())
}

/// What is encrypted in `outbox.message_ciphertext`. Wiped from memory when dropped.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct StoredMessage {
    to: String,
    subject: String,
    body: String,
}

fn message_place(id: &str) -> FieldContext<'_> {
    FieldContext { table: "outbox", row_id: id, field: "message" }
}

/// Decrypts a queued message. Anything but a well-formed message for this row is an error: the
/// caller drops it (fail closed).
fn open_message(keyring: &Keyring, id: Uuid, sealed: &[u8]) -> Result<StoredMessage, CryptoError> {
    let plaintext = keyring.decrypt_field(&message_place(&id.to_string()), sealed)?;
    serde_json::from_slice(&plaintext).map_err(|_| CryptoError::Malformed)
}
