//! The background chores `serve` runs on every instance (the records bin, backups): one task per
//! chore, first run one period after the start, then once per period. A chore reports its own
//! failures; the next period tries again.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::AppState;

pub(crate) fn spawn_every<F, Fut>(
    state: &AppState,
    period: Duration,
    mut chore: F,
) -> JoinHandle<()>
where
    F: FnMut(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            ticks.tick().await;
            chore(state.clone()).await;
        }
    })
}
