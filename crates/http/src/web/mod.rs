//! The HTML pages for people: sign-in, the second factor, sign-out, the account page and adding
//! an authenticator app. The JSON API and these pages are two faces of the same use cases: every
//! handler here calls the `rampart_core` function its API twin calls, never a second path.
//!
//! - `page.rs`: rendering, the pages' CSP, redirects; `templates.rs`: the askama templates
//!   (`crates/http/templates/`) and their values, HTML-escaped by construction;
//! - `assets.rs`: the CSS and the one script, embedded, served under content-hashed names;
//! - `guard.rs`: a page's access rule (the route table's [`Access`]) refused the browser's way
//!   (to `/sign-in`, to the enrolment page, or a 403 page);
//! - `form_token.rs`: the CSRF token in each form, checked by `middleware/csrf.rs`;
//! - one file per page or flow: `sign_in.rs`, `second_factor.rs`, `signed_in.rs` (where a
//!   sign-in goes next), `sign_out.rs`, `account.rs` (+ `account_forms.rs`, `account_passkeys.rs`, `account_api_keys.rs`), `authenticator.rs`, `recovery_codes.rs`,
//!   `forgot_password.rs`, `email_links.rs` (the targets of the mailed links), `staff_links.rs`
//!   (the invitation's and the new address's links), `register.rs`.
//!
//! The CSP report endpoint the pages name is an API route (`routes/csp_report.rs`).

mod account;
mod account_api_keys;
mod account_forms;
mod account_passkeys;
mod assets;
mod authenticator;
mod email_links;
mod forgot_password;
mod form_token;
mod guard;
mod page;
mod recovery_codes;
mod register;
mod second_factor;
mod sign_in;
mod sign_out;
mod signed_in;
mod staff_links;
mod templates;

pub(crate) use guard::guarded_page;
pub(crate) use page::{Layout, PageBody, refused_with};
pub(crate) use templates::FormNotSent;

use crate::routes::{Access, RouteTable};

pub(crate) const SIGN_IN_PAGE: &str = "/sign-in";
pub(crate) const SECOND_FACTOR_PAGE: &str = "/sign-in/second-factor";
pub(crate) const ACCOUNT_PAGE: &str = "/account";
/// Where someone whose roles require a second factor is sent until they have one.
pub(crate) const ENROL_PAGE: &str = "/account/authenticator";

/// Every page, with its access rule.
pub(crate) fn pages() -> RouteTable {
    let public = Access::Public;
    let enrolment = Access::Enrolment;
    let mine = Access::SignedIn;
    RouteTable::pages()
        .get("/assets/{file}", public, assets::asset)
        .get(SIGN_IN_PAGE, public, sign_in::sign_in_page)
        .post(SIGN_IN_PAGE, public, sign_in::sign_in)
        // The pending sign-in rides on the cookie; the handler sends anyone without one back.
        .get(SECOND_FACTOR_PAGE, public, second_factor::second_factor_page)
        .post(SECOND_FACTOR_PAGE, public, second_factor::second_factor)
        .post("/sign-out", enrolment, sign_out::sign_out)
        .get("/forgot-password", public, forgot_password::forgot_password_page)
        .post("/forgot-password", public, forgot_password::forgot_password)
        .get("/reset-password", public, email_links::reset_password_page)
        .post("/reset-password", public, email_links::reset_password)
        .get("/verify-email", public, email_links::verify_email_page)
        .post("/verify-email", public, email_links::verify_email)
        .get("/accept-invitation", public, staff_links::accept_invitation_page)
        .post("/accept-invitation", public, staff_links::accept_invitation)
        .get("/confirm-email", public, staff_links::confirm_email_page)
        .post("/confirm-email", public, staff_links::confirm_email)
        .get("/register", public, register::register_page)
        .post("/register", public, register::register)
        .get(ACCOUNT_PAGE, mine, account::account_page)
        .post("/account/sessions/end", mine, account::end_session)
        .post("/account/sessions/end-others", mine, account::end_other_sessions)
        .post("/account/confirm", mine, account_forms::confirm)
        .post("/account/password", mine, account_forms::change_password)
        .post("/account/recovery-codes", mine, account_forms::new_recovery_codes)
        .post("/account/authenticator/remove", mine, account_passkeys::remove_authenticator)
        .post("/account/passkeys/rename", mine, account_passkeys::rename_passkey)
        .post("/account/passkeys/remove", mine, account_passkeys::remove_passkey)
        .post("/account/api-keys", mine, account_api_keys::create_key)
        .post("/account/api-keys/revoke", mine, account_api_keys::revoke_key)
        .get(ENROL_PAGE, enrolment, authenticator::authenticator_page)
        .post(ENROL_PAGE, enrolment, authenticator::start_authenticator)
        .post("/account/authenticator/confirm", enrolment, authenticator::confirm_authenticator)
}
