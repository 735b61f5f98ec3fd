//! The team's security policy: session lifetimes, the desktop idle lock, sign-in lockout
//! thresholds and the thresholds of the sign-in risk flags. One row, read on every session
//! check; each setting knows which way weakens protection (changing it is
//! `policy_changes`).

use std::time::Duration;

use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Row, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;

/// The columns [`Policy::from_row`] reads, from the `policy` table aliased `p` (a macro,
/// so queries stay `&'static str`).
macro_rules! policy_columns {
    () => {
        "p.session_idle_minutes, p.session_absolute_minutes, p.idle_lock_minutes, p.lockout_threshold, \
         p.lockout_minutes, p.ip_lockout_threshold, p.require_two_factor, p.step_up_minutes, \
         p.address_cooling_off_minutes, p.withdrawals_need_approval, p.failure_burst_threshold, \
         p.failure_burst_minutes, p.new_place_days, p.impossible_travel_kmh, p.hard_lockout_threshold, \
         p.protection_change_delay_minutes, \
         (SELECT min(effective_at) FROM policy_changes WHERE status = 'pending') AS next_policy_change_at"
    };
}
pub(crate) use policy_columns;

/// Policy values. Durations are whole minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A session unused this long ends (default 12 h).
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in whatever happens (default 7 days).
    pub session_absolute_minutes: u32,
    /// The desktop app locks after this long without use; 0 turns the idle lock off (default 15).
    pub idle_lock_minutes: u32,
    /// Failures on one account before it is locked out (default 10).
    pub lockout_threshold: u32,
    /// How long a lockout lasts, and the window failures are counted in (default 15).
    pub lockout_minutes: u32,
    /// Failures from one address, across accounts, before it is locked out (default 50).
    pub ip_lockout_threshold: u32,
    /// Everyone must use two-factor authentication (users without it enrol at sign-in).
    pub require_two_factor: bool,
    /// How long a step-up (a fresh code or password) lets sensitive changes through (default 10).
    pub step_up_minutes: u32,
    /// A new or changed address can be used for withdrawals only this long after (default 24 h; 0 = at once).
    pub address_cooling_off_minutes: u32,
    /// Withdrawals wait for another admin's or finance user's approval.
    pub withdrawals_need_approval: bool,
    /// Failures on one account, or from one address, that make a failure burst (default 5).
    pub failure_burst_threshold: u32,
    /// The window those failures fall in, in minutes (default 15).
    pub failure_burst_minutes: u32,
    /// A country or city not signed in from for this many days is a new place (default 90).
    pub new_place_days: u32,
    /// Two sign-ins further apart than this speed allows are impossible travel (km/h, default 1,000).
    pub impossible_travel_kmh: u32,
    /// Consecutive failures on one account (across lockout windows, until a success) after
    /// which it stays locked until an admin unlocks it (default and most: 100, NIST SP 800-63B).
    pub hard_lockout_threshold: u32,
    /// How long a change that weakens protection waits before it applies, unless a second
    /// admin confirms it (default 24 h; 0 = at once, still alerting everyone).
    pub protection_change_delay_minutes: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            session_idle_minutes: 12 * 60,
            session_absolute_minutes: 7 * 24 * 60,
            idle_lock_minutes: 15,
            lockout_threshold: 10,
            lockout_minutes: 15,
            ip_lockout_threshold: 50,
            require_two_factor: false,
            step_up_minutes: 10,
            address_cooling_off_minutes: 24 * 60,
            withdrawals_need_approval: false,
            failure_burst_threshold: 5,
            failure_burst_minutes: 15,
            new_place_days: 90,
            impossible_travel_kmh: 1_000,
            hard_lockout_threshold: HARD_LOCKOUT_MAX,
            protection_change_delay_minutes: 24 * 60,
        }
    }
}

/// The most consecutive failures any policy allows before an account locks for good
/// (NIST SP 800-63B §5.2.2 allows at most 100).
pub const HARD_LOCKOUT_MAX: u32 = 100;

fn minutes(n: u32) -> Duration {
    Duration::from_secs(u64::from(n) * 60)
}

impl Policy {
    /// Idle session lifetime.
    pub fn session_idle(&self) -> Duration {
        minutes(self.session_idle_minutes)
    }

    /// Absolute session lifetime.
    pub fn session_absolute(&self) -> Duration {
        minutes(self.session_absolute_minutes)
    }

    /// Idle time before the desktop app locks, if it locks at all.
    pub fn idle_lock(&self) -> Option<Duration> {
        (self.idle_lock_minutes > 0).then(|| minutes(self.idle_lock_minutes))
    }

    /// Lockout length (and failure-counting window).
    pub fn lockout(&self) -> Duration {
        minutes(self.lockout_minutes)
    }

    /// The cooling-off period of new and changed addresses.
    pub fn address_cooling_off(&self) -> Duration {
        minutes(self.address_cooling_off_minutes)
    }

    /// How long a step-up lasts.
    pub fn step_up(&self) -> Duration {
        minutes(self.step_up_minutes)
    }

    /// The window failures are counted in for a failure burst.
    pub fn failure_burst_window(&self) -> Duration {
        minutes(self.failure_burst_minutes)
    }

    /// How far back a place counts as known.
    pub fn new_place_window(&self) -> Duration {
        Duration::from_secs(u64::from(self.new_place_days) * 24 * 60 * 60)
    }

    /// How long a weakening change waits.
    pub fn protection_change_delay(&self) -> Duration {
        minutes(self.protection_change_delay_minutes)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let check = |field: &'static str, value: u32, range: std::ops::RangeInclusive<u32>| {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid(field, format!("must be between {} and {}.", range.start(), range.end())))
            }
        };
        use ranges::*;
        check("Session idle lifetime (minutes)", self.session_idle_minutes, SESSION_IDLE_MINUTES)?;
        check("Session absolute lifetime (minutes)", self.session_absolute_minutes, SESSION_ABSOLUTE_MINUTES)?;
        check("Idle lock (minutes)", self.idle_lock_minutes, IDLE_LOCK_MINUTES)?;
        check("Lockout threshold", self.lockout_threshold, LOCKOUT_THRESHOLD)?;
        check("Lockout duration (minutes)", self.lockout_minutes, LOCKOUT_MINUTES)?;
        check("Address lockout threshold", self.ip_lockout_threshold, IP_LOCKOUT_THRESHOLD)?;
        check("Step-up window (minutes)", self.step_up_minutes, STEP_UP_MINUTES)?;
        check("Address cooling-off (minutes)", self.address_cooling_off_minutes, ADDRESS_COOLING_OFF_MINUTES)?;
        check("Failure burst threshold", self.failure_burst_threshold, FAILURE_BURST_THRESHOLD)?;
        check("Failure burst window (minutes)", self.failure_burst_minutes, FAILURE_BURST_MINUTES)?;
        check("New place look-back (days)", self.new_place_days, NEW_PLACE_DAYS)?;
        check("Impossible travel speed (km/h)", self.impossible_travel_kmh, IMPOSSIBLE_TRAVEL_KMH)?;
        // At least the lockout threshold: the hard limit can't come before the first lockout.
        check(
            "Hard lockout threshold",
            self.hard_lockout_threshold,
            self.lockout_threshold..=*HARD_LOCKOUT_THRESHOLD.end(),
        )?;
        check(
            "Protection change delay (minutes)",
            self.protection_change_delay_minutes,
            PROTECTION_CHANGE_DELAY_MINUTES,
        )?;
        if self.session_idle_minutes > self.session_absolute_minutes {
            return Err(Error::invalid(
                "Session idle lifetime (minutes)",
                "must not be longer than the absolute lifetime.",
            ));
        }
        Ok(())
    }

    /// Reads the policy columns of a row that selected them by name.
    pub(crate) fn from_row(row: &Row) -> Result<Self> {
        let get = |column: &str| -> Result<u32> {
            let value: i64 = row.try_get(column)?;
            u32::try_from(value).map_err(|_| Error::Internal(format!("policy value {column} out of range")))
        };
        Ok(Policy {
            session_idle_minutes: get("session_idle_minutes")?,
            session_absolute_minutes: get("session_absolute_minutes")?,
            idle_lock_minutes: get("idle_lock_minutes")?,
            lockout_threshold: get("lockout_threshold")?,
            lockout_minutes: get("lockout_minutes")?,
            ip_lockout_threshold: get("ip_lockout_threshold")?,
            require_two_factor: row.try_get("require_two_factor")?,
            step_up_minutes: get("step_up_minutes")?,
            address_cooling_off_minutes: get("address_cooling_off_minutes")?,
            withdrawals_need_approval: row.try_get("withdrawals_need_approval")?,
            failure_burst_threshold: get("failure_burst_threshold")?,
            failure_burst_minutes: get("failure_burst_minutes")?,
            new_place_days: get("new_place_days")?,
            impossible_travel_kmh: get("impossible_travel_kmh")?,
            hard_lockout_threshold: get("hard_lockout_threshold")?,
            protection_change_delay_minutes: get("protection_change_delay_minutes")?,
        })
    }
}

/// Which way a setting's value weakens protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weaker {
    /// A larger number protects less (a longer session, a higher threshold).
    Higher,
    /// A smaller number protects less (a shorter cooling-off or lockout).
    Lower,
    /// Turning it off protects less (booleans: 1 on, 0 off).
    Off,
    /// Like `Higher`, with 0 meaning "off", the weakest of all (the idle lock).
    HigherOrZero,
}

/// One policy setting: its column, what people call it, and which way is weaker.
#[derive(Debug)]
pub struct Setting {
    /// The stable key (the database column).
    pub key: &'static str,
    /// What the Policy page calls it.
    pub label: &'static str,
    weaker: Weaker,
    get: fn(&Policy) -> u32,
    set: fn(&mut Policy, u32),
}

macro_rules! setting {
    ($key:ident, $label:literal, $weaker:ident) => {
        Setting {
            key: stringify!($key),
            label: $label,
            weaker: Weaker::$weaker,
            get: |p| p.$key,
            set: |p, v| p.$key = v,
        }
    };
    (bool $key:ident, $label:literal) => {
        Setting {
            key: stringify!($key),
            label: $label,
            weaker: Weaker::Off,
            get: |p| u32::from(p.$key),
            set: |p, v| p.$key = v != 0,
        }
    };
}

/// The values each numeric setting accepts, declared once: [`Policy::validate`] checks
/// them and the Policy page's fields are generated from them (gatehouse-api's `limits`).
pub mod ranges {
    use std::ops::RangeInclusive;

    /// Idle session lifetime, minutes.
    pub const SESSION_IDLE_MINUTES: RangeInclusive<u32> = 5..=43_200;
    /// Absolute session lifetime, minutes.
    pub const SESSION_ABSOLUTE_MINUTES: RangeInclusive<u32> = 5..=525_600;
    /// Idle lock, minutes (0: never).
    pub const IDLE_LOCK_MINUTES: RangeInclusive<u32> = 0..=1_440;
    /// Failures before the 15-minute lockout.
    pub const LOCKOUT_THRESHOLD: RangeInclusive<u32> = 3..=100;
    /// Lockout duration, minutes.
    pub const LOCKOUT_MINUTES: RangeInclusive<u32> = 1..=1_440;
    /// Failures from one address before it is locked out.
    pub const IP_LOCKOUT_THRESHOLD: RangeInclusive<u32> = 3..=10_000;
    /// Failures in a row before an admin must unlock (also at least the lockout threshold).
    pub const HARD_LOCKOUT_THRESHOLD: RangeInclusive<u32> = 3..=super::HARD_LOCKOUT_MAX;
    /// Step-up window, minutes.
    pub const STEP_UP_MINUTES: RangeInclusive<u32> = 1..=120;
    /// Address cooling-off, minutes.
    pub const ADDRESS_COOLING_OFF_MINUTES: RangeInclusive<u32> = 0..=43_200;
    /// Failures that make a burst.
    pub const FAILURE_BURST_THRESHOLD: RangeInclusive<u32> = 2..=1_000;
    /// The burst's window, minutes.
    pub const FAILURE_BURST_MINUTES: RangeInclusive<u32> = 1..=1_440;
    /// How far back a place counts as known, days.
    pub const NEW_PLACE_DAYS: RangeInclusive<u32> = 1..=730;
    /// Impossible travel speed, km/h.
    pub const IMPOSSIBLE_TRAVEL_KMH: RangeInclusive<u32> = 100..=20_000;
    /// Protection change delay, minutes.
    pub const PROTECTION_CHANGE_DELAY_MINUTES: RangeInclusive<u32> = 0..=10_080;
}

/// Every policy setting.
pub(crate) const SETTINGS: [Setting; 16] = [
    setting!(session_idle_minutes, "Idle session lifetime", Higher),
    setting!(session_absolute_minutes, "Absolute session lifetime", Higher),
    setting!(idle_lock_minutes, "Idle lock", HigherOrZero),
    setting!(lockout_threshold, "Lockout threshold", Higher),
    setting!(lockout_minutes, "Lockout duration", Lower),
    setting!(ip_lockout_threshold, "Address lockout threshold", Higher),
    setting!(hard_lockout_threshold, "Hard limit of failures in a row", Higher),
    setting!(bool require_two_factor, "Require two-factor authentication"),
    setting!(step_up_minutes, "Step-up window", Higher),
    setting!(address_cooling_off_minutes, "Address cooling-off", Lower),
    setting!(bool withdrawals_need_approval, "Withdrawals need approval"),
    setting!(failure_burst_threshold, "Failure burst threshold", Higher),
    setting!(failure_burst_minutes, "Failure burst window", Lower),
    setting!(new_place_days, "New place look-back", Higher),
    setting!(impossible_travel_kmh, "Impossible travel speed", Higher),
    setting!(protection_change_delay_minutes, "Protection change delay", Lower),
];

impl Setting {
    /// The setting with this key.
    pub(crate) fn find(key: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|setting| setting.key == key)
    }

    /// Its value in `policy`.
    pub(crate) fn value(&self, policy: &Policy) -> u32 {
        (self.get)(policy)
    }

    /// Sets it in `policy`.
    pub(crate) fn apply(&self, policy: &mut Policy, value: u32) {
        (self.set)(policy, value);
    }

    /// Whether going from `from` to `to` protects less.
    pub(crate) fn weakens(&self, from: u32, to: u32) -> bool {
        match self.weaker {
            Weaker::Higher => to > from,
            Weaker::Lower => to < from,
            Weaker::Off => from != 0 && to == 0,
            Weaker::HigherOrZero => {
                let rank = |minutes: u32| if minutes == 0 { u32::MAX } else { minutes };
                rank(to) > rank(from)
            }
        }
    }

    /// A value as people read it ("on", "off", or the number).
    pub(crate) fn describe(&self, value: u32) -> String {
        match self.weaker {
            Weaker::Off => (if value == 0 { "off" } else { "on" }).to_owned(),
            Weaker::HigherOrZero if value == 0 => "off".to_owned(),
            _ => value.to_string(),
        }
    }
}

impl Gatehouse {
    /// The current policy (any signed-in user may read it: the app needs the idle lock).
    pub async fn policy(&self, caller: Caller<'_>) -> Result<Policy> {
        Ok(self.authenticate_pending(caller).await?.policy)
    }
}

/// Whether a policy row (read with [`policy_columns!`]) shows a pending change due at `now`.
pub(crate) fn change_due(row: &Row, now: Timestamp) -> Result<bool> {
    let next: Option<Timestamp> = row.try_get("next_policy_change_at")?;
    Ok(next.is_some_and(|at| at <= now))
}

/// Writes every value of `policy`.
pub(crate) async fn write(conn: &mut Tx, policy: &Policy) -> Result<()> {
    db::query(
        "UPDATE policy SET session_idle_minutes = $1, session_absolute_minutes = $2, idle_lock_minutes = $3,
                lockout_threshold = $4, lockout_minutes = $5, ip_lockout_threshold = $6, require_two_factor = $7,
                step_up_minutes = $8, address_cooling_off_minutes = $9, withdrawals_need_approval = $10,
                failure_burst_threshold = $11, failure_burst_minutes = $12, new_place_days = $13,
                impossible_travel_kmh = $14, hard_lockout_threshold = $15, protection_change_delay_minutes = $16
         WHERE id = 1",
    )
    .bind(policy.session_idle_minutes)
    .bind(policy.session_absolute_minutes)
    .bind(policy.idle_lock_minutes)
    .bind(policy.lockout_threshold)
    .bind(policy.lockout_minutes)
    .bind(policy.ip_lockout_threshold)
    .bind(policy.require_two_factor)
    .bind(policy.step_up_minutes)
    .bind(policy.address_cooling_off_minutes)
    .bind(policy.withdrawals_need_approval)
    .bind(policy.failure_burst_threshold)
    .bind(policy.failure_burst_minutes)
    .bind(policy.new_place_days)
    .bind(policy.impossible_travel_kmh)
    .bind(policy.hard_lockout_threshold)
    .bind(policy.protection_change_delay_minutes)
    .execute(conn)
    .await?;
    Ok(())
}

/// The policy as it stands, inside a transaction.
pub(crate) async fn read(conn: &mut Tx) -> Result<Policy> {
    let row = db::query(concat!("SELECT ", policy_columns!(), " FROM policy p WHERE p.id = 1")).fetch_one(conn).await?;
    Policy::from_row(&row)
}
