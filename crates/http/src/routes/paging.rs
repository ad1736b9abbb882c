//! The page parameters the trail searches share (`GET /api/audit`, `GET /api/alerts`): a page
//! size and the `before` cursor of the previous page, each checked as the document states it.

use crate::ApiError;

/// The page size (`limit`, or `default`), refused outside 1 to `max`; and `before`, a position
/// in the trail, refused below 1.
pub(crate) fn checked_page(
    limit: Option<u64>,
    default: u64,
    max: u64,
    before: Option<i64>,
) -> Result<u64, ApiError> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::Unprocessable(format!("limit: expected 1 to {max}")));
    }
    if before.is_some_and(|before| before < 1) {
        return Err(ApiError::Unprocessable("before: expected the `next_before` of a page".into()));
    }
    Ok(limit)
}
