//! A `kill -9` of `rampart serve` in the middle of a stream of record creations: afterwards every
//! record has its `record_created` event (a record and its event commit together, or neither
//! does), every create that was answered 201 is there, and the audit chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod support;

use rampart_store::audit::{AuditFilter, search_audit_events};
use rampart_store::records::list_records_after;
use rampart_store::testing::TestEngine;
use rampart_store::{Db, PoolSettings};
use serde_json::{Value, json};
use support::{client, config_for, rampart, start_server_with};
use uuid::Uuid;

/// Writers at once, and how long the load runs before the kill (bounded either way).
const WRITERS: usize = 8;
const LOAD_BEFORE_KILL: Duration = Duration::from_millis(1500);
const MAX_CREATES_PER_WRITER: usize = 2_000;

async fn a_killed_server_leaves_no_record_without_its_audit_event(engine: TestEngine) {
    let home = tempfile::tempdir().unwrap();
    let (config, database) = config_for(home.path(), engine).await;
    let args = ["--config", config.to_str().unwrap()];
    let server = start_server_with(home.path(), &args, &[("RAMPART_LOG__LEVEL", "warn")]);
    let (seeded, stdout, stderr) = rampart(home.path(), &["seed-demo", "--config", args[1]]);
    assert!(seeded, "{stderr}");
    let password = stdout
        .lines()
        .find(|line| line.contains("sales@demo.rampart.test"))
        .and_then(|line| line.split_whitespace().nth(1))
        .expect("the sales person's printed password")
        .to_owned();
    let http = client(&home.path().join("rampart-data/tls/ca.pem"), &server.url);
    let signed_in: Value = http
        .post(format!("{}/api/auth/login", server.url))
        .json(
            &json!({"email": "sales@demo.rampart.test", "password": password, "session": "token"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed_in["token"].as_str().expect("a session token").to_owned();

    // Writers create customers until the server dies under them; each remembers what was answered 201.
    let dead = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (http, url, token, dead) =
                (http.clone(), server.url.clone(), token.clone(), Arc::clone(&dead));
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for n in 0..MAX_CREATES_PER_WRITER {
                    let body = json!({"department": "sales",
                        "fields": {"name": format!("load-{writer}-{n}"), "company": "Load Ltd"}});
                    let sent = http
                        .post(format!("{url}/api/collections/customers/records"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 201 => {
                            let created: Value = response.json().await.unwrap();
                            acknowledged
                                .push(Uuid::parse_str(created["id"].as_str().unwrap()).unwrap());
                        }
                        Ok(response) if !dead.load(Ordering::SeqCst) => {
                            panic!("a create failed before the kill: {}", response.status())
                        }
                        _ => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    let started = Instant::now();
    tokio::time::sleep(LOAD_BEFORE_KILL).await;
    let mut server = server;
    dead.store(true, Ordering::SeqCst);
    server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush, no rollback by the server
    server.child.wait().unwrap();
    let mut acknowledged = HashSet::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(acknowledged.len() >= 20, "too little load before the kill: {}", acknowledged.len());
    assert!(started.elapsed() < Duration::from_secs(60));

    // After the crash, straight from the database.
    let url = match &database {
        Some(database) => database.url.clone(),
        None => format!("sqlite:{}", home.path().join("rampart-data/rampart.db").display()),
    };
    let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();
    let mut loaded = HashSet::new();
    let mut after = None;
    loop {
        let page = list_records_after(&db, Some("customers"), after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let is_load = |row: &&rampart_store::records::RecordRow| {
            row.data["name"].as_str().is_some_and(|name| name.starts_with("load-"))
        };
        loaded.extend(page.iter().filter(is_load).map(|row| row.id));
    }
    let filter = AuditFilter { action: Some("record_created".into()), ..AuditFilter::default() };
    let events = search_audit_events(&db, &filter, 100_000).await.unwrap();
    let audited: HashSet<Uuid> = events
        .iter()
        .filter_map(|event| event.entry.target.as_deref()?.strip_prefix("record:customers/"))
        .map(|id| Uuid::parse_str(id).unwrap())
        .collect();
    db.close().await;

    let unaudited: Vec<_> = loaded.difference(&audited).collect();
    assert!(unaudited.is_empty(), "{} records have no record_created event", unaudited.len());
    let phantom: Vec<_> = audited.difference(&loaded).collect();
    assert!(phantom.is_empty(), "{} events name a record that is not there", phantom.len());
    let lost: Vec<_> = acknowledged.difference(&loaded).collect();
    assert!(lost.is_empty(), "{} acknowledged creates are gone", lost.len());

    // And the installation starts again with an intact chain.
    let (verified, stdout, stderr) =
        rampart(home.path(), &["audit", "verify", "--config", args[1]]);
    assert!(verified, "{stdout}{stderr}");
}

rampart_store::on_both_engines!(a_killed_server_leaves_no_record_without_its_audit_event);
