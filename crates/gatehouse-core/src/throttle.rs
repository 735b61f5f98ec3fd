//! Slowing down password guessing. Failures are counted per account (by normalised
//! email, whether or not the account exists, so the lockout itself reveals nothing) and
//! per IP address. From the third failure on an account each attempt must wait longer
//! (1 s, 2 s, 4 s … up to a minute); at the policy threshold the account or address is
//! locked out for the policy's lockout time. A success clears the account's counter.
//! A counter remembers when its key was last locked out, through later failures, until it
//! is cleared: the first success after a lockout is flagged (see `risk`).

use std::time::Duration;

use sqlx::Row;

use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::policy::Policy;

/// What a counter is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A normalised email address.
    Account,
    /// An IP address.
    Ip,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Ip => "ip",
        }
    }

    fn threshold(self, policy: &Policy) -> i64 {
        i64::from(match self {
            Scope::Account => policy.lockout_threshold,
            Scope::Ip => policy.ip_lockout_threshold,
        })
    }
}

/// Failures on one account before delays start.
const FREE_FAILURES: i64 = 2;
/// The longest delay before a lockout.
const MAX_DELAY: Duration = Duration::from_secs(60);

/// One counter as stored: how many recent failures, until when attempts wait, and when
/// the key was last locked out (since the counter was last cleared).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counter {
    pub failures: i64,
    pub blocked_until: Timestamp,
    pub locked_at: Option<Timestamp>,
}

/// The counters that apply to one attempt (read by the sign-in query itself, so that
/// checking them costs no extra round trip on every sign-in).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counters {
    pub account: Option<Counter>,
    pub ip: Option<Counter>,
}

impl Counters {
    /// Refuses the attempt when the account or the address is slowed down or locked out;
    /// when both are, the longer wait is the one reported.
    pub(crate) fn check(&self, policy: &Policy, now: Timestamp) -> Result<()> {
        let refusals = [(Scope::Account, self.account), (Scope::Ip, self.ip)]
            .into_iter()
            .filter_map(|(scope, counter)| counter.map(|counter| (scope, counter)))
            .filter(|(_, counter)| counter.blocked_until > now);
        let longest = refusals.max_by_key(|(_, counter)| counter.blocked_until);
        match longest {
            None => Ok(()),
            Some((scope, counter)) => Err(Error::Throttled {
                wait_seconds: counter.blocked_until.since(now).as_secs_f64().ceil() as u64,
                locked: counter.failures >= scope.threshold(policy),
            }),
        }
    }
}

/// Counts a failure and sets how long `key` must wait before its next attempt.
pub(crate) async fn record_failure(
    conn: &mut sqlx::SqliteConnection,
    scope: Scope,
    key: &str,
    policy: &Policy,
    now: Timestamp,
) -> Result<()> {
    let previous =
        sqlx::query("SELECT failures, last_failure_at, blocked_until FROM signin_throttle WHERE scope = ? AND key = ?")
            .bind(scope.as_str())
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    let threshold = scope.threshold(policy);
    let failures = match previous {
        None => 1,
        Some(row) => {
            let count: i64 = row.try_get("failures")?;
            let last: Timestamp = row.try_get("last_failure_at")?;
            let blocked_until: Timestamp = row.try_get("blocked_until")?;
            let window_over = now.since(last) >= policy.lockout();
            let lockout_over = count >= threshold && blocked_until <= now;
            if window_over || lockout_over { 1 } else { count + 1 }
        }
    };
    let wait = if failures >= threshold {
        policy.lockout()
    } else if scope == Scope::Account && failures > FREE_FAILURES {
        progressive_delay(failures - FREE_FAILURES)
    } else {
        Duration::ZERO
    };
    let locked_at = (failures >= threshold).then_some(now);
    sqlx::query(
        "INSERT INTO signin_throttle (scope, key, failures, last_failure_at, blocked_until, locked_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures,
             last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until,
             locked_at = COALESCE(excluded.locked_at, signin_throttle.locked_at)",
    )
    .bind(scope.as_str())
    .bind(key)
    .bind(failures)
    .bind(now)
    .bind(now.plus(wait))
    .bind(locked_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a success, or an admin's unlock).
pub(crate) async fn clear(conn: &mut sqlx::SqliteConnection, scope: Scope, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM signin_throttle WHERE scope = ? AND key = ?")
        .bind(scope.as_str())
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// 1 s after the first counted failure, doubling, capped at [`MAX_DELAY`].
fn progressive_delay(counted: i64) -> Duration {
    let exponent = u32::try_from(counted.saturating_sub(1)).unwrap_or(u32::MAX).min(16);
    Duration::from_secs(1u64 << exponent).min(MAX_DELAY)
}
