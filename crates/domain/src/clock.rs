//! The one source of "now" for the whole application.
//!
//! Production code asks the [`Clock`] held in the application state; tests pass a [`ManualClock`]
//! and move it forward instead of sleeping.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};

/// Tells the current time in UTC.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until a test moves it. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    pub fn starting_at(start: OffsetDateTime) -> Self {
        Self { now: Arc::new(Mutex::new(start)) }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The start of the fixed window of `length` that `now` falls in, counted from the Unix epoch:
/// every instance names the same window for the same moment (rate limits shared through the
/// database).
pub fn window_start(now: OffsetDateTime, length: Duration) -> OffsetDateTime {
    let into_window = now.unix_timestamp().rem_euclid(length.whole_seconds().max(1));
    now - Duration::seconds(into_window) - Duration::nanoseconds(i64::from(now.nanosecond()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualClock::starting_at(datetime!(2026-01-01 00:00 UTC));
        let shared = clock.clone();
        assert_eq!(shared.now(), datetime!(2026-01-01 00:00 UTC));

        clock.advance(Duration::minutes(15));

        assert_eq!(shared.now(), datetime!(2026-01-01 00:15 UTC));
    }

    #[test]
    fn every_moment_of_a_window_names_its_start() {
        let hour = Duration::hours(1);
        let start = datetime!(2026-01-01 10:00 UTC);
        assert_eq!(window_start(datetime!(2026-01-01 10:00 UTC), hour), start);
        assert_eq!(window_start(datetime!(2026-01-01 10:59:59.999 UTC), hour), start);
        assert_eq!(window_start(datetime!(2026-01-01 11:00 UTC), hour), start + hour);
    }
}
