//! Records at scale: with 1,000,000 records in one collection, (a) a page of 20 records of one
//! department, newest first, and (b) an equality lookup on a searchable sensitive field (a
//! blind-index digest, then the record opened) — each timed over many runs, p50 and p99, next
//! to the database's round trip (`SELECT 1`) measured in the same run.
//!
//! `cargo bench -p rampart-server --bench records_scale` (scripts/bench runs it). Env:
//! RECORDS (1000000), QUERIES (400), ENGINES (`sqlite,postgres`; PostgreSQL needs
//! RAMPART_TEST_DATABASE_URL, a server where it may create a scratch database).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unreachable_pub)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rampart_crypto::{DataKey, Keyring, OsRandom, Purpose};
use rampart_domain::records::{
    CollectionSchema, CompareOp, FieldDef, FieldName, Scalar, Sort, SortKey, Target, TypedFilter,
    split_sensitive,
};
use rampart_server::records::seal::{lookup_digests, lookups_for, open_sensitive, seal_sensitive};
use rampart_store::collections::{CollectionRow, insert_collection};
use rampart_store::departments::{DepartmentRow, insert_department};
use rampart_store::records::{RecordQuery, RecordRow, Visibility, insert_records, list_records};
use rampart_store::testing::{TestDatabase, TestEngine};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

const DEPARTMENTS: [&str; 4] = ["sales", "support", "finance", "hr"];
const BATCH: usize = 5_000;

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

fn schema() -> CollectionSchema {
    let fields: Vec<FieldDef> = serde_json::from_value(json!([
        {"name": "name", "type": "text", "required": true},
        {"name": "email", "type": "email", "sensitive": true, "searchable": true},
        {"name": "status", "type": "enum", "values": ["open", "won", "lost"]},
        {"name": "total", "type": "decimal"},
    ]))
    .unwrap();
    CollectionSchema::parse(fields).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn seed(db: &rampart_store::Db, keyring: &Keyring, count: usize) {
    let now = OffsetDateTime::now_utc();
    for name in DEPARTMENTS {
        let row = DepartmentRow { name: name.into(), title: name.into(), created_at: now };
        insert_department(db, &row).await.unwrap();
    }
    let schema = schema();
    let fields_json = serde_json::to_string(schema.fields()).unwrap();
    let collection = CollectionRow {
        name: "customers".into(),
        title: "Customers".into(),
        fields: fields_json,
        department_scoped: true,
        departments: "[]".into(),
        default_department: None,
        public_create: false,
        customer_access: false,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    insert_collection(db, &collection).await.unwrap();
    let random = OsRandom;
    let start = now - time::Duration::seconds(count as i64);
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..count {
        let id = Uuid::new_v4();
        let status = ["open", "won", "lost"][n % 3];
        let document = json!({
            "name": format!("Customer {n}"),
            "email": format!("customer{n}@example.com"),
            "status": status,
            "total": (n % 1000) as f64 + 0.5,
        });
        let serde_json::Value::Object(document) = document else { unreachable!() };
        let (plain, sensitive) = split_sensitive(&schema, &document);
        let sealed = seal_sensitive(keyring, "customers", id, &sensitive, &random).unwrap();
        let lookups = lookups_for(keyring, "customers", &schema, &document).unwrap();
        let at = start + time::Duration::seconds(n as i64);
        batch.push((
            RecordRow {
                id,
                collection: "customers".into(),
                department: Some(DEPARTMENTS[n % DEPARTMENTS.len()].into()),
                owner_id: None,
                data: serde_json::Value::Object(plain),
                sealed,
                version: 1,
                created_by: None,
                created_at: at,
                updated_at: at,
                deleted_at: None,
            },
            lookups,
        ));
        if batch.len() == BATCH {
            insert_records(db, &batch).await.unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert_records(db, &batch).await.unwrap();
    }
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
