//! Where a browser goes once a sign-in step succeeded, with the new session's cookie: the
//! second-factor page while one is owed, the enrolment page while the roles require a factor the
//! account lacks, else the account page. The cookie is the API's own (`session_cookie_of`).

use axum::http::header;
use axum::response::Response;
use rampart_core::sessions::{Standing, StartedSession, standing};
use rampart_domain::SessionStage;

use super::page::see_other;
use super::{ACCOUNT_PAGE, ENROL_PAGE, SECOND_FACTOR_PAGE};
use crate::routes::session_response::session_cookie_of;
use crate::{ApiError, AppState};

/// The redirect after a sign-in step that started `session`.
pub(crate) async fn continue_signed_in(
    state: &AppState,
    session: &StartedSession,
) -> Result<Response, ApiError> {
    let Standing { stage, owes_enrolment, .. } = standing(state, session).await?;
    let next = match stage {
        SessionStage::MfaPending => SECOND_FACTOR_PAGE,
        SessionStage::Full if owes_enrolment => ENROL_PAGE,
        SessionStage::Full => ACCOUNT_PAGE,
    };
    let mut response = see_other(next);
    response.headers_mut().insert(header::SET_COOKIE, session_cookie_of(session));
    Ok(response)
}
