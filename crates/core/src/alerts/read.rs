//! Reading alerts and changing their status: the page `GET /api/alerts` shows, the new alerts
//! the live feed sends, and `POST /api/alerts/{id}/status`.

use rampart_domain::AuditAction;
use rampart_store::StoreError;
pub use rampart_store::alerts::{AlertRow, DeliveryRow};
use rampart_store::alerts::{
    find_last_alert_id, list_alerts, list_alerts_after, list_deliveries, update_alert_status,
};

use crate::AppState;
use crate::audit::AuditEvent;
use crate::client::ClientContext;
use crate::sessions::Principal;
use crate::unit_of_work::UnitOfWork;

/// An alert with the state of its deliveries (webhook, e-mail).
#[derive(Debug, Clone)]
pub struct AlertWithDeliveries {
    pub alert: AlertRow,
    pub deliveries: Vec<DeliveryRow>,
}

/// Up to `limit` alerts, newest first, of `status` if given, older than `before` if given;
/// `more`: there are older ones.
pub async fn alert_page(
    state: &AppState,
    status: Option<&str>,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<AlertWithDeliveries>, bool), StoreError> {
    let mut rows = list_alerts(&state.db, status, before, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((with_deliveries(state, rows).await?, more))
}

/// The newest alert's id (0 when there is none): where a live feed starts.
pub async fn last_alert_id(state: &AppState) -> Result<i64, StoreError> {
    find_last_alert_id(&state.db).await
}

/// Up to `limit` alerts raised after `after`, oldest first: what a live feed sends next.
pub async fn alerts_after(
    state: &AppState,
    after: i64,
    limit: u64,
) -> Result<Vec<AlertWithDeliveries>, StoreError> {
    with_deliveries(state, list_alerts_after(&state.db, after, limit).await?).await
}

async fn with_deliveries(
    state: &AppState,
    alerts: Vec<AlertRow>,
) -> Result<Vec<AlertWithDeliveries>, StoreError> {
    let ids: Vec<i64> = alerts.iter().map(|alert| alert.id).collect();
    let deliveries = list_deliveries(&state.db, &ids).await?;
    Ok(alerts
        .into_iter()
        .map(|alert| {
            let deliveries = deliveries
                .iter()
                .filter(|delivery| delivery.alert_id == alert.id)
                .cloned()
                .collect();
            AlertWithDeliveries { alert, deliveries }
        })
        .collect())
}

/// Sets alert `id`'s status (`open`, `acknowledged`, `resolved`), with its
/// `alert_status_changed` event. `false`: no such alert.
pub async fn set_alert_status(
    state: &AppState,
    principal: &Principal,
    client: &ClientContext,
    id: i64,
    status: &str,
) -> Result<bool, StoreError> {
    let mut work = UnitOfWork::begin(state).await?;
    if !update_alert_status(work.db(), id, status, state.clock.now()).await? {
        return Ok(false);
    }
    work.record(
        AuditEvent::success(AuditAction::AlertStatusChanged)
            .by(principal, client)
            .target(format!("alert:{id}"))
            .detail("status", status),
    );
    work.commit().await?;
    Ok(true)
}
