//! `GET /api/alerts/stream`: server-sent events, one `alert` event per new alert (raised on any
//! instance), with the alert's id as the event id so a reconnecting client (`Last-Event-ID`)
//! misses nothing.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use rampart_core::alerts::{alerts_after, last_alert_id};
use rampart_domain::Permission;

use super::list::view;
use crate::caller::SignedIn;
use crate::routes::responses::{ErrorResponse, UNAUTHENTICATED};
use crate::{ApiError, AppState};

/// How often the feed looks for alerts raised by other instances.
const POLL: Duration = Duration::from_millis(250);

/// The live feed of new alerts.
#[utoipa::path(
    get,
    path = "/api/alerts/stream",
    params(("Last-Event-ID" = Option<i64>, Header, description = "resume after this alert")),
    responses(
        (status = 200, description = "`text/event-stream`: an `alert` event (the alert as in \
            GET /api/alerts) for each new alert", content_type = "text/event-stream", body = String),
        (status = 401, description = UNAUTHENTICATED, body = ErrorResponse),
        (status = 403, description = "`forbidden`: the caller does not hold `audit:read`",
            body = ErrorResponse),
    ),
)]
pub(super) async fn alert_stream(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    principal.require(Permission::AuditRead)?;
    let resume = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<i64>().ok());
    let start = match resume {
        Some(id) => id,
        None => last_alert_id(&state).await?,
    };
    let batches = stream::unfold((state, start), |(state, mut last)| async move {
        loop {
            if let Ok(found) = alerts_after(&state, last, 50).await
                && let Some(newest) = found.last()
            {
                last = newest.alert.id;
                let events: Vec<Result<Event, Infallible>> = found
                    .into_iter()
                    .map(|alert| {
                        let id = alert.alert.id.to_string();
                        let data = serde_json::to_string(&view(alert)).unwrap_or_default();
                        Ok(Event::default().event("alert").id(id).data(data))
                    })
                    .collect();
                return Some((stream::iter(events), (state, last)));
            }
            let signals = state.alert_signals.clone();
            tokio::select! {
                () = signals.raised_here() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    });
    Ok(Sse::new(batches.flatten()).keep_alive(KeepAlive::default()))
}
