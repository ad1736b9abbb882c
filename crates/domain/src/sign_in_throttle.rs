//! How failed sign-ins slow down and stop an attacker (SECURITY.md, "Login throttling").
//!
//! Two counters, both kept in the database so that every instance enforces them:
//! - per account (keyed by the address tried, so an unknown address is throttled exactly like a
//!   known one and the answer tells nothing): from the `free_failures`-th consecutive failure
//!   each further attempt must wait 1, 2, 4 … seconds, up to `max_delay`; at `lock_failures`
//!   the password stops working until it is reset by e-mail;
//! - per client IP: `ip_max_failures` failures across accounts within `ip_window` block that IP
//!   for `ip_block` (password spraying), without locking the accounts it targeted.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub free_failures: u32,
    pub max_delay: Duration,
    pub lock_failures: u32,
    pub ip_max_failures: u32,
    pub ip_window: Duration,
    pub ip_block: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            max_delay: Duration::minutes(15),
            lock_failures: 100,
            ip_max_failures: 30,
            ip_window: Duration::minutes(10),
            ip_block: Duration::minutes(15),
        }
    }
}

/// What the counters of one address say about the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountGate {
    /// The password may be checked.
    Open,
    /// Too many failures in a row: try again after this long.
    Wait(Duration),
    /// The password no longer works; only a reset by e-mail opens the account again.
    PasswordLocked,
}

impl ThrottlePolicy {
    /// The delay owed after `failures` consecutive failures: none before the
    /// `free_failures`-th, then 1 s doubling at each further failure, capped at `max_delay`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures).min(30);
        Duration::seconds(1_i64 << doublings).min(self.max_delay)
    }

    /// Whether an attempt at `now` may check the password of an address with `failures`
    /// consecutive failures, the last at `last_failure`.
    pub fn account_gate(
        &self,
        failures: u32,
        last_failure: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> AccountGate {
        if failures >= self.lock_failures {
            return AccountGate::PasswordLocked;
        }
        let Some(last_failure) = last_failure else { return AccountGate::Open };
        let open_at = last_failure + self.delay_after(failures);
        if now < open_at { AccountGate::Wait(open_at - now) } else { AccountGate::Open }
    }

    /// Whether the failure just counted (the `failures`-th in a row) is the one that starts
    /// the throttling: the moment to alert and tell the account holder, once.
    pub fn starts_throttling(&self, failures: u32) -> bool {
        failures == self.free_failures
    }

    /// Whether the failure just counted locks the password.
    pub fn locks_password(&self, failures: u32) -> bool {
        failures == self.lock_failures
    }

    /// Whether `failures_in_window` failures from one IP within `ip_window` block it.
    pub fn blocks_ip(&self, failures_in_window: u32) -> bool {
        failures_in_window >= self.ip_max_failures
    }
}

/// Seconds to put in `Retry-After` for a wait: rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let millis = u128::try_from(wait.whole_milliseconds().max(1)).unwrap_or(1);
    u64::try_from(millis.div_ceil(1000)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-01-01 12:00 UTC);

    #[test]
    fn the_first_four_failures_cost_nothing_then_the_wait_doubles_up_to_fifteen_minutes() {
        let policy = ThrottlePolicy::default();
        let delays: Vec<i64> = (1..=16).map(|n| policy.delay_after(n).whole_seconds()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(policy.delay_after(99), Duration::minutes(15));
    }

    #[test]
    fn an_attempt_inside_the_wait_is_refused_with_the_time_left() {
        let policy = ThrottlePolicy::default();
        let last = NOW - Duration::seconds(3);
        assert_eq!(policy.account_gate(7, Some(last), NOW), AccountGate::Wait(Duration::SECOND));
        assert_eq!(policy.account_gate(6, Some(last), NOW), AccountGate::Open);
        assert_eq!(policy.account_gate(0, None, NOW), AccountGate::Open);
    }

    #[test]
    fn a_hundred_failures_lock_the_password_whatever_the_time() {
        let policy = ThrottlePolicy::default();
        let long_ago = NOW - Duration::days(30);
        assert_eq!(policy.account_gate(100, Some(long_ago), NOW), AccountGate::PasswordLocked);
        assert!(policy.locks_password(100));
        assert!(!policy.locks_password(101));
    }

    #[test]
    fn thirty_failures_from_one_address_block_it() {
        let policy = ThrottlePolicy::default();
        assert!(!policy.blocks_ip(29));
        assert!(policy.blocks_ip(30));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::milliseconds(1)), 1);
        assert_eq!(retry_after_secs(Duration::milliseconds(1001)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
