//! The re-encryption job after a rotation: every value rewritten under the newest keys, resumable
//! after a crash, safe beside a concurrent writer, old keys retired only when nothing uses them.

use std::sync::Arc;

use rampart_core::accounts::{create_account, find_account_by_email};
use rampart_core::keys::{RETIRE_GRACE, reencrypt, reencrypt_step, rotate_data_keys};
use rampart_crypto::{MasterKey, OsRandom, Purpose, field_key_version};
use rampart_domain::{Email, ManualClock, Password, SystemClock};
use rampart_store::keys::list_keys;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use rampart_store::users::list_users_after;

use crate::helpers::{TestApp, spawn_app};

const PASSWORD: &str = "correct horse battery staple orbit";

fn address(n: usize) -> Email {
    Email::parse(&format!("customer{n}@example.com")).unwrap()
}

async fn create_accounts(app: &TestApp, range: std::ops::Range<usize>) {
    for n in range {
        create_account(&app.state, &address(n), Password::new(PASSWORD, &[]).unwrap())
            .await
            .unwrap();
    }
}

pub fn master_of(app: &TestApp) -> MasterKey {
    MasterKey::from_bytes(&std::fs::read(app.data_dir.join("master.key")).unwrap()).unwrap()
}

/// Rotates the field and blind-index keys and makes the running server use the new versions.
pub async fn rotate(app: &TestApp) {
    let master = master_of(app);
    rotate_data_keys(
        &app.db,
        &master,
        &[Purpose::Fields, Purpose::BlindIndex],
        &OsRandom,
        &SystemClock,
    )
    .await
    .unwrap();
    app.state.keyring.refresh(&app.db, &master).await.unwrap();
}

pub fn after_the_grace_period() -> ManualClock {
    ManualClock::starting_at(
        time::OffsetDateTime::now_utc() + RETIRE_GRACE + time::Duration::minutes(1),
    )
}

/// Every account decrypts, is found by its address, and uses the newest keys.
async fn assert_all_current(app: &TestApp, count: usize) {
    let keyring = app.state.keyring.current();
    let rows = list_users_after(&app.db, None, 1000).await.unwrap();
    assert_eq!(rows.len(), count);
    for row in &rows {
        assert_eq!(
            field_key_version(&row.email_ciphertext),
            keyring.current_version(Purpose::Fields)
        );
        assert_eq!(
            u32::try_from(row.email_index_version).ok(),
            keyring.current_version(Purpose::BlindIndex)
        );
    }
    for n in 0..count {
        assert!(find_account_by_email(&app.state, &address(n)).await.unwrap().is_some(), "{n}");
    }
}

async fn after_a_rotation_the_job_rewrites_every_account_and_retires_the_old_keys(
    engine: TestEngine,
) {
    let app = spawn_app(engine).await;
    create_accounts(&app, 0..7).await;
    rotate(&app).await;

    let keyring = app.state.keyring.current();
    let report =
        reencrypt(&app.db, &keyring, &OsRandom, &after_the_grace_period(), 3, None).await.unwrap();

    assert!(report.complete);
    assert_eq!((report.checked, report.rewritten), (7, 7));
    assert_eq!(report.retired, [(Purpose::Fields, 1), (Purpose::BlindIndex, 1)]);
    let stored = list_keys(&app.db).await.unwrap();
    assert!(!stored.iter().any(|k| k.purpose == "fields" && k.version == 1));
    app.state.keyring.refresh(&app.db, &master_of(&app)).await.unwrap();
    assert_all_current(&app, 7).await;
}

async fn a_job_stopped_midway_resumes_where_it_stopped(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_accounts(&app, 0..7).await;
    rotate(&app).await;
    let keyring = app.state.keyring.current();

    let first = reencrypt(&app.db, &keyring, &OsRandom, &SystemClock, 2, Some(2)).await.unwrap();
    let second = reencrypt(&app.db, &keyring, &OsRandom, &SystemClock, 2, None).await.unwrap();

    assert!(!first.complete);
    assert_eq!(first.checked, 4);
    assert!(second.complete);
    assert_eq!((second.checked, second.rewritten), (7, 7), "resumed, not restarted");
    assert!(second.retired.is_empty(), "within the grace period old keys stay");
    assert_all_current(&app, 7).await;
}

async fn a_concurrent_writer_leaves_nothing_unreadable(engine: TestEngine) {
    let app = Arc::new(spawn_app(engine).await);
    create_accounts(&app, 0..10).await;
    rotate(&app).await;
    let writer = tokio::spawn({
        let app = Arc::clone(&app);
        async move { create_accounts(&app, 10..20).await }
    });
    let keyring = app.state.keyring.current();

    while !writer.is_finished() {
        reencrypt(&app.db, &keyring, &OsRandom, &SystemClock, 2, Some(1)).await.unwrap();
    }
    writer.await.unwrap();
    let last = reencrypt(&app.db, &keyring, &OsRandom, &SystemClock, 2, None).await.unwrap();

    assert!(last.complete);
    assert_all_current(&app, 20).await;
}

async fn an_authenticator_app_keeps_working_after_its_secret_is_rewritten(engine: TestEngine) {
    use rampart_domain::Clock;

    use crate::factors::{
        STEP, app_with_clock, complete_sign_in, enrol_totp, pending_sign_in, totp_code,
    };

    let (app, clock) = app_with_clock(engine).await;
    let ada = crate::people::create_user(&app, "ada@example.com", &[]).await;
    let first = crate::people::bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;
    rotate(&app).await;
    let keyring = app.state.keyring.current();

    let report =
        reencrypt(&app.db, &keyring, &OsRandom, &after_the_grace_period(), 10, None).await.unwrap();

    assert!(report.complete);
    assert_eq!((report.checked, report.rewritten), (2, 2), "the account and its secret");
    let factor =
        rampart_store::totp_factors::find_totp_factor(&app.db, ada).await.unwrap().unwrap();
    assert_eq!(
        field_key_version(&factor.secret_ciphertext),
        keyring.current_version(Purpose::Fields)
    );
    app.state.keyring.refresh(&app.db, &master_of(&app)).await.unwrap();
    clock.advance(STEP);
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let code = serde_json::json!({ "code": totp_code(&enrolled.secret, clock.now()) });
    assert_eq!(complete_sign_in(&app, &pending, code).await.0, 200);
}

/// `serve` re-encrypts by itself after a rotation: not before every instance can hold the new
/// keys (two reload intervals), then one complete pass, not repeated at once; progress shows in
/// the metrics' gauges.
async fn serve_reencrypts_by_itself_once_every_instance_holds_the_new_keys(engine: TestEngine) {
    let clock = ManualClock::starting_at(time::OffsetDateTime::now_utc());
    let options = crate::helpers::TestOptions {
        clock: Some(clock.clone()),
        ..crate::helpers::TestOptions::default()
    };
    let app = crate::helpers::spawn_app_with(engine, options).await;
    create_accounts(&app, 0..3).await;
    assert!(reencrypt_step(&app.state).await.unwrap().is_none(), "nothing to do before a rotation");

    rotate(&app).await;
    assert!(
        reencrypt_step(&app.state).await.unwrap().is_none(),
        "another instance may not hold the new keys yet"
    );
    // The manual clock started before the rotation (which used the real one): well past it.
    clock.advance(time::Duration::seconds(60));
    let report = reencrypt_step(&app.state).await.unwrap().expect("a pass ran");
    assert!(report.complete);
    assert_eq!(report.rewritten, 3);
    assert_all_current(&app, 3).await;
    assert!(reencrypt_step(&app.state).await.unwrap().is_none(), "a complete pass is not repeated");
    let account = find_account_by_email(&app.state, &address(1)).await.unwrap();
    assert!(account.is_some(), "found by its address under the new blind index");
}

on_both_engines!(
    serve_reencrypts_by_itself_once_every_instance_holds_the_new_keys,
    an_authenticator_app_keeps_working_after_its_secret_is_rewritten,
    after_a_rotation_the_job_rewrites_every_account_and_retires_the_old_keys,
    a_job_stopped_midway_resumes_where_it_stopped,
    a_concurrent_writer_leaves_nothing_unreadable,
);
