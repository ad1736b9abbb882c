//! The pages' templates (`crates/http/templates/*.html`) and the values each one shows. askama
//! compiles them into this crate and HTML-escapes every value they print: a name or an address
//! typed by anyone is shown as text.

use askama::Template;

use super::page::Layout;

/// A page with a title and one sentence (a refusal, a link that did not work).
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct Message {
    pub(crate) layout: Layout,
    pub(crate) title: &'static str,
    pub(crate) text: &'static str,
}

/// The answer to a website's HTML form that could not be taken (`routes/forms.rs`): why, and
/// what to do. What was typed is kept by the browser's Back button; nothing of it is shown here.
#[derive(Template)]
#[template(path = "form_not_sent.html")]
pub(crate) struct FormNotSent {
    pub(crate) layout: Layout,
    pub(crate) reason: String,
}

/// `/sign-in`: the typed address comes back after a failure, never the password.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub(crate) struct SignIn {
    pub(crate) layout: Layout,
    pub(crate) passkey_js: String,
    pub(crate) email: String,
    pub(crate) message: Option<String>,
}

/// `/sign-in/second-factor`: a TOTP or recovery code for the pending sign-in.
#[derive(Template)]
#[template(path = "second_factor.html")]
pub(crate) struct SecondFactor {
    pub(crate) layout: Layout,
    pub(crate) passkey_js: String,
    pub(crate) token: String,
    pub(crate) message: Option<String>,
}

/// `/account`: who is signed in, their factors and their sessions.
#[derive(Template)]
#[template(path = "account.html")]
pub(crate) struct Account {
    pub(crate) layout: Layout,
    pub(crate) passkey_js: String,
    pub(crate) token: String,
    pub(crate) email: String,
    pub(crate) totp: bool,
    pub(crate) passkeys: i64,
    pub(crate) recovery_left: i64,
    pub(crate) sessions: Vec<SessionLine>,
    pub(crate) passkey_list: Vec<PasskeyLine>,
    pub(crate) api_keys: Vec<ApiKeyLine>,
    /// The permissions the caller holds: what a new API key may be given.
    pub(crate) permissions: Vec<&'static str>,
    pub(crate) notice: Option<&'static str>,
    pub(crate) message: Option<String>,
}

/// One row of the account page's sessions.
pub(crate) struct SessionLine {
    pub(crate) id: String,
    pub(crate) device: &'static str,
    pub(crate) ip: String,
    pub(crate) last_seen: String,
    pub(crate) current: bool,
}

/// One of the account page's passkeys (its name is the holder's own text, escaped).
pub(crate) struct PasskeyLine {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created: String,
}

/// One of the account page's API keys (never the key itself).
pub(crate) struct ApiKeyLine {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) permissions: String,
    pub(crate) expires: String,
    pub(crate) last_used: String,
    pub(crate) revoked: bool,
}

/// A new API key, shown once.
#[derive(Template)]
#[template(path = "api_key_created.html")]
pub(crate) struct ApiKeyCreated {
    pub(crate) layout: Layout,
    pub(crate) name: String,
    pub(crate) key: String,
}

/// `/account/authenticator`: adding an authenticator app.
#[derive(Template)]
#[template(path = "authenticator.html")]
pub(crate) struct Authenticator {
    pub(crate) layout: Layout,
    pub(crate) token: String,
    /// The caller's roles require a second factor and there is none yet.
    pub(crate) required: bool,
    pub(crate) enrolled: bool,
    /// The new secret, shown once (after the "set up" button).
    pub(crate) setup: Option<TotpSetup>,
    pub(crate) message: Option<String>,
}

/// A new authenticator secret as the page shows it: QR image and typed key.
pub(crate) struct TotpSetup {
    pub(crate) qr_data_url: String,
    pub(crate) secret: String,
}

/// Recovery codes, shown once, with a download of the same text.
#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub(crate) struct RecoveryCodes {
    pub(crate) layout: Layout,
    pub(crate) heading: &'static str,
    pub(crate) codes: Vec<String>,
    pub(crate) download_href: String,
}

/// `/forgot-password`: the address form, then the same notice whoever asked.
#[derive(Template)]
#[template(path = "forgot_password.html")]
pub(crate) struct ForgotPassword {
    pub(crate) layout: Layout,
    pub(crate) email: String,
    pub(crate) sent: bool,
    pub(crate) message: Option<String>,
}

/// `/reset-password`: the reset link's target. `token` is empty until the script moves the
/// link's token in; after a refused password it comes back so that the person can try again.
#[derive(Template)]
#[template(path = "reset_password.html")]
pub(crate) struct ResetPassword {
    pub(crate) layout: Layout,
    pub(crate) link_js: String,
    pub(crate) token: String,
    pub(crate) message: Option<String>,
}

/// `/verify-email`: the verification link's target.
#[derive(Template)]
#[template(path = "verify_email.html")]
pub(crate) struct VerifyEmail {
    pub(crate) layout: Layout,
    pub(crate) link_js: String,
    pub(crate) message: Option<String>,
}

/// `/register`: a visitor's own customer account (when `accounts.registration_enabled`).
#[derive(Template)]
#[template(path = "register.html")]
pub(crate) struct Register {
    pub(crate) layout: Layout,
    pub(crate) email: String,
    pub(crate) sent: bool,
    pub(crate) message: Option<String>,
}

/// `/accept-invitation`: the invitation link's target (the token, a new password).
#[derive(Template)]
#[template(path = "accept_invitation.html")]
pub(crate) struct AcceptInvitation {
    pub(crate) layout: Layout,
    pub(crate) link_js: String,
    pub(crate) token: String,
    pub(crate) message: Option<String>,
}

/// `/confirm-email`: the target of the link sent to a new address.
#[derive(Template)]
#[template(path = "confirm_email.html")]
pub(crate) struct ConfirmEmail {
    pub(crate) layout: Layout,
    pub(crate) link_js: String,
    pub(crate) message: Option<String>,
}
