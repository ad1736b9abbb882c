//! Recovery codes: ten of 128 bits, shown once, single use, audited and e-mailed at each use;
//! regenerating revokes the old set.

use rampart_domain::Clock;
use rampart_store::on_both_engines;
use rampart_store::testing::TestEngine;
use serde_json::{Value, json};

use crate::factors::{
    STEP, app_with_mail_and_clock, audited, complete_sign_in, enrol_totp, pending_sign_in,
    post_json,
};
use crate::people::{bearer, create_user};

async fn a_recovery_code_signs_in_once_and_its_holder_is_told(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;
    let added = sink.wait_for(1).await;
    assert!(added[0].subject.contains("a second factor was added"), "{added:?}");
    let distinct: std::collections::BTreeSet<&String> = enrolled.recovery_codes.iter().collect();
    assert_eq!(distinct.len(), 10);

    // Typed in capitals and without dashes, the first code still works — once.
    clock.advance(STEP);
    let typed = enrolled.recovery_codes[0].replace('-', "").to_uppercase();
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let (status, body) = complete_sign_in(&app, &pending, json!({ "recovery_code": typed })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["assurance"], "password+recovery_code");
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let (status, _) = complete_sign_in(&app, &pending, json!({ "recovery_code": typed })).await;
    assert_eq!(status, 401, "a recovery code works once");

    let ada = crate::factors::alert_raised(&app, "recovery_code_used").await;
    assert!(ada.starts_with("user:"), "the alert names the account: {ada}");
    let used = audited(&app, "authn_recovery_code_used").await;
    assert_eq!(used.len(), 1);
    assert!(used[0].entry.details.contains("\"left\":9"), "{}", used[0].entry.details);
    let mails = sink.wait_for(2).await;
    let notice = mails.iter().find(|m| m.subject.contains("recovery code was used")).unwrap();
    assert!(notice.body.contains("9 remain"), "{}", notice.body);
    assert!(!notice.raw.contains(&enrolled.recovery_codes[0]), "the code is not mailed back");
    let left: Value = app
        .get_with("/api/me/mfa/recovery-codes", body["token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(left["left"], 9);
}

async fn regenerating_recovery_codes_revokes_the_old_set(engine: TestEngine) {
    let (app, clock, sink) = app_with_mail_and_clock(engine).await;
    create_user(&app, "ada@example.com", &[]).await;
    let first = bearer(&app, "ada@example.com").await;
    let enrolled = enrol_totp(&app, &first, clock.now()).await;

    let (status, body) =
        post_json(&app, "/api/me/mfa/recovery-codes", &enrolled.token, json!({})).await;

    assert_eq!(status, 200, "{body}");
    let fresh: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|code| !enrolled.recovery_codes.contains(code)));
    let pending = pending_sign_in(&app, "ada@example.com").await;
    let old = json!({ "recovery_code": enrolled.recovery_codes[1] });
    assert_eq!(complete_sign_in(&app, &pending, old).await.0, 401, "the old set is revoked");
    let new = json!({ "recovery_code": fresh[0] });
    assert_eq!(complete_sign_in(&app, &pending, new).await.0, 200);
    assert_eq!(audited(&app, "authn_recovery_codes_generated").await.len(), 2);
    // Added, regenerated, a code used.
    let mails = sink.wait_for(3).await;
    assert!(mails.iter().any(|m| m.subject.contains("new recovery codes")), "{mails:?}");
}

on_both_engines!(
    a_recovery_code_signs_in_once_and_its_holder_is_told,
    regenerating_recovery_codes_revokes_the_old_set,
);
