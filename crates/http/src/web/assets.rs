//! The pages' CSS and JavaScript: files in `crates/http/assets/`, compiled into the binary with
//! `include_str!` (nothing to deploy beside it, nothing read from disk at run time, nothing from a
//! CDN), and served as `GET /assets/NAME.HASH.EXT`.
//!
//! The name carries the first 8 bytes (16 hex digits) of the file's SHA-256, so a browser may
//! keep it for a year without asking again (`immutable`): a changed file is a new name, which the
//! pages link to from the next release on. Any other name answers 404.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// One embedded file.
struct Asset {
    stem: &'static str,
    extension: &'static str,
    content_type: &'static str,
    body: &'static str,
}

/// Every file the pages use. Adding one: put it in `assets/`, list it here, link it with
/// [`url`].
const ASSETS: [Asset; 3] = [
    Asset {
        stem: "app",
        extension: "css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/app.css"),
    },
    Asset {
        stem: "passkey",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/passkey.js"),
    },
    Asset {
        stem: "link-token",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/link-token.js"),
    },
];

/// Each file's served name (`app.0123456789abcdef.css`), computed once from the embedded bytes.
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| ASSETS.iter().map(hashed_name).collect());

fn hashed_name(asset: &Asset) -> String {
    let digest = rampart_crypto::token_hash(asset.body);
    format!("{}.{}.{}", asset.stem, hex::encode(&digest[..8]), asset.extension)
}

/// The path that serves the file `stem.extension` (e.g. `url("app", "css")`).
pub(crate) fn url(stem: &str, extension: &str) -> String {
    ASSETS
        .iter()
        .zip(NAMES.iter())
        .find(|(asset, _)| asset.stem == stem && asset.extension == extension)
        .map(|(_, name)| format!("/assets/{name}"))
        .unwrap_or_default()
}

/// `GET /assets/{file}`: an embedded file by its hashed name, cached for a year.
pub(super) async fn asset(Path(file): Path<String>) -> Result<Response, ApiError> {
    let (asset, _) = ASSETS
        .iter()
        .zip(NAMES.iter())
        .find(|(_, name)| **name == file)
        .ok_or(ApiError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_is_named_after_its_content() {
        let css = url("app", "css");
        assert!(css.starts_with("/assets/app.") && css.ends_with(".css"), "{css}");
        assert_eq!(css.len(), "/assets/app..css".len() + 16);
        assert_eq!(url("nothing", "css"), "");
    }
}
