//! Records at scale: with 1,000,000 records in one collection, (a) a page of 20 records of one
//! department, newest first, and (b) an equality lookup on a searchable sensitive field (a
//! blind-index digest, then the record opened) — each timed over many runs, p50 and p99, next
//! to the database's round trip (`SELECT 1`) measured in the same run.
//!
//! `cargo bench -p rampart-http --bench records_scale` (scripts/bench runs it). Env:
//! RECORDS (1000000), QUERIES (400), ENGINES (`sqlite,postgres`; PostgreSQL needs
//! RAMPART_TEST_DATABASE_URL, a server where it may create a scratch database).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unreachable_pub)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rampart_core::records::seal::{lookup_digests, open_sensitive};
use rampart_crypto::{DataKey, Keyring, OsRandom, Purpose};
use rampart_domain::records::{CompareOp, FieldName, Scalar, Sort, SortKey, Target, TypedFilter};
use rampart_store::records::{RecordQuery, Visibility, list_records};
use rampart_store::testing::{TestDatabase, TestEngine};

#[path = "support/seed.rs"]
mod seed;
use seed::seed;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn keyring() -> Keyring {
    let random = OsRandom;
    let mut keyring = Keyring::new();
    for purpose in [Purpose::Fields, Purpose::BlindIndex] {
        keyring.insert(purpose, 1, DataKey::generate(&random).unwrap());
    }
    keyring
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn time_each<F, Fut>(queries: usize, mut run: F) -> Vec<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for warm in 0..queries / 10 {
        run(warm).await;
    }
    let mut times = Vec::with_capacity(queries);
    for n in 0..queries {
        let started = Instant::now();
        run(n).await;
        times.push(started.elapsed());
    }
    times.sort();
    times
}

async fn bench(engine: TestEngine, records: usize, queries: usize) {
    let database = TestDatabase::create(engine).await;
    let db = rampart_store::Db::connect(&database.url, &rampart_store::PoolSettings::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let keyring = keyring();
    let seeding = Instant::now();
    seed(&db, &keyring, records).await;
    let seeded_in = seeding.elapsed();

    let reference = time_each(queries, |_| async { db.ping().await.unwrap() }).await;

    let newest_first = &Sort { key: SortKey::CreatedAt, descending: true };
    let sales = Visibility::Departments(vec!["sales".into()]);
    let no_lookups = HashMap::new();
    let page = time_each(queries, |_| {
        let query = RecordQuery {
            collection: "customers",
            visibility: &sales,
            filter: None,
            lookups: &no_lookups,
            sort: newest_first,
            after: None,
            limit: 21,
            binned: false,
        };
        let db = db.clone();
        async move {
            let rows = list_records(&db, &query).await.unwrap();
            assert_eq!(rows.len(), 21);
        }
    })
    .await;

    let everyone = &Visibility::All;
    let email = FieldName::parse("email").unwrap();
    let lookup = time_each(queries, |n| {
        let wanted = format!("customer{}@example.com", (n * 7919) % records);
        let digests = lookup_digests(&keyring, "customers", "email", &wanted).unwrap();
        let lookups = HashMap::from([(("email".to_owned(), wanted.clone()), digests)]);
        let filter = TypedFilter::Compare {
            target: Target::SensitiveLookup { name: email.clone() },
            op: CompareOp::Eq,
            value: Scalar::Text(wanted.clone()),
        };
        let db = db.clone();
        let keyring = &keyring;
        async move {
            let query = RecordQuery {
                collection: "customers",
                visibility: everyone,
                filter: Some(&filter),
                lookups: &lookups,
                sort: newest_first,
                after: None,
                limit: 21,
                binned: false,
            };
            let rows = list_records(&db, &query).await.unwrap();
            assert_eq!(rows.len(), 1, "{wanted}");
            let opened =
                open_sensitive(keyring, "customers", rows[0].id, rows[0].sealed.as_deref())
                    .unwrap();
            assert_eq!(opened["email"], wanted.as_str());
        }
    })
    .await;

    let name = match engine {
        TestEngine::Sqlite => "sqlite",
        TestEngine::Postgres => "postgres",
    };
    println!("{name}: {records} records seeded in {:.1} s", seeded_in.as_secs_f64());
    let reference_p50 = millis(percentile(&reference, 0.5));
    for (what, times) in [
        ("SELECT 1 (reference)", &reference),
        ("page of 20, one department, newest first", &page),
        ("equality on a sensitive searchable field", &lookup),
    ] {
        let p50 = millis(percentile(times, 0.5));
        println!(
            "{name}: {what:<44} p50 {p50:7.3} ms  p99 {:7.3} ms  ({:5.1} x reference)",
            millis(percentile(times, 0.99)),
            p50 / reference_p50,
        );
    }
    let limit = Duration::from_millis(5);
    let slow = percentile(&page, 0.5) > limit || percentile(&lookup, 0.5) > limit;
    println!("{name}: target p50 < 5 ms: {}", if slow { "MISSED" } else { "met" });
    db.close().await;
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken from the command line.
    let records = env_number("RECORDS", 1_000_000);
    let queries = env_number("QUERIES", 400);
    let engines = std::env::var("ENGINES").unwrap_or_else(|_| "sqlite,postgres".into());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    for engine in engines.split(',') {
        let engine = match engine.trim() {
            "sqlite" => TestEngine::Sqlite,
            "postgres" => TestEngine::Postgres,
            other => panic!("ENGINES: unknown engine {other}"),
        };
        runtime.block_on(bench(engine, records, queries));
    }
}
