//! The incidents tables on both engines: an incident as written is read back, an update applies
//! only from the status the caller saw (two managers closing at once: one wins), notes keep
//! their order.

#![allow(clippy::unwrap_used)]

use rampart_store::incidents::{
    IncidentRow, find_incident, insert_incident, insert_incident_note, list_incident_notes,
    list_incidents, update_incident,
};
use rampart_store::testing::{TestDatabase, TestEngine};
use rampart_store::{Db, PoolSettings, on_both_engines};
use time::OffsetDateTime;
use uuid::Uuid;

async fn migrated(engine: TestEngine) -> (TestDatabase, Db) {
    let database = TestDatabase::create(engine).await;
    let db = Db::connect(&database.url, &PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

async fn an_incident_is_updated_only_from_the_status_its_writer_saw(engine: TestEngine) {
    let (_database, db) = migrated(engine).await;
    // Whole seconds: the test compares for equality.
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let opened = IncidentRow {
        id: Uuid::new_v4(),
        severity: "high".into(),
        summary: "phishing".into(),
        status: "open".into(),
        opened_at: now,
        opened_by: None,
        updated_at: now,
        closed_at: None,
    };
    insert_incident(&db, &opened).await.unwrap();
    assert_eq!(find_incident(&db, opened.id).await.unwrap(), Some(opened.clone()));

    let closed = IncidentRow { status: "closed".into(), closed_at: Some(now), ..opened.clone() };
    assert!(update_incident(&db, &closed, "open").await.unwrap());
    assert!(!update_incident(&db, &closed, "open").await.unwrap(), "the second closer loses");
    assert_eq!(list_incidents(&db, Some("open"), 10).await.unwrap(), vec![]);
    assert_eq!(list_incidents(&db, None, 10).await.unwrap(), vec![closed.clone()]);
    // The schema itself refuses a closed incident without a closing time.
    let broken = IncidentRow { id: Uuid::new_v4(), status: "closed".into(), ..opened };
    assert!(insert_incident(&db, &broken).await.is_err());

    let first = insert_incident_note(&db, closed.id, now, None, "first").await.unwrap();
    let second = insert_incident_note(&db, closed.id, now, None, "second").await.unwrap();
    assert!(second > first);
    let notes: Vec<String> =
        list_incident_notes(&db, closed.id).await.unwrap().into_iter().map(|n| n.note).collect();
    assert_eq!(notes, ["first", "second"]);
}

on_both_engines!(an_incident_is_updated_only_from_the_status_its_writer_saw);
