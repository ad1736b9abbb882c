//! The e-mail outbox on both engines: claims are exclusive across instances, leases expire,
//! failures are rescheduled and releases are free.

#![allow(clippy::unwrap_used)] // Tests unwrap.

use std::collections::BTreeSet;

use rampart_store::outbox::{
    OutboxRow, claim_due_outbox_messages, delete_outbox_message, insert_outbox_message,
    list_outbox_messages_after, release_outbox_message, reschedule_outbox_message,
};
use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, on_both_engines};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const LEASE: Duration = Duration::seconds(60);

async fn migrated(engine: TestEngine) -> (TestDatabase, Db) {
    let database = TestDatabase::create(engine).await;
    let db = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

async fn queue(db: &Db, now: OffsetDateTime) -> Uuid {
    let id = Uuid::new_v4();
    insert_outbox_message(db, id, vec![1, 2, 3], now).await.unwrap();
    id
}

async fn claim_at(db: &Db, at: OffsetDateTime) -> Vec<OutboxRow> {
    claim_due_outbox_messages(db, at, LEASE, 20).await.unwrap()
}

/// A fresh database with one message, queued and claimed at the returned time.
async fn one_claimed(engine: TestEngine) -> (TestDatabase, Db, OffsetDateTime, Uuid) {
    let (database, db) = migrated(engine).await;
    let now = OffsetDateTime::now_utc();
    let id = queue(&db, now).await;
    assert_eq!(claim_at(&db, now).await.len(), 1);
    (database, db, now, id)
}

async fn an_outbox_message_is_claimed_once_until_its_lease_runs_out(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    let now = OffsetDateTime::now_utc();
    let id = queue(&db, now).await;

    let first = claim_at(&db, now).await;
    let while_leased = claim_at(&db, now + Duration::seconds(59)).await;
    let after_lease = claim_at(&db, now + Duration::seconds(62)).await;

    assert_eq!(first.len(), 1);
    assert_eq!(first[0].id, id);
    assert_eq!(first[0].message_ciphertext, [1, 2, 3]);
    assert_eq!(first[0].attempts, 0);
    assert!(first[0].claimed_until.is_some());
    assert!(while_leased.is_empty());
    assert_eq!(after_lease.len(), 1, "an abandoned claim is taken over");
}

async fn instances_racing_for_the_outbox_each_get_different_messages(engine: TestEngine) {
    let (database, first) = migrated(engine).await;
    let second = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let mut queued = BTreeSet::new();
    for _ in 0..20 {
        queued.insert(queue(&first, now).await);
    }

    let (a, b, c) =
        tokio::join!(claim_at(&first, now), claim_at(&second, now), claim_at(&first, now));

    let claimed: Vec<Uuid> = [a, b, c].into_iter().flatten().map(|row| row.id).collect();
    let distinct: BTreeSet<Uuid> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len(), "a message was claimed twice");
    assert_eq!(distinct, queued);
}

async fn a_rescheduled_outbox_message_waits_counts_the_attempt_and_keeps_the_error_kind(
    engine: TestEngine,
) {
    let (_database, db, now, id) = one_claimed(engine).await;

    let later = now + Duration::seconds(30);
    assert!(reschedule_outbox_message(&db, id, later, "transient 451").await.unwrap());

    assert!(claim_at(&db, now + Duration::seconds(10)).await.is_empty());
    let again = claim_at(&db, now + Duration::seconds(31)).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].last_error.as_deref(), Some("transient 451"));
}

async fn a_released_outbox_message_is_due_again_without_counting_an_attempt(engine: TestEngine) {
    let (_database, db, now, id) = one_claimed(engine).await;

    assert!(release_outbox_message(&db, id, Some("connection")).await.unwrap());

    let again = claim_at(&db, now).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 0);
    assert_eq!(again[0].last_error.as_deref(), Some("connection"));
}

async fn a_delivered_outbox_message_is_gone(engine: TestEngine) {
    let (_database, db, now, delivered) = one_claimed(engine).await;
    let kept = queue(&db, now).await;

    assert!(delete_outbox_message(&db, delivered).await.unwrap());
    assert!(!delete_outbox_message(&db, delivered).await.unwrap());

    let left = list_outbox_messages_after(&db, None, 10).await.unwrap();
    assert_eq!(left.iter().map(|row| row.id).collect::<Vec<_>>(), [kept]);
    assert!(list_outbox_messages_after(&db, Some(kept), 10).await.unwrap().is_empty());
}

on_both_engines!(
    an_outbox_message_is_claimed_once_until_its_lease_runs_out,
    instances_racing_for_the_outbox_each_get_different_messages,
    a_rescheduled_outbox_message_waits_counts_the_attempt_and_keeps_the_error_kind,
    a_released_outbox_message_is_due_again_without_counting_an_attempt,
    a_delivered_outbox_message_is_gone,
);
