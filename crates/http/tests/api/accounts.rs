//! Accounts at rest: the address is found by its blind index, decrypts in its own row only, the
//! password verifies through the hashing pool, and the raw database holds none of them.

use rampart_core::accounts::{
    AccountError, backfill_email_skeletons, check_password, create_account, find_account_by_email,
};
use rampart_core::keys::rotate_data_keys;
use rampart_crypto::{OsRandom, Purpose};
use rampart_domain::{Email, Password, SystemClock};
use rampart_store::audit::list_audit_events;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;

use crate::helpers::spawn_app;
use crate::keys::raw_database_bytes;

const PASSWORD: &str = "correct horse battery staple orbit";

fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

fn password(text: &str) -> Password {
    Password::new(text, &[]).unwrap()
}

async fn an_account_is_found_by_its_address_in_any_letter_case(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let created =
        create_account(&app.state, &email("Ada.Lovelace@Example.com"), password(PASSWORD))
            .await
            .unwrap();

    let found =
        find_account_by_email(&app.state, &email("ada.lovelace@EXAMPLE.COM")).await.unwrap();

    assert_eq!(found.as_ref().map(|a| a.id), Some(created.id));
    assert_eq!(found.unwrap().email.as_str(), "Ada.Lovelace@Example.com");
    assert!(
        find_account_by_email(&app.state, &email("grace@example.com")).await.unwrap().is_none()
    );
}

async fn a_second_account_for_the_same_address_is_refused(engine: TestEngine) {
    let app = spawn_app(engine).await;
    create_account(&app.state, &email("ada@example.com"), password(PASSWORD)).await.unwrap();

    let again = create_account(&app.state, &email("ADA@example.com"), password(PASSWORD)).await;

    assert!(matches!(again, Err(AccountError::EmailTaken)), "{again:?}");
}

async fn an_address_that_looks_like_an_account_s_is_refused_also_for_older_accounts(
    engine: TestEngine,
) {
    let app = spawn_app(engine).await;
    create_account(&app.state, &email("admin@example.com"), password(PASSWORD)).await.unwrap();
    let cyrillic =
        create_account(&app.state, &email("\u{0430}dmin@example.com"), password(PASSWORD)).await;
    assert!(matches!(cyrillic, Err(AccountError::LookAlike)), "{cyrillic:?}");

    // An installation from before look-alikes were refused: its accounts have no skeleton index
    // until start-up fills it in.
    app.run_sql("UPDATE users SET email_skeleton_index = NULL");
    create_account(&app.state, &email("ops@example.com"), password(PASSWORD)).await.unwrap();
    app.run_sql("UPDATE users SET email_skeleton_index = NULL");
    let report = backfill_email_skeletons(&app.db, &app.state_keyring()).await.unwrap();
    assert_eq!((report.indexed, report.look_alikes), (2, 0));
    let again = backfill_email_skeletons(&app.db, &app.state_keyring()).await.unwrap();
    assert_eq!((again.indexed, again.look_alikes), (0, 0), "once done, nothing to do");
    let greek =
        create_account(&app.state, &email("\u{03bf}ps@example.com"), password(PASSWORD)).await;
    assert!(matches!(greek, Err(AccountError::LookAlike)), "Greek omicron: {greek:?}");
    create_account(&app.state, &email("opsy@example.com"), password(PASSWORD)).await.unwrap();

    // The index survives a key rotation and re-encryption.
    crate::reencrypt::rotate(&app).await;
    let keyring = app.state_keyring();
    let report =
        rampart_core::keys::reencrypt(&app.db, &keyring, &OsRandom, &SystemClock, 100, None)
            .await
            .unwrap();
    assert_eq!(report.rewritten, 3);
    let after =
        create_account(&app.state, &email("adm\u{0456}n@example.com"), password(PASSWORD)).await;
    assert!(matches!(after, Err(AccountError::LookAlike)), "{after:?}");
}

async fn only_the_right_password_signs_in(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let ada =
        create_account(&app.state, &email("ada@example.com"), password(PASSWORD)).await.unwrap();
    let attempt = |address: &'static str, text: &'static str| {
        let state = app.state.clone();
        async move {
            check_password(&state, &email(address), Password::for_sign_in(text).unwrap())
                .await
                .unwrap()
                .map(|account| account.id)
        }
    };

    assert_eq!(attempt("ada@example.com", PASSWORD).await, Some(ada.id));
    assert_eq!(attempt("ada@example.com", "correct horse battery staple orbiT").await, None);
    assert_eq!(attempt("nobody@example.com", PASSWORD).await, None);
}

async fn accounts_stay_readable_and_findable_across_key_rotations(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let ada =
        create_account(&app.state, &email("ada@example.com"), password(PASSWORD)).await.unwrap();
    let master = rampart_crypto::MasterKey::from_bytes(
        &std::fs::read(app.data_dir.join("master.key")).unwrap(),
    )
    .unwrap();
    rotate_data_keys(
        &app.db,
        &master,
        &[Purpose::Fields, Purpose::BlindIndex, Purpose::Pepper],
        &OsRandom,
        &SystemClock,
    )
    .await
    .unwrap();
    app.state.keyring.refresh(&app.db, &master).await.unwrap();

    let found = find_account_by_email(&app.state, &email("ada@example.com")).await.unwrap();
    let signed_in = check_password(&app.state, &email("ada@example.com"), password(PASSWORD)).await;

    assert_eq!(found.map(|a| a.id), Some(ada.id));
    assert_eq!(signed_in.unwrap().map(|a| a.id), Some(ada.id));
    // A second account made after the rotation is still refused for the same address.
    let again = create_account(&app.state, &email("ada@example.com"), password(PASSWORD)).await;
    assert!(matches!(again, Err(AccountError::EmailTaken)));
}

async fn an_address_moved_to_another_row_fails_closed_and_is_audited(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let ada =
        create_account(&app.state, &email("ada@example.com"), password(PASSWORD)).await.unwrap();
    create_account(&app.state, &email("bob@example.com"), password(PASSWORD)).await.unwrap();
    // Someone with write access swaps the two encrypted addresses.
    app.run_sql(
        "UPDATE users SET email_ciphertext = \
           (SELECT other.email_ciphertext FROM users other WHERE other.id <> users.id)",
    );

    let found = find_account_by_email(&app.state, &email("ada@example.com")).await;

    assert!(matches!(found, Err(AccountError::Crypto(_))), "fails closed: {found:?}");
    let events = list_audit_events(&app.db, Some("crypt_decrypt_fail")).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].entry.target.as_deref(), Some(format!("user:{}", ada.id).as_str()));
}

async fn the_raw_database_holds_no_address_and_no_password(engine: TestEngine) {
    let app = spawn_app(engine).await;
    let addresses = ["Ada.Lovelace@Example.com", "grace.hopper@navy.example"];
    for address in addresses {
        create_account(&app.state, &email(address), password(PASSWORD)).await.unwrap();
    }

    let raw = raw_database_bytes(engine, app.database_url());

    let text = String::from_utf8_lossy(&raw).to_lowercase();
    assert!(text.contains("argon2id"), "the scan reads the users table");
    for needle in ["lovelace", "example.com", "grace.hopper", "navy.example", "battery staple"] {
        assert!(!text.contains(needle), "{needle:?} found in the raw database");
    }
}

on_both_engines!(
    an_account_is_found_by_its_address_in_any_letter_case,
    a_second_account_for_the_same_address_is_refused,
    an_address_that_looks_like_an_account_s_is_refused_also_for_older_accounts,
    only_the_right_password_signs_in,
    accounts_stay_readable_and_findable_across_key_rotations,
    an_address_moved_to_another_row_fails_closed_and_is_audited,
    the_raw_database_holds_no_address_and_no_password,
);
