//! Sign-ins refused because the client's address is blocked cost nothing to send and nothing to
//! refuse (no hashing), so a blocked client can send thousands a second. Recording each would let
//! its rate set the audit trail's size (about 30 GB a day at 1,300 a second) and slow every
//! writer. Instead each instance counts them per client and minute in memory, and the trail gets
//! one `authn_login_fail` (`reason: ip_blocked`) per client and minute: at the first refusal of
//! the minute, carrying how many the client's previous minute refused. The block itself, and the
//! failures that caused it, are in the database as before, for every instance and every rule.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

/// The window refusals are counted in.
const WINDOW: Duration = Duration::minutes(1);
/// Clients tracked at once; beyond, the oldest windows are forgotten (their counts were small or
/// already reported).
const MAX_CLIENTS: usize = 10_000;

/// Counts of refused sign-ins per blocked client, this instance's.
#[derive(Debug, Clone, Default)]
pub struct RefusalTally(Arc<Mutex<HashMap<IpAddr, Window>>>);

#[derive(Debug, Clone, Copy)]
struct Window {
    started: OffsetDateTime,
    refused: u64,
}

impl RefusalTally {
    /// Counts one refusal of `client` at `now`. `Some(previous)` when it opens a new window for
    /// the client and should be recorded, with the number the client's previous window refused
    /// (0 for a client not seen lately); `None` while its window runs.
    pub fn count(&self, client: IpAddr, now: OffsetDateTime) -> Option<u64> {
        let mut clients = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(window) = clients.get_mut(&client)
            && now - window.started < WINDOW
        {
            window.refused += 1;
            return None;
        }
        if clients.len() >= MAX_CLIENTS {
            clients.retain(|_, window| now - window.started < WINDOW);
        }
        let previous = clients
            .insert(client, Window { started: now, refused: 1 })
            .filter(|window| now - window.started < WINDOW * 2)
            .map_or(0, |window| window.refused);
        Some(previous)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn one_refusal_a_minute_is_reported_with_the_count_of_the_minute_before() {
        let tally = RefusalTally::default();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let start = datetime!(2026-12-07 12:00 UTC);
        assert_eq!(tally.count(client, start), Some(0));
        for n in 1..500 {
            assert_eq!(tally.count(client, start + Duration::milliseconds(n * 100)), None);
        }
        assert_eq!(tally.count(client, start + Duration::seconds(61)), Some(500));
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(tally.count(other, start + Duration::seconds(61)), Some(0), "per client");
        assert_eq!(tally.count(client, start + Duration::hours(1)), Some(0), "long forgotten");
    }
}
