//! A website's form (contact, quote request) creating a record without signing in: only in
//! collections marked `public_create`, at most `records.form_submissions_per_hour` per client
//! address and collection (counted across instances), paused during a lockdown. A submission
//! whose honeypot field (`records.honeypot_field`, hidden from people, filled by bots) is not
//! empty is dropped with the same answer as any other; both refusals are audited as
//! `form_rejected`.

use rampart_domain::AuditAction;
use rampart_domain::records::Document;
use rampart_store::StoreError;
use rampart_store::forms::count_form_submission;
use serde_json::Value;
use time::Duration;
use uuid::Uuid;

use super::load_collection;
use super::write::{NewRecord, RecordWriteError, create_record_in};
use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::incident::lockdown::lockdown_state;
use crate::unit_of_work::{UnitOfWork, record};

/// Submissions are counted per whole hour since the epoch.
const WINDOW: Duration = Duration::hours(1);

/// Why a submission was not taken.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// Lockdown is on: public forms are paused.
    #[error("public submissions are paused during a lockdown")]
    Lockdown,
    /// No such collection takes public submissions.
    #[error("no such form")]
    NotFound,
    #[error("too many submissions from this address")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Write(#[from] RecordWriteError),
    #[error(transparent)]
    Collection(#[from] super::CollectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes a submission of `fields` to collection `name`: the new record's id (a random id when
/// it was dropped as spam, so that the answer is the same).
pub async fn submit_form(
    state: &AppState,
    client: &ClientContext,
    name: &str,
    mut fields: Document,
) -> Result<Uuid, FormError> {
    if lockdown_state(state).await?.active {
        return Err(FormError::Lockdown);
    }
    let collection = match load_collection(&state.db, name).await? {
        Some(collection) if collection.public_create => collection,
        _ => return Err(FormError::NotFound),
    };
    let now = state.clock.now();
    let window_start = rampart_domain::clock::window_start(now, WINDOW);
    let ip = client.ip.to_canonical().to_string();
    let count = count_form_submission(&state.db, name, &ip, window_start).await?;
    let limit = i64::try_from(state.settings.records.form_submissions_per_hour).unwrap_or(i64::MAX);
    if count > limit {
        if count == limit + 1 {
            rejected(state, client, name, "rate_limited").await?;
        }
        let retry_after = window_start + WINDOW - now;
        return Err(FormError::RateLimited {
            retry_after_secs: u64::try_from(retry_after.whole_seconds()).unwrap_or(1).max(1),
        });
    }
    let honeypot = fields.remove(&state.settings.records.honeypot_field);
    if honeypot.as_ref().is_some_and(|value| value != &Value::Null && value != "") {
        rejected(state, client, name, "honeypot").await?;
        return Ok(Uuid::new_v4());
    }
    let new = NewRecord {
        department: if collection.department_scoped {
            collection.default_department.clone()
        } else {
            None
        },
        owner_id: None,
        created_by: None,
    };
    let mut work = UnitOfWork::begin(state).await?;
    let created = create_record_in(&work, &collection, &fields, new).await?;
    work.record(
        AuditEvent::success(AuditAction::RecordCreated)
            .client(client)
            .target(format!("record:{name}/{}", created.id))
            .detail("through", "public_form"),
    );
    work.commit().await?;
    Ok(created.id)
}

async fn rejected(
    state: &AppState,
    client: &ClientContext,
    collection: &str,
    reason: &str,
) -> Result<(), StoreError> {
    record(
        state,
        AuditEvent::failure(AuditAction::FormRejected)
            .client(client)
            .target(format!("collection:{collection}"))
            .detail("reason", reason),
    )
    .await
}
