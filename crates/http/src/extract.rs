//! `ApiJson<T>` and `ApiQuery<T>`: the JSON body and query string extractors whose every failure
//! is an [`ApiError`].
//!
//! Malformed JSON answers 400 with the line and column; a well-formed body of the wrong shape
//! answers 422 naming the field, and only the field: its position would move with the length of
//! the values around it, so that two wrong values of different lengths got different answers (a
//! signal sqlmap's boolean test took for an injection). Messages never repeat the values the
//! client sent (a password in the wrong field must not come back in an error, nor reach a log).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !has_json_content_type(&request) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest("the request body could not be read".into())
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters parsed into `T` (`#[serde(deny_unknown_fields)]` to refuse strays); a query
/// string that does not fit answers 400 naming what was wrong, not the value.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                let text = rejection.body_text();
                let reason =
                    text.strip_prefix("Failed to deserialize query string: ").unwrap_or(&text);
                ApiError::BadRequest(format!("query string: {}", reason_without_values(reason)))
            })
    }
}

fn has_json_content_type(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else { return false };
    let Ok(value) = value.to_str() else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (essence.len() > 5
            && essence[..essence.len() - 5].to_ascii_lowercase().starts_with("application/")
            && essence.to_ascii_lowercase().ends_with("+json"))
}

/// For `#[serde(default, deserialize_with = "crate::extract::present")]` on an `Option` field
/// that may be left out but not sent as `null`: the document then describes it as the value's
/// type alone, and the handler never has to tell "absent" from "null".
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Parses a whole JSON document into `T`, describing failures without echoing input.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        describe(error.inner(), &path)
    })?;
    deserializer.end().map_err(|error| describe(&error, "."))?;
    Ok(value)
}

fn describe(error: &serde_json::Error, path: &str) -> ApiError {
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(format!(
            "the body is not valid JSON: error at line {} column {}",
            error.line(),
            error.column()
        )),
        Category::Data => {
            let reason = reason_without_values(&error.to_string());
            if path == "." {
                ApiError::Unprocessable(reason)
            } else {
                ApiError::Unprocessable(format!("field `{path}`: {reason}"))
            }
        }
    }
}

/// serde's messages quote the offending value (`invalid type: string "hunter2", expected u32`);
/// keep what was wrong and what was expected, drop the value.
fn reason_without_values(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    if message.contains("unknown variant") {
        return match message.find(", expected ") {
            Some(at) => format!("unknown variant{}", &message[at..]),
            None => "unknown variant".to_owned(),
        };
    }
    for kind in ["invalid type", "invalid value", "invalid length"] {
        if message.starts_with(kind) {
            return match message.find(", expected ") {
                Some(at) => format!("{kind}{}", &message[at..]),
                None => kind.to_owned(),
            };
        }
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        attempts: u32,
    }

    fn error_of(body: &str) -> ApiError {
        parse_json::<Login>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn malformed_json_names_the_position() {
        let error = error_of("{\"email\": \"a@b.c\",\n  \"attempts\": }");
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
        assert!(error.to_string().contains("line 2 column"), "{error}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_the_field_but_not_the_value() {
        let error = error_of(r#"{"email": "a@b.c", "attempts": "hunter2-secret"}"#);
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let message = error.to_string();
        assert!(message.contains("field `attempts`"), "{message}");
        assert!(message.contains("expected u32"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_misfit_answers_the_same_whatever_the_length_of_the_values_around_it() {
        let short = error_of(r#"{"email": "a", "attempts": "x"}"#).to_string();
        let long = error_of(r#"{"email": "a-much-longer-address@example.com", "attempts": "xyz"}"#);
        assert_eq!(short, long.to_string());
        assert!(!short.contains("column"), "{short}");
    }

    #[test]
    fn a_missing_field_is_named() {
        let message = error_of(r#"{"attempts": 1}"#).to_string();
        assert!(message.contains("missing field `email`"), "{message}");
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let error = error_of(r#"{"email": "a@b.c", "attempts": 1} x"#);
        assert_eq!(error.status(), StatusCode::BAD_REQUEST);
    }
}
