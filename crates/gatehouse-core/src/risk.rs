//! Risk flags: what makes a sign-in attempt worth a second look. Each attempt is assessed
//! in the transaction that records it and its flags are stored with the activity row (an
//! INTEGER bitset, see [`RiskFlags`]), so lists, filters and exports read them back without
//! assessing anything again. Thresholds come from the [`Policy`].
//!
//! - **New device**: a successful sign-in from a client installation this user has never
//!   signed in from (a removed device was seen: it is not new). A user's very first device
//!   is not flagged — there is nothing to compare it with (Google does not flag it either).
//! - **New place**: a successful sign-in from a country, or a city, that none of the user's
//!   successful sign-ins came from in the last `new_place_days`. Only located addresses
//!   count ("Local network" and "Unknown" never make a new place), and only when the user
//!   has signed in before (the first sign-in is not flagged, as for devices).
//! - **Failure burst**: a failure that makes `failure_burst_threshold` or more failures
//!   within `failure_burst_minutes` on one email (known or not), or from one address across
//!   emails. The successful (or code-pending) sign-in that comes right after such a burst is
//!   flagged too — a guessed password looks exactly like that — counting only failures since
//!   the account's previous successful sign-in, so one burst flags one success, not every
//!   success in the window.
//! - **Impossible travel**: a successful sign-in whose distance from the user's previous
//!   located successful sign-in, over the time between them, needs more than
//!   `impossible_travel_kmh`. GeoIP coordinates are city-level guesses, so hops shorter than
//!   [`MIN_TRAVEL_KM`] never count.
//! - **After lockout**: the first successful sign-in on an account since it was locked out.
//!   The lockout is remembered by the account's throttling counter through later failures;
//!   the success (or an administrator's unlock, who vouched for it) clears it.
//!
//! Failures are only ever flagged for a burst; the other rules need a signed-in user.
//! Every look-back is a single lookup in an index of migration 0004 (bursts count at most
//! the threshold's rows), so the cost does not grow with the size of the activity table.

use std::net::IpAddr;
use std::time::Duration;

use crate::clock::Timestamp;
use crate::db::{self, Tx};
use crate::error::Result;
use crate::geo::{Location, LocationKind};
use crate::ids::UserId;
use crate::policy::Policy;

/// One reason an attempt looks risky.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskFlag {
    /// From a device this user never signed in from before.
    NewDevice,
    /// From a country or city this user has not signed in from lately.
    NewPlace,
    /// Among (or right after) many failures on one account or from one address.
    FailureBurst,
    /// Too far from the previous sign-in for the time between them.
    ImpossibleTravel,
    /// The first successful sign-in after the account was locked out.
    AfterLockout,
}

impl RiskFlag {
    /// Every flag, in display order.
    pub const ALL: [RiskFlag; 5] = [
        RiskFlag::NewDevice,
        RiskFlag::NewPlace,
        RiskFlag::FailureBurst,
        RiskFlag::ImpossibleTravel,
        RiskFlag::AfterLockout,
    ];

    /// Stable lowercase code, e.g. `new_device`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskFlag::NewDevice => "new_device",
            RiskFlag::NewPlace => "new_place",
            RiskFlag::FailureBurst => "failure_burst",
            RiskFlag::ImpossibleTravel => "impossible_travel",
            RiskFlag::AfterLockout => "after_lockout",
        }
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            RiskFlag::NewDevice => "New device",
            RiskFlag::NewPlace => "New place",
            RiskFlag::FailureBurst => "Failure burst",
            RiskFlag::ImpossibleTravel => "Impossible travel",
            RiskFlag::AfterLockout => "After lockout",
        }
    }

    /// The flag with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flag| flag.as_str() == code)
    }

    /// Its bit in the stored set. Stable: never renumber or reuse one (migration 0004).
    const fn bit(self) -> u8 {
        match self {
            RiskFlag::NewDevice => 1,
            RiskFlag::NewPlace => 2,
            RiskFlag::FailureBurst => 4,
            RiskFlag::ImpossibleTravel => 8,
            RiskFlag::AfterLockout => 16,
        }
    }
}

/// The flags of one attempt: a small set, stored as an INTEGER bitset (`0` = none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RiskFlags(u8);

impl RiskFlags {
    /// No flags.
    pub const NONE: RiskFlags = RiskFlags(0);

    /// True when `flag` is set.
    pub fn contains(self, flag: RiskFlag) -> bool {
        self.0 & flag.bit() != 0
    }

    /// True when no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// These flags and `flag`.
    #[must_use]
    pub fn with(self, flag: RiskFlag) -> Self {
        RiskFlags(self.0 | flag.bit())
    }

    /// These flags, and `flag` when `on`.
    #[must_use]
    pub fn with_if(self, flag: RiskFlag, on: bool) -> Self {
        if on { self.with(flag) } else { self }
    }

    /// The flags set, in display order.
    pub fn iter(self) -> impl Iterator<Item = RiskFlag> {
        RiskFlag::ALL.into_iter().filter(move |flag| self.contains(*flag))
    }

    /// The codes of the flags set, joined with `separator` (empty when none).
    pub fn codes(self, separator: &str) -> String {
        self.iter().map(RiskFlag::as_str).collect::<Vec<_>>().join(separator)
    }

    /// The stored form.
    pub(crate) fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// Reads the stored form; bits no flag owns (written by a newer version) are dropped.
    pub(crate) fn from_bits(bits: i64) -> Self {
        RiskFlag::ALL.into_iter().filter(|flag| bits & i64::from(flag.bit()) != 0).collect()
    }
}

impl FromIterator<RiskFlag> for RiskFlags {
    fn from_iter<I: IntoIterator<Item = RiskFlag>>(flags: I) -> Self {
        flags.into_iter().fold(RiskFlags::NONE, RiskFlags::with)
    }
}

/// Mean Earth radius (IUGG), in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Hops shorter than this are never impossible travel: GeoIP places an address at a city's
/// coordinates (often within 50–100 km of the truth), so two nearby cities minutes apart
/// say nothing.
pub const MIN_TRAVEL_KM: f64 = 100.0;

/// A point on the Earth, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// Latitude, −90 to 90.
    pub latitude: f64,
    /// Longitude, −180 to 180.
    pub longitude: f64,
}

impl Coordinates {
    /// The coordinates of a location found in the GeoIP database, when it has them.
    pub fn of(location: &Location) -> Option<Self> {
        match (location.kind, location.latitude, location.longitude) {
            (LocationKind::Found, Some(latitude), Some(longitude)) => Some(Coordinates { latitude, longitude }),
            _ => None,
        }
    }
}

/// A located sign-in: where and when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// When.
    pub at: Timestamp,
    /// Where.
    pub coordinates: Coordinates,
}

/// Great-circle distance between two points (haversine formula on a sphere), in km.
pub fn distance_km(a: Coordinates, b: Coordinates) -> f64 {
    let (lat_a, lat_b) = (a.latitude.to_radians(), b.latitude.to_radians());
    let half_lat = (lat_b - lat_a) / 2.0;
    let half_lon = (b.longitude - a.longitude).to_radians() / 2.0;
    let h = half_lat.sin().powi(2) + lat_a.cos() * lat_b.cos() * half_lon.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The speed needed to get from one located sign-in to another, in km/h, in whichever
/// order they happened: 0 for the same place, infinite for two places at the same instant.
pub fn speed_kmh(from: Fix, to: Fix) -> f64 {
    let km = distance_km(from.coordinates, to.coordinates);
    let elapsed = Duration::from_millis(to.at.as_millis().abs_diff(from.at.as_millis()));
    let hours = elapsed.as_secs_f64() / 3_600.0;
    if km <= 0.0 {
        0.0
    } else if hours <= 0.0 {
        f64::INFINITY
    } else {
        km / hours
    }
}

/// True when getting from `from` to `to` needs more than `max_kmh` over at least
/// [`MIN_TRAVEL_KM`].
pub fn is_impossible_travel(from: Fix, to: Fix, max_kmh: u32) -> bool {
    distance_km(from.coordinates, to.coordinates) >= MIN_TRAVEL_KM && speed_kmh(from, to) > f64::from(max_kmh)
}

/// A successful sign-in about to be recorded, as the rules see it.
pub(crate) struct Success<'a> {
    pub user: UserId,
    pub email: &'a str,
    pub ip: Option<IpAddr>,
    pub location: &'a Location,
    pub installation_id: &'a str,
    pub now: Timestamp,
}

/// The flags of a failed attempt: a burst on its email or from its address, this one
/// included. Runs before the attempt is recorded.
pub(crate) async fn assess_failure(
    conn: &mut Tx,
    email: &str,
    ip: Option<IpAddr>,
    policy: &Policy,
    now: Timestamp,
) -> Result<RiskFlags> {
    let since = now.minus(policy.failure_burst_window());
    let burst = in_burst(conn, email, ip, since, policy, 1).await?;
    Ok(RiskFlags::NONE.with_if(RiskFlag::FailureBurst, burst))
}

/// The flags of a sign-in whose password was right and whose second factor is due: a
/// burst of failures right before it. The rest waits for the sign-in to complete.
pub(crate) async fn assess_pending(
    conn: &mut Tx,
    user: UserId,
    email: &str,
    ip: Option<IpAddr>,
    policy: &Policy,
    now: Timestamp,
) -> Result<RiskFlags> {
    let last = last_success(conn, user).await?;
    let burst = burst_since_success(conn, last, email, ip, policy, now).await?;
    Ok(RiskFlags::NONE.with_if(RiskFlag::FailureBurst, burst))
}

/// The look-back flags of a successful sign-in (all but "after a lockout", which the
/// throttling counter tells): reads of committed history only, taken before its device is
/// saved and its attempt recorded (or completed), so a sign-in reads them while argon2 runs.
pub(crate) async fn assess_success(conn: &mut Tx, success: &Success<'_>, policy: &Policy) -> Result<RiskFlags> {
    let Success { user, email, ip, location, installation_id, now } = *success;
    // Index devices_by_user.
    let devices = db::query(
        "SELECT EXISTS (SELECT 1 FROM devices WHERE user_id = $1 AND installation_id = $2) AS seen,
                EXISTS (SELECT 1 FROM devices WHERE user_id = $3) AS any_device",
    )
    .bind(user)
    .bind(installation_id)
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    let new_device = devices.try_get::<bool>("any_device")? && !devices.try_get::<bool>("seen")?;

    let last = last_success(conn, user).await?;
    let new_place = match (last, location.kind) {
        (Some(_), LocationKind::Found) => {
            !place_seen(conn, user, location, now.minus(policy.new_place_window())).await?
        }
        _ => false,
    };
    let impossible_travel = match Coordinates::of(location) {
        None => false,
        Some(coordinates) => previous_fix(conn, user)
            .await?
            .is_some_and(|from| is_impossible_travel(from, Fix { at: now, coordinates }, policy.impossible_travel_kmh)),
    };
    let burst = burst_since_success(conn, last, email, ip, policy, now).await?;
    Ok(RiskFlags::NONE
        .with_if(RiskFlag::NewDevice, new_device)
        .with_if(RiskFlag::NewPlace, new_place)
        .with_if(RiskFlag::FailureBurst, burst)
        .with_if(RiskFlag::ImpossibleTravel, impossible_travel))
}

/// True when one of the user's successful sign-ins at or after `since` came from this
/// location's country and city (its country alone, when the database gives no city).
/// A location without a country is never "seen" (the caller only asks for found ones).
async fn place_seen(conn: &mut Tx, user: UserId, location: &Location, since: Timestamp) -> Result<bool> {
    let Some(country) = &location.country_code else { return Ok(true) };
    // Index signin_attempts_places (user_id, country_code, city, at), or _countries without the city.
    let query = match &location.city {
        Some(city) => db::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM signin_attempts WHERE user_id = $1 AND outcome = 'success'
                            AND country_code = $2 AND city = $3 AND at >= $4)",
        )
        .bind(user)
        .bind(country)
        .bind(city),
        None => db::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM signin_attempts WHERE user_id = $1 AND outcome = 'success'
                            AND country_code = $2 AND at >= $3)",
        )
        .bind(user)
        .bind(country),
    };
    query.bind(since).fetch_one(conn).await
}

/// When the user last signed in successfully (index signin_attempts_successes).
async fn last_success(conn: &mut Tx, user: UserId) -> Result<Option<Timestamp>> {
    db::query_scalar(
        "SELECT at FROM signin_attempts WHERE user_id = $1 AND outcome = 'success' ORDER BY at DESC LIMIT 1",
    )
    .bind(user)
    .fetch_optional(conn)
    .await
}

/// The user's latest successful sign-in with coordinates (index signin_attempts_located).
async fn previous_fix(conn: &mut Tx, user: UserId) -> Result<Option<Fix>> {
    let row = db::query(
        "SELECT at, latitude, longitude FROM signin_attempts
         WHERE user_id = $1 AND outcome = 'success' AND latitude IS NOT NULL AND longitude IS NOT NULL
         ORDER BY at DESC LIMIT 1",
    )
    .bind(user)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let coordinates = Coordinates { latitude: row.try_get("latitude")?, longitude: row.try_get("longitude")? };
        Ok(Fix { at: row.try_get("at")?, coordinates })
    })
    .transpose()
}

/// True when a burst of failures on the email, or from the address, came within the burst
/// window and after the account's previous successful sign-in (`last`).
async fn burst_since_success(
    conn: &mut Tx,
    last: Option<Timestamp>,
    email: &str,
    ip: Option<IpAddr>,
    policy: &Policy,
    now: Timestamp,
) -> Result<bool> {
    let window_start = now.minus(policy.failure_burst_window());
    let since = match last {
        Some(last) if last >= window_start => last.plus(Duration::from_millis(1)),
        _ => window_start,
    };
    in_burst(conn, email, ip, since, policy, 0).await
}

/// True when `extra` plus the failures at or after `since` on `email`, or from `ip`, reach
/// the policy's burst threshold.
async fn in_burst(
    conn: &mut Tx,
    email: &str,
    ip: Option<IpAddr>,
    since: Timestamp,
    policy: &Policy,
    extra: i64,
) -> Result<bool> {
    let threshold = i64::from(policy.failure_burst_threshold);
    // Indexes signin_attempts_failures_by_email and _by_ip; counting stops at the threshold.
    let on_email: i64 = db::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM signin_attempts
                               WHERE email = $1 AND outcome = 'failure' AND at >= $2 LIMIT $3) AS recent",
    )
    .bind(email)
    .bind(since)
    .bind(threshold)
    .fetch_one(&mut *conn)
    .await?;
    if on_email + extra >= threshold {
        return Ok(true);
    }
    let Some(ip) = ip else { return Ok(false) };
    let from_ip: i64 = db::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM signin_attempts
                               WHERE ip = $1 AND outcome = 'failure' AND at >= $2 LIMIT $3) AS recent",
    )
    .bind(ip.to_string())
    .bind(since)
    .bind(threshold)
    .fetch_one(&mut *conn)
    .await?;
    Ok(from_ip + extra >= threshold)
}
