//! Who to notify: the records a principal read in the window (its `sensitive_read` events), and
//! for each the address in its first field of type `email` (opened through the records' seal
//! when the field is sensitive). One recipient per address, whatever its letter case, with every
//! record it was found in.

use std::collections::{BTreeMap, BTreeSet};

use rampart_domain::Email;
use rampart_domain::records::FieldKind;
use rampart_store::audit::AuditFilter;
use rampart_store::records::find_record;
use uuid::Uuid;

use super::NotifyError;
use crate::AppState;
use crate::incident::report::{Window, events_in, read_records};
use crate::records::seal::open_sensitive;
use crate::records::{Collection, load_collection};

/// One address to notify and the records (collection, id) it was read in.
#[derive(Debug)]
pub(crate) struct Recipient {
    pub email: Email,
    pub records: BTreeSet<(String, Uuid)>,
}

/// The recipients by normalized address, and how many records were read.
pub(crate) async fn recipients_of_reads(
    state: &AppState,
    reader: Uuid,
    window: Window,
) -> Result<(BTreeMap<String, Recipient>, usize), NotifyError> {
    let filter = AuditFilter {
        actor_user_id: Some(reader),
        action: Some(rampart_domain::AuditAction::SensitiveRead.as_str().to_owned()),
        ..AuditFilter::default()
    };
    let mut read = BTreeSet::new();
    for row in events_in(&state.db, window, filter).await? {
        let Some(collection) =
            row.entry.target.as_deref().and_then(|target| target.strip_prefix("collection:"))
        else {
            continue;
        };
        for id in read_records(&row.entry.details) {
            if let Ok(id) = id.parse::<Uuid>() {
                read.insert((collection.to_owned(), id));
            }
        }
    }
    let keyring = state.keyring.current();
    let mut collections: BTreeMap<String, Option<Collection>> = BTreeMap::new();
    let mut recipients: BTreeMap<String, Recipient> = BTreeMap::new();
    for (name, id) in &read {
        if !collections.contains_key(name) {
            collections.insert(name.clone(), load_collection(&state.db, name).await?);
        }
        let Some(Some(collection)) = collections.get(name) else { continue };
        let Some(field) =
            collection.schema.fields().iter().find(|f| matches!(f.kind, FieldKind::Email))
        else {
            continue;
        };
        // A record purged since has no address left to tell.
        let Some(row) = find_record(&state.db, name, *id).await? else { continue };
        let value = if field.sensitive {
            open_sensitive(&keyring, name, *id, row.sealed.as_deref())?
                .get(field.name.as_str())
                .cloned()
        } else {
            row.data.get(field.name.as_str()).cloned()
        };
        let Some(email) =
            value.as_ref().and_then(|v| v.as_str()).and_then(|t| Email::parse(t).ok())
        else {
            continue;
        };
        recipients
            .entry(email.normalized())
            .or_insert_with(|| Recipient { email, records: BTreeSet::new() })
            .records
            .insert((name.clone(), *id));
    }
    Ok((recipients, read.len()))
}
