//! Slowing down guessing, and in the end stopping it. Failures are counted per account (by
//! normalised email, whether or not the account exists, so the lockout itself reveals
//! nothing) and per IP address, in two ways:
//!
//! - **Recent failures** (accounts and addresses): from the third failure on an account each
//!   attempt must wait longer (1 s, 2 s, 4 s … up to a minute); at the policy's lockout
//!   threshold the account or address is locked out for the lockout time. Failures older
//!   than that window are forgotten.
//! - **Consecutive failures** (accounts; NIST SP 800-63B §5.2.2): wrong passwords, wrong
//!   second factors and failed step-ups all count, across windows, until a success. At the
//!   policy's hard limit the account is locked until an administrator unlocks it.
//!
//! A sign-in *claims* its attempt on the account before the password or code is checked,
//! in one conditional upsert: refused while the account waits or is locked, otherwise
//! counted as a failure up front. Parallel guesses therefore cannot outrun the count. Only
//! wrong answers count: a sign-in that succeeds clears the counter, and a right password
//! whose second factor is still due gives its claim back. A counter remembers when its key
//! was last locked out (the first success after a lockout is flagged, see `risk`).

use std::time::Duration;

use crate::clock::Timestamp;
use crate::db::{self, Row, Tx};
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

/// One counter as stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counter {
    /// Recent failures (within the lockout window).
    pub failures: i64,
    /// Attempts wait until then.
    pub blocked_until: Timestamp,
    /// When the key was last locked out, since the counter was last cleared.
    pub locked_at: Option<Timestamp>,
    /// Set when the hard limit of consecutive failures was reached (accounts only).
    pub hard_locked_at: Option<Timestamp>,
}

impl Counter {
    /// Refuses an attempt while this counter makes it wait or is locked.
    pub(crate) fn check(&self, scope: Scope, policy: &Policy, now: Timestamp) -> Result<()> {
        if self.hard_locked_at.is_some() {
            return Err(Error::AccountLocked);
        }
        if self.blocked_until > now {
            return Err(Error::Throttled {
                wait_seconds: self.blocked_until.since(now).as_secs_f64().ceil() as u64,
                locked: self.failures >= scope.threshold(policy),
            });
        }
        Ok(())
    }
}

/// The answer to a claim.
#[derive(Debug)]
pub(crate) enum Claim {
    /// Counted; check the password or code.
    Granted(Ticket),
    /// Not counted: the account waits or is locked (the error says which, and how long).
    Refused(Error),
}

/// A granted claim: what it changed, so that a right answer can give it back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    before: Counter,
    blocked_until: Timestamp,
}

impl Ticket {
    /// When the account was last locked out before this claim (for the after-lockout flag).
    pub(crate) fn last_lockout(&self) -> Option<Timestamp> {
        self.before.locked_at
    }
}

/// Claims one sign-in attempt on `email`'s account before its password or code is checked:
/// counted as a failure at once (a success clears it). Refused while the account waits, is
/// locked out, or has reached the hard limit.
pub(crate) async fn claim(conn: &mut Tx, email: &str, policy: &Policy, now: Timestamp) -> Result<Claim> {
    Ok(match count(conn, Scope::Account, email, policy, now, Claiming::OnlyIfOpen).await? {
        Some((before, blocked_until)) => Claim::Granted(Ticket { before, blocked_until }),
        None => Claim::Refused(refusal(conn, email, policy, now).await?),
    })
}

/// Gives a claim back (the password was right; the second factor decides): its failure no
/// longer counts, and the wait it set is undone unless a later claim has moved it since.
pub(crate) async fn release(conn: &mut Tx, email: &str, ticket: &Ticket) -> Result<()> {
    db::query(
        "UPDATE signin_throttle SET
             failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
             consecutive = CASE WHEN consecutive > 0 THEN consecutive - 1 ELSE 0 END,
             blocked_until = CASE WHEN blocked_until = $1 THEN $2 ELSE blocked_until END,
             locked_at = CASE WHEN blocked_until = $1 THEN $3 ELSE locked_at END
         WHERE scope = 'account' AND key = $4",
    )
    .bind(ticket.blocked_until)
    .bind(ticket.before.blocked_until)
    .bind(ticket.before.locked_at)
    .bind(email)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts a failure on `key` that was not claimed beforehand (a failed step-up counts
/// on the account; every failure counts on its address). Never refused.
pub(crate) async fn count_failure(
    conn: &mut Tx,
    scope: Scope,
    key: &str,
    policy: &Policy,
    now: Timestamp,
) -> Result<()> {
    count(conn, scope, key, policy, now, Claiming::Always).await.map(drop)
}

/// Sets the hard lock of `email`'s account when its consecutive failures reached the
/// policy's hard limit. True only for the one call that set it (the caller alerts).
pub(crate) async fn hard_lock_if_due(conn: &mut Tx, email: &str, policy: &Policy, now: Timestamp) -> Result<bool> {
    let locked = db::query(
        "UPDATE signin_throttle SET hard_locked_at = $1
         WHERE scope = 'account' AND key = $2 AND hard_locked_at IS NULL AND consecutive >= $3",
    )
    .bind(now)
    .bind(email)
    .bind(i64::from(policy.hard_lockout_threshold))
    .execute(conn)
    .await?;
    Ok(locked == 1)
}

/// Forgets the failures of `key` (after a success, or an admin's unlock).
pub(crate) async fn clear(conn: &mut Tx, scope: Scope, key: &str) -> Result<()> {
    db::query("DELETE FROM signin_throttle WHERE scope = $1 AND key = $2")
        .bind(scope.as_str())
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The counter of `key`, if it has one.
pub(crate) async fn read(conn: &mut Tx, scope: Scope, key: &str) -> Result<Option<Counter>> {
    let row = db::query(
        "SELECT failures, blocked_until, locked_at, hard_locked_at FROM signin_throttle WHERE scope = $1 AND key = $2",
    )
    .bind(scope.as_str())
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.map(|row| counter_from_row(&row)).transpose()
}

/// Whether a count may be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claiming {
    /// Only while the key neither waits nor is locked (a claim).
    OnlyIfOpen,
    /// In any case (a failure that already happened).
    Always,
}

/// Counts one failure on `key` in a single conditional upsert — recent failures restart
/// after a quiet window or an expired lockout, consecutive ones never do — then sets the
/// wait the new count earns. Returns the counter as it stood before (its new count aside)
/// and the wait it set, or `None` when refused (only with [`Claiming::OnlyIfOpen`]).
async fn count(
    conn: &mut Tx,
    scope: Scope,
    key: &str,
    policy: &Policy,
    now: Timestamp,
    claiming: Claiming,
) -> Result<Option<(Counter, Timestamp)>> {
    let threshold = scope.threshold(policy);
    let window = i64::try_from(policy.lockout().as_millis()).unwrap_or(i64::MAX);
    // RETURNING gives the new counts; blocked_until, locked_at and hard_locked_at are not
    // set here, so they come back as they stood before.
    let row = db::query(
        "INSERT INTO signin_throttle (scope, key, failures, consecutive, last_failure_at, blocked_until)
         VALUES ($1, $2, 1, 1, $3, $3)
         ON CONFLICT (scope, key) DO UPDATE SET
             failures = CASE WHEN $3 - signin_throttle.last_failure_at >= $4 OR signin_throttle.failures >= $5
                             THEN 1 ELSE signin_throttle.failures + 1 END,
             consecutive = signin_throttle.consecutive + 1,
             last_failure_at = $3
         WHERE $6 OR (signin_throttle.blocked_until <= $3 AND signin_throttle.hard_locked_at IS NULL
                      AND signin_throttle.consecutive < $7)
         RETURNING failures, blocked_until, locked_at, hard_locked_at",
    )
    .bind(scope.as_str())
    .bind(key)
    .bind(now)
    .bind(window)
    .bind(threshold)
    .bind(claiming == Claiming::Always)
    .bind(i64::from(policy.hard_lockout_threshold))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let before = counter_from_row(&row)?;
    let failures = before.failures; // the new count
    let wait = if failures >= threshold {
        policy.lockout()
    } else if scope == Scope::Account && failures > FREE_FAILURES {
        progressive_delay(failures - FREE_FAILURES)
    } else {
        Duration::ZERO
    };
    let blocked_until = before.blocked_until.max(now.plus(wait));
    let locked_at = if failures >= threshold { Some(now) } else { before.locked_at };
    db::query("UPDATE signin_throttle SET blocked_until = $1, locked_at = $2 WHERE scope = $3 AND key = $4")
        .bind(blocked_until)
        .bind(locked_at)
        .bind(scope.as_str())
        .bind(key)
        .execute(conn)
        .await?;
    Ok(Some((before, blocked_until)))
}

/// Why a claim on `email` was refused.
async fn refusal(conn: &mut Tx, email: &str, policy: &Policy, now: Timestamp) -> Result<Error> {
    let counter = read(conn, Scope::Account, email).await?;
    Ok(match counter.map(|counter| counter.check(Scope::Account, policy, now)) {
        Some(Err(refused)) => refused,
        // Refused for the hard limit itself (a lock not yet recorded).
        _ => Error::AccountLocked,
    })
}

fn counter_from_row(row: &Row) -> Result<Counter> {
    Ok(Counter {
        failures: row.try_get("failures")?,
        blocked_until: row.try_get("blocked_until")?,
        locked_at: row.try_get("locked_at")?,
        hard_locked_at: row.try_get("hard_locked_at")?,
    })
}

/// 1 s after the first counted failure, doubling, capped at [`MAX_DELAY`].
fn progressive_delay(counted: i64) -> Duration {
    let exponent = u32::try_from(counted.saturating_sub(1)).unwrap_or(u32::MAX).min(16);
    Duration::from_secs(1u64 << exponent).min(MAX_DELAY)
}
