//! Recovery codes, shown once: after the first factor is added, and when they are made anew.
//! The download is the same text as a `data:` link, made here: nothing is stored to serve it.

use axum::response::Response;

use super::page::{Layout, ok};
use super::templates::RecoveryCodes;
use crate::AppState;

/// The page that shows `codes` this once; `token` is the form token of the session the page is
/// answered with (the sign-out button).
pub(super) fn recovery_codes_page(
    state: &AppState,
    token: String,
    heading: &'static str,
    codes: Vec<String>,
) -> Response {
    let download_href = format!("data:text/plain;charset=utf-8,{}", percent_encoded(&codes));
    let page = RecoveryCodes {
        layout: Layout::new(&state.settings.accounts.site_name, Some(token)),
        heading,
        codes,
        download_href,
    };
    ok(&page)
}

/// One code a line, percent-encoded for a `data:` URL (anything but letters, digits and `-`).
fn percent_encoded(codes: &[String]) -> String {
    let text = codes.join("\n") + "\n";
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => char::from(byte).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_holds_one_code_a_line() {
        let codes = vec!["abcd-efgh".to_owned(), "ijkl-mnop".to_owned()];
        assert_eq!(percent_encoded(&codes), "abcd-efgh%0Aijkl-mnop%0A");
    }
}
