//! What an attacker can measure: failures of every kind take the same time, a login flood meets
//! 503 instead of queueing without bound, and two instances enforce one set of counters and
//! revocations.

use std::time::{Duration as StdDuration, Instant};

use rampart_domain::{BuiltInRole, ManualClock};
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rampart_store::users::set_user_status;
use time::OffsetDateTime;

use crate::helpers::{TestApp, TestOptions, second_instance, spawn_app_with};
use crate::people::{PASSWORD, bearer, create_user, login};

const WRONG: &str = "not the password at all, sorry";
const TRIES: usize = 32;

fn median(mut samples: Vec<StdDuration>) -> StdDuration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

async fn timed(app: &TestApp, address: &str, password: &str, expected: u16) -> StdDuration {
    let started = Instant::now();
    let response = login(app, address, password).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), expected, "{address}");
    elapsed
}

async fn unknown_wrong_throttled_and_disabled_take_the_same_time(engine: TestEngine) {
    let clock = ManualClock::starting_at(OffsetDateTime::now_utc());
    let options = TestOptions {
        clock: Some(clock.clone()),
        overrides: vec![("sign_in.ip_max_failures", 100_000.into())],
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    // Each known address is tried at most four times, so it never becomes throttled itself.
    for n in 0..TRIES / 4 {
        create_user(&app, &format!("wrong{n}@example.com"), &[]).await;
        let disabled = create_user(&app, &format!("disabled{n}@example.com"), &[]).await;
        set_user_status(&app.db, disabled, "disabled").await.unwrap();
    }
    create_user(&app, "throttled@example.com", &[]).await;
    for _ in 0..5 {
        login(&app, "throttled@example.com", WRONG).await;
    }

    let (mut unknown, mut wrong, mut throttled, mut disabled) = (vec![], vec![], vec![], vec![]);
    for n in 0..TRIES {
        unknown.push(timed(&app, &format!("nobody{n}@example.com"), WRONG, 401).await);
        wrong.push(timed(&app, &format!("wrong{}@example.com", n / 4), WRONG, 401).await);
        throttled.push(timed(&app, "throttled@example.com", PASSWORD, 429).await);
        disabled.push(timed(&app, &format!("disabled{}@example.com", n / 4), PASSWORD, 401).await);
    }

    let medians = [median(unknown), median(wrong), median(throttled), median(disabled)];
    let (fastest, slowest) = (*medians.iter().min().unwrap(), *medians.iter().max().unwrap());
    let spread = slowest - fastest;
    eprintln!("median sign-in latency (unknown, wrong, throttled, disabled): {medians:?}");
    // What would leak is a path that skips the password hash: its median would be a small
    // fraction of the others'. 10 ms, or half the fastest median on a loaded machine (where
    // every request is slower), still tells that apart from a hash-equal path.
    let allowed = StdDuration::from_millis(10).max(fastest / 2);
    assert!(spread <= allowed, "medians differ by {spread:?} (> {allowed:?}): {medians:?}");
}

async fn a_login_flood_gets_503_at_once_instead_of_queueing(engine: TestEngine) {
    let options = TestOptions {
        overrides: vec![
            ("passwords.hashing_threads", 1.into()),
            ("passwords.hashing_queue", 1.into()),
            ("sign_in.ip_max_failures", 100_000.into()),
        ],
        ..TestOptions::default()
    };
    let app = spawn_app_with(engine, options).await;
    create_user(&app, "ada@example.com", &[]).await;
    let token = bearer(&app, "ada@example.com").await;

    let flood: Vec<_> = (0..24)
        .map(|n| {
            let client = app.client.clone();
            let url = app.at("/api/auth/login");
            tokio::spawn(async move {
                let body = serde_json::json!({ "email": format!("flood{n}@example.com"), "password": WRONG });
                let response = client.post(url).json(&body).send().await.unwrap();
                let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
                (response.status().as_u16(), retry)
            })
        })
        .collect();
    let me = app.get_with("/api/me", &token).await.status();
    let mut answers = Vec::new();
    for request in flood {
        answers.push(request.await.unwrap());
    }

    assert_eq!(me, 200, "authenticated reads keep working during the flood");
    let busy: Vec<_> = answers.iter().filter(|(status, _)| *status == 503).collect();
    assert!(!busy.is_empty(), "some sign-ins were turned away: {answers:?}");
    assert!(busy.iter().all(|(_, retry)| retry.as_deref() == Some("1")));
    assert!(answers.iter().all(|(status, _)| matches!(status, 401 | 503)), "{answers:?}");
}

async fn a_lockout_and_a_revocation_made_on_one_instance_hold_on_the_other(engine: TestEngine) {
    let first = spawn_app_with(engine, TestOptions::default()).await;
    let second = second_instance(&first, engine).await;
    create_user(&first, "admin@example.com", &[BuiltInRole::Admin]).await;
    let ada = create_user(&first, "ada@example.com", &[]).await;

    for _ in 0..5 {
        assert_eq!(login(&first, "ada@example.com", WRONG).await.status(), 401);
    }
    // After the fifth failure the address waits 1 s, whichever instance it tries.
    assert_eq!(
        login(&second, "ada@example.com", PASSWORD).await.status(),
        429,
        "throttled on the other instance too"
    );

    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let ada_token = bearer(&second, "ada@example.com").await;
    assert_eq!(
        first.get_with("/api/me", &ada_token).await.status(),
        200,
        "a session works on both"
    );
    let admin = crate::factors::mfa_bearer(&first, "admin@example.com").await;
    let ended = first.delete_with(&format!("/api/users/{ada}/sessions"), &admin).await;
    assert_eq!(ended.status(), 200);
    assert_eq!(
        second.get_with("/api/me", &ada_token).await.status(),
        401,
        "revoked everywhere at once"
    );
}

on_both_engines!(
    unknown_wrong_throttled_and_disabled_take_the_same_time,
    a_login_flood_gets_503_at_once_instead_of_queueing,
);

// Several instances share one database: PostgreSQL only (one `serve` per SQLite file).
rampart_store::on_postgres!(a_lockout_and_a_revocation_made_on_one_instance_hold_on_the_other);
