//! Risk flags on sign-in attempts: the geometry on its own, then each rule through real
//! sign-ins on a real SQLite file with the GeoIP test database and a moved clock, the
//! flagged-only filter, the CSV column, and the policy thresholds.

use std::time::Duration;

use gatehouse_core::risk::{Coordinates, EARTH_RADIUS_KM, Fix, distance_km, is_impossible_travel, speed_kmh};
use gatehouse_core::{
    ActivityFilter, ActivityScope, Attempt, ClientKind, DeviceKind, Location, OpenOptions, Origin, Outcome, Policy,
    RiskFlag, RiskFlags, Role, SignInOutcome, SignedIn, Timestamp,
};

use crate::support::*;

/// 51.5142, -0.0931 in the test database.
const LONDON: &str = "81.2.69.142";
/// 43.88, 125.3228.
const CHANGCHUN: &str = "175.16.199.1";
/// 58.4167, 15.6167.
const LINKOPING: &str = "89.160.20.112";
/// 51.75, -1.25 (84 km from London).
const BOXFORD: &str = "2.125.160.216";
/// A private address: "Local network".
const OFFICE: &str = "10.0.0.1";
/// Public, but not in the test database: "Unknown".
const NOWHERE: &str = "8.8.8.8";

const LONDON_AT: Coordinates = Coordinates { latitude: 51.5142, longitude: -0.0931 };
const CHANGCHUN_AT: Coordinates = Coordinates { latitude: 43.88, longitude: 125.3228 };
const BOXFORD_AT: Coordinates = Coordinates { latitude: 51.75, longitude: -1.25 };
const LINKOPING_AT: Coordinates = Coordinates { latitude: 58.4167, longitude: 15.6167 };

async fn located() -> Fixture {
    Fixture::with_options(OpenOptions { geoip: Some(crate::geo::city_db()), ..Default::default() }).await
}

/// The admin's laptop (the device [`Fixture::admin`] signs in from) at another address.
fn laptop_at(ip: &str) -> Origin {
    origin("laptop-0001", DeviceKind::Laptop, ClientKind::Desktop, Some(ip))
}

/// The terminal of [`terminal`] at another address.
fn terminal_at(ip: &str) -> Origin {
    origin("terminal-0002", DeviceKind::Terminal, ClientKind::Cli, Some(ip))
}

fn days(n: u64) -> Duration {
    Duration::from_secs(n * 24 * 60 * 60)
}

fn password_of(email: &str) -> &'static str {
    if email == ADMIN_EMAIL { ADMIN_PASSWORD } else { USER_PASSWORD }
}

fn flags(list: &[RiskFlag]) -> RiskFlags {
    list.iter().copied().collect()
}

/// Signs `email` in from `from` now; returns the session and the flags its attempt got.
async fn sign_in(fx: &Fixture, email: &str, from: &Origin) -> (SignedIn, RiskFlags) {
    let signed = fx.gate.sign_in(email, password_of(email), from, fx.now()).await.unwrap().signed_in().unwrap();
    let newest = ActivityFilter { limit: Some(1), ..Default::default() };
    let own = fx.gate.list_activity(fx.caller(&signed.token), &newest).await.unwrap();
    assert_eq!(own[0].session_id, Some(signed.session_id), "the newest of the user's attempts is this sign-in");
    let risk_flags = own[0].risk_flags;
    (signed, risk_flags)
}

/// The flags of a successful sign-in of `email` from `from` now.
async fn flags_of_sign_in(fx: &Fixture, email: &str, from: &Origin) -> RiskFlags {
    sign_in(fx, email, from).await.1
}

/// A wrong password for `email` from `from` now.
async fn fail(fx: &Fixture, email: &str, from: &Origin) {
    let result = fx.gate.sign_in(email, "wrong-password-123", from, fx.now()).await;
    assert_eq!(code(result), "auth.invalid_credentials");
}

/// An admin session on the CLI (no idle lock) for reading everyone's activity; its own
/// sign-in is recorded from the office terminal.
async fn watcher(fx: &Fixture) -> SignedIn {
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap()
}

/// Everyone's failed attempts, newest first.
async fn failures(fx: &Fixture, watcher: &SignedIn) -> Vec<Attempt> {
    let filter =
        ActivityFilter { scope: ActivityScope::Everyone, failures_only: true, limit: Some(1000), ..Default::default() };
    fx.gate.list_activity(fx.caller(&watcher.token), &filter).await.unwrap()
}

/// Whether each failure, newest first, is flagged as part of a burst.
async fn burst_marks(fx: &Fixture, watcher: &SignedIn) -> Vec<bool> {
    failures(fx, watcher).await.iter().map(|a| a.risk_flags.contains(RiskFlag::FailureBurst)).collect()
}

async fn set_policy(fx: &Fixture, admin: &SignedIn, change: impl FnOnce(&mut Policy)) {
    let mut policy = fx.gate.policy(fx.caller(&admin.token)).await.unwrap();
    change(&mut policy);
    fx.confirm(admin).await;
    fx.set_policy_now(admin, &policy).await;
}

#[test]
fn distances_are_great_circle_kilometres() {
    let near = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance;
    assert!(near(distance_km(LONDON_AT, CHANGCHUN_AT), 8_182.1, 1.0), "{}", distance_km(LONDON_AT, CHANGCHUN_AT));
    assert!(near(distance_km(LONDON_AT, BOXFORD_AT), 84.04, 0.1), "{}", distance_km(LONDON_AT, BOXFORD_AT));
    assert!(near(distance_km(LONDON_AT, LINKOPING_AT), 1_257.7, 1.0), "{}", distance_km(LONDON_AT, LINKOPING_AT));
    // Symmetric, zero for one place, half the circumference for antipodes, 1° of equator.
    assert_eq!(distance_km(LONDON_AT, CHANGCHUN_AT), distance_km(CHANGCHUN_AT, LONDON_AT));
    assert_eq!(distance_km(LONDON_AT, LONDON_AT), 0.0);
    let equator = |longitude| Coordinates { latitude: 0.0, longitude };
    assert!(near(distance_km(equator(0.0), equator(180.0)), std::f64::consts::PI * EARTH_RADIUS_KM, 1e-6));
    assert!(near(distance_km(equator(0.0), equator(1.0)), 111.195, 0.001));
    // Across the antimeridian the short way round.
    assert!(near(distance_km(equator(179.5), equator(-179.5)), 111.195, 0.001));
    let pole = |latitude| Coordinates { latitude, longitude: 0.0 };
    assert!(near(distance_km(pole(90.0), pole(-90.0)), std::f64::consts::PI * EARTH_RADIUS_KM, 1e-6));
}

#[test]
fn speed_is_distance_over_the_time_between_two_sign_ins() {
    let at = |minutes: i64| Timestamp::from_millis(START.as_millis() + minutes * 60_000);
    let fix = |minutes, coordinates| Fix { at: at(minutes), coordinates };
    // 8,182 km in 5 minutes is about 98,000 km/h; in 10 hours about 818 km/h.
    let fast = speed_kmh(fix(0, LONDON_AT), fix(5, CHANGCHUN_AT));
    assert!((fast - 98_185.0).abs() < 20.0, "{fast}");
    let slow = speed_kmh(fix(0, LONDON_AT), fix(600, CHANGCHUN_AT));
    assert!((slow - 818.2).abs() < 0.5, "{slow}");
    // Either order; same place is 0; no time at all is infinite.
    assert_eq!(speed_kmh(fix(5, CHANGCHUN_AT), fix(0, LONDON_AT)), fast);
    assert_eq!(speed_kmh(fix(0, LONDON_AT), fix(5, LONDON_AT)), 0.0);
    assert_eq!(speed_kmh(fix(0, LONDON_AT), fix(0, LONDON_AT)), 0.0);
    assert!(speed_kmh(fix(0, LONDON_AT), fix(0, BOXFORD_AT)).is_infinite());

    assert!(is_impossible_travel(fix(0, LONDON_AT), fix(5, CHANGCHUN_AT), 1_000));
    assert!(!is_impossible_travel(fix(0, LONDON_AT), fix(600, CHANGCHUN_AT), 1_000));
    assert!(is_impossible_travel(fix(0, LONDON_AT), fix(490, CHANGCHUN_AT), 1_000), "8,182 km in 8 h 10 min");
    // London to Linköping (1,258 km) in an hour: too fast at 1,000 km/h, not at 1,500.
    assert!(is_impossible_travel(fix(0, LONDON_AT), fix(60, LINKOPING_AT), 1_000));
    assert!(!is_impossible_travel(fix(0, LONDON_AT), fix(60, LINKOPING_AT), 1_500));
    // Two nearby cities are GeoIP noise, however soon: never impossible.
    assert!(speed_kmh(fix(0, LONDON_AT), fix(1, BOXFORD_AT)) > 1_000.0);
    assert!(!is_impossible_travel(fix(0, LONDON_AT), fix(1, BOXFORD_AT), 1_000));
    assert!(!is_impossible_travel(fix(0, LONDON_AT), fix(0, BOXFORD_AT), 1_000));
}

#[test]
fn only_found_locations_have_coordinates() {
    assert_eq!(Coordinates::of(&Location::local_network()), None);
    assert_eq!(Coordinates::of(&Location::unknown()), None);
    let db = gatehouse_core::GeoIp::open(&crate::geo::city_db()).unwrap();
    let london = gatehouse_core::GeoIp::locate(Some(&db), Some(LONDON.parse().unwrap()));
    assert_eq!(Coordinates::of(&london), Some(LONDON_AT));
}

#[test]
fn flags_have_stable_codes_and_labels_and_keep_their_order() {
    let codes: Vec<_> = RiskFlag::ALL.iter().map(|flag| flag.as_str()).collect();
    assert_eq!(codes, ["new_device", "new_place", "failure_burst", "impossible_travel", "after_lockout"]);
    let labels: Vec<_> = RiskFlag::ALL.iter().map(|flag| flag.label()).collect();
    assert_eq!(labels, ["New device", "New place", "Failure burst", "Impossible travel", "After lockout"]);
    for flag in RiskFlag::ALL {
        assert_eq!(RiskFlag::parse(flag.as_str()), Some(flag));
    }
    assert_eq!(RiskFlag::parse("New device"), None);

    let set = flags(&[RiskFlag::AfterLockout, RiskFlag::NewDevice]);
    assert!(set.contains(RiskFlag::NewDevice) && set.contains(RiskFlag::AfterLockout));
    assert!(!set.contains(RiskFlag::NewPlace) && !set.is_empty());
    assert_eq!(set.iter().collect::<Vec<_>>(), [RiskFlag::NewDevice, RiskFlag::AfterLockout]);
    assert_eq!(set.codes(";"), "new_device;after_lockout");
    assert!(RiskFlags::NONE.is_empty() && RiskFlags::NONE.codes(";").is_empty());
    assert_eq!(RiskFlags::NONE.with_if(RiskFlag::NewPlace, false), RiskFlags::NONE);
}

#[tokio::test]
async fn london_then_changchun_minutes_later_is_impossible_travel() {
    let fx = located().await;
    fx.admin().await;
    fx.advance(minutes(1));
    let london = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    assert!(!london.contains(RiskFlag::ImpossibleTravel), "no earlier located sign-in: {london:?}");
    fx.advance(minutes(5));
    let changchun = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(CHANGCHUN)).await;
    assert!(changchun.contains(RiskFlag::ImpossibleTravel), "{changchun:?}");
    // Eleven hours after Changchun, London is reachable again (about 744 km/h).
    fx.advance(minutes(11 * 60));
    let back = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    assert!(!back.contains(RiskFlag::ImpossibleTravel), "{back:?}");
}

#[tokio::test]
async fn london_then_boxford_an_hour_later_is_not_impossible_travel() {
    let fx = located().await;
    fx.admin().await;
    let london = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    fx.advance(minutes(60));
    let boxford = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(BOXFORD)).await;
    assert!(!boxford.contains(RiskFlag::ImpossibleTravel), "{boxford:?}");
    // While Linköping an hour after Boxford is (1,299 km in an hour).
    fx.advance(minutes(60));
    let linkoping = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LINKOPING)).await;
    assert!(linkoping.contains(RiskFlag::ImpossibleTravel), "{linkoping:?}");
    assert!(!london.contains(RiskFlag::ImpossibleTravel));
}

#[tokio::test]
async fn local_and_unknown_addresses_never_make_a_new_place_or_impossible_travel() {
    let fx = located().await;
    fx.admin().await;
    fx.advance(minutes(1));
    assert!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await.contains(RiskFlag::NewPlace));
    for ip in [OFFICE, NOWHERE] {
        fx.advance(minutes(1));
        let nowhere = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(ip)).await;
        assert_eq!(nowhere, RiskFlags::NONE, "{ip}");
    }
    // They do not hide the last located sign-in either: London three minutes ago.
    fx.advance(minutes(1));
    let changchun = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(CHANGCHUN)).await;
    assert_eq!(changchun, flags(&[RiskFlag::NewPlace, RiskFlag::ImpossibleTravel]));
}

#[tokio::test]
async fn a_second_device_is_new_and_the_same_device_again_is_not() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    // The first device of an account is not flagged: there is nothing to compare it with.
    let first = all_attempts(&fx, &admin).await;
    assert_eq!((first.len(), first[0].risk_flags), (1, RiskFlags::NONE));

    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &terminal()).await, flags(&[RiskFlag::NewDevice]));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &terminal()).await, RiskFlags::NONE);
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &desktop()).await, RiskFlags::NONE);

    // Devices are per user: the admin's laptop is new to Bob, whose first device was not.
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let bobs = fx.gate.list_activity(fx.caller(&bob.token), &ActivityFilter::default()).await.unwrap();
    assert_eq!(bobs[0].risk_flags, RiskFlags::NONE);
    assert_eq!(flags_of_sign_in(&fx, "bob@example.com", &desktop()).await, flags(&[RiskFlag::NewDevice]));

    // A removed device was seen before: signing in from it again is not "new".
    let (admin, _) = sign_in(&fx, ADMIN_EMAIL, &desktop()).await;
    let devices = fx.gate.list_devices(fx.caller(&admin.token), None).await.unwrap();
    let terminal_id = devices.iter().find(|d| d.kind == DeviceKind::Terminal).unwrap().id;
    fx.confirm(&admin).await;
    fx.gate.remove_device(fx.caller(&admin.token), terminal_id).await.unwrap();
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &terminal()).await, RiskFlags::NONE);
}

#[tokio::test]
async fn a_new_country_or_city_is_a_new_place_until_seen_within_the_look_back() {
    let fx = located().await;
    fx.admin().await;
    fx.advance(minutes(1));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await, flags(&[RiskFlag::NewPlace]));
    fx.advance(days(1));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await, RiskFlags::NONE);
    // Same country, new city (and more than a day away: no travel concern).
    fx.advance(days(1));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(BOXFORD)).await, flags(&[RiskFlag::NewPlace]));
    // London was last seen 89 days ago: still known.
    fx.advance(days(88));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await, RiskFlags::NONE);
    // 91 days after that, it is new again.
    fx.advance(days(91));
    assert_eq!(flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await, flags(&[RiskFlag::NewPlace]));

    // A user's very first sign-in has nothing to compare with, wherever it comes from.
    let (admin_now, _) = sign_in(&fx, ADMIN_EMAIL, &desktop()).await;
    let bob = fx.user(&admin_now, "bob@example.com", Role::Member, &terminal_at(LINKOPING)).await;
    let bobs = fx.gate.list_activity(fx.caller(&bob.token), &ActivityFilter::default()).await.unwrap();
    assert_eq!(bobs[0].risk_flags, RiskFlags::NONE);
}

#[tokio::test]
async fn five_failures_on_an_account_within_fifteen_minutes_are_a_burst_and_four_are_not() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let watcher = watcher(&fx).await;
    let phone = terminal_at("10.9.9.9");
    for _ in 0..4 {
        fx.advance(minutes(3));
        fail(&fx, "bob@example.com", &phone).await;
    }
    assert_eq!(burst_marks(&fx, &watcher).await, [false; 4]);
    fx.advance(minutes(2));
    fail(&fx, "bob@example.com", &phone).await;
    assert_eq!(burst_marks(&fx, &watcher).await, [true, false, false, false, false]);
    // Failures only ever carry the burst flag.
    assert_eq!(failures(&fx, &watcher).await[0].risk_flags, flags(&[RiskFlag::FailureBurst]));
}

#[tokio::test]
async fn failures_spread_wider_than_the_window_are_not_a_burst_until_the_policy_widens_it() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let watcher = watcher(&fx).await;
    let phone = terminal_at("10.9.9.9");
    // Five failures four minutes apart: 16 minutes from first to last, never five in 15.
    for _ in 0..5 {
        fx.advance(minutes(4));
        fail(&fx, "bob@example.com", &phone).await;
    }
    assert_eq!(burst_marks(&fx, &watcher).await, [false; 5]);

    set_policy(&fx, &watcher, |p| p.failure_burst_minutes = 20).await;
    fx.advance(minutes(4));
    fail(&fx, "bob@example.com", &phone).await;
    assert_eq!(burst_marks(&fx, &watcher).await, [true, false, false, false, false, false]);

    set_policy(&fx, &watcher, |p| p.failure_burst_threshold = 7).await;
    fx.advance(minutes(1));
    fail(&fx, "bob@example.com", &phone).await;
    assert!(!burst_marks(&fx, &watcher).await[0], "six failures in 20 minutes, seven needed");
    fx.advance(minutes(1));
    fail(&fx, "bob@example.com", &phone).await;
    assert!(burst_marks(&fx, &watcher).await[0], "seven failures in 20 minutes");
}

#[tokio::test]
async fn five_failures_from_one_address_across_accounts_are_a_burst() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let watcher = watcher(&fx).await;
    let attacker = origin("attacker-9999", DeviceKind::Desktop, ClientKind::Cli, Some(LINKOPING));
    let emails = ["bob@example.com", "nobody@example.com", "carol@example.com", "ghost@example.com"];
    for email in emails {
        fx.advance(minutes(1));
        fail(&fx, email, &attacker).await;
    }
    assert_eq!(burst_marks(&fx, &watcher).await, [false; 4]);
    fx.advance(minutes(1));
    fail(&fx, "phantom@example.com", &attacker).await;
    let listed = failures(&fx, &watcher).await;
    assert_eq!(listed[0].email, "phantom@example.com");
    assert_eq!(listed[0].user_id, None);
    assert_eq!(burst_marks(&fx, &watcher).await, [true, false, false, false, false]);

    // The same five emails from five addresses are no burst.
    for (n, email) in emails.iter().chain(["phantom@example.com"].iter()).enumerate() {
        fail(&fx, email, &terminal_at(&format!("10.1.1.{n}"))).await;
    }
    assert_eq!(burst_marks(&fx, &watcher).await[..5], [false; 5]);

    // And a success from that address right after the burst is flagged: a stuffed password that worked.
    fx.advance(minutes(1));
    let bob = flags_of_sign_in(&fx, "bob@example.com", &terminal_at(LINKOPING)).await;
    assert!(bob.contains(RiskFlag::FailureBurst), "{bob:?}");
}

#[tokio::test]
async fn the_success_right_after_a_burst_is_flagged_once() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    for _ in 0..5 {
        fx.advance(minutes(1));
        fail(&fx, "bob@example.com", &terminal()).await;
    }
    fx.advance(minutes(1));
    assert_eq!(flags_of_sign_in(&fx, "bob@example.com", &terminal()).await, flags(&[RiskFlag::FailureBurst]));
    // The burst is still inside the window, but it was answered by that sign-in.
    fx.advance(minutes(1));
    assert_eq!(flags_of_sign_in(&fx, "bob@example.com", &terminal()).await, RiskFlags::NONE);

    // Four failures before a success are no burst.
    for _ in 0..4 {
        fx.advance(minutes(1));
        fail(&fx, "bob@example.com", &terminal()).await;
    }
    fx.advance(minutes(1));
    assert_eq!(flags_of_sign_in(&fx, "bob@example.com", &terminal()).await, RiskFlags::NONE);
}

/// Locks Bob out: three failures a minute apart (the policy's threshold is 3 here).
async fn lock_out_bob(fx: &Fixture) {
    for _ in 0..3 {
        fx.advance(minutes(1));
        fail(fx, "bob@example.com", &terminal()).await;
    }
    let refused = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await;
    assert_eq!(code(refused), "auth.locked_out");
}

#[tokio::test]
async fn the_first_sign_in_after_a_lockout_is_flagged() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    set_policy(&fx, &admin, |p| p.lockout_threshold = 3).await;

    lock_out_bob(&fx).await;
    fx.advance(minutes(15));
    let after = flags_of_sign_in(&fx, "bob@example.com", &terminal()).await;
    assert!(after.contains(RiskFlag::AfterLockout), "{after:?}");
    fx.advance(minutes(1));
    let next = flags_of_sign_in(&fx, "bob@example.com", &terminal()).await;
    assert!(!next.contains(RiskFlag::AfterLockout), "{next:?}");

    // A wrong password after the lockout ended does not make it forgotten.
    lock_out_bob(&fx).await;
    fx.advance(minutes(16));
    fail(&fx, "bob@example.com", &terminal()).await;
    fx.advance(minutes(1));
    let after = flags_of_sign_in(&fx, "bob@example.com", &terminal()).await;
    assert!(after.contains(RiskFlag::AfterLockout), "{after:?}");

    // Failures that never reached the lockout threshold are not a lockout.
    fx.advance(minutes(30));
    fail(&fx, "bob@example.com", &terminal()).await;
    fail(&fx, "bob@example.com", &terminal()).await;
    fx.advance(minutes(1));
    let after = flags_of_sign_in(&fx, "bob@example.com", &terminal()).await;
    assert!(!after.contains(RiskFlag::AfterLockout), "{after:?}");

    // An administrator's unlock clears the lockout, and with it the flag.
    lock_out_bob(&fx).await;
    let (admin, _) = sign_in(&fx, ADMIN_EMAIL, &desktop()).await;
    fx.confirm(&admin).await;
    let users = fx.gate.list_users(fx.caller(&admin.token)).await.unwrap();
    let bob_id = users.iter().find(|u| u.email == "bob@example.com").unwrap().id;
    fx.gate.unlock_user(fx.caller(&admin.token), bob_id).await.unwrap();
    let after = flags_of_sign_in(&fx, "bob@example.com", &terminal()).await;
    assert!(!after.contains(RiskFlag::AfterLockout), "{after:?}");
}

#[tokio::test]
async fn a_two_factor_sign_in_is_assessed_when_it_completes() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = crate::two_factor::enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(60));
    let challenge = match fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap() {
        SignInOutcome::SecondFactorRequired(challenge) => challenge.token,
        SignInOutcome::SignedIn(_) => panic!("two-factor authentication is on"),
    };
    let pending = all_attempts(&fx, &admin).await;
    assert_eq!((pending[0].outcome, pending[0].risk_flags), (Outcome::Pending, RiskFlags::NONE));
    let code = crate::two_factor::oathtool(&secret, fx.now());
    let signed = fx.gate.complete_sign_in(&challenge, &code, &terminal(), fx.now()).await.unwrap();
    let completed = all_attempts(&fx, &signed).await;
    assert_eq!(completed[0].id, pending[0].id);
    assert_eq!((completed[0].outcome, completed[0].risk_flags), (Outcome::Success, flags(&[RiskFlag::NewDevice])));
}

#[tokio::test]
async fn flagged_only_lists_exactly_the_flagged_attempts_and_the_csv_names_them() {
    let fx = located().await;
    let admin = fx.admin().await;
    fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let watcher = watcher(&fx).await; // new device
    for _ in 0..5 {
        fx.advance(minutes(1));
        fail(&fx, "ghost@example.com", &terminal_at(NOWHERE)).await; // the fifth is a burst
    }
    fx.advance(minutes(1));
    sign_in(&fx, "bob@example.com", &terminal_at(LONDON)).await; // new place
    fx.advance(minutes(1));
    sign_in(&fx, "bob@example.com", &terminal_at(CHANGCHUN)).await; // new place, impossible travel
    sign_in(&fx, "bob@example.com", &terminal()).await;
    fail(&fx, "bob@example.com", &terminal()).await;

    let caller = fx.caller(&watcher.token);
    let everyone = ActivityFilter { scope: ActivityScope::Everyone, limit: Some(1000), ..Default::default() };
    let all = fx.gate.list_activity(caller, &everyone).await.unwrap();
    let expected: Vec<_> = all.iter().filter(|a| !a.risk_flags.is_empty()).map(|a| a.id).collect();
    assert_eq!(expected.len(), 4, "{all:#?}");
    let flagged = ActivityFilter { flagged_only: true, ..everyone.clone() };
    let listed = fx.gate.list_activity(caller, &flagged).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.id).collect::<Vec<_>>(), expected);

    // Combined with other filters and scopes.
    let flagged_failures = ActivityFilter { failures_only: true, ..flagged.clone() };
    let listed = fx.gate.list_activity(caller, &flagged_failures).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].email.as_str(), listed[0].risk_flags),
        ("ghost@example.com", flags(&[RiskFlag::FailureBurst]))
    );
    let users = fx.gate.list_users(caller).await.unwrap();
    let bobs = users.iter().find(|u| u.email == "bob@example.com").unwrap().id;
    let bob_flagged = ActivityFilter { scope: ActivityScope::User(bobs), ..flagged.clone() };
    let listed = fx.gate.list_activity(caller, &bob_flagged).await.unwrap();
    let bob_flags: Vec<_> = listed.iter().map(|a| a.risk_flags).collect();
    assert_eq!(bob_flags, [flags(&[RiskFlag::NewPlace, RiskFlag::ImpossibleTravel]), flags(&[RiskFlag::NewPlace])]);
    let own_flagged = ActivityFilter { flagged_only: true, ..Default::default() };
    let listed = fx.gate.list_activity(caller, &own_flagged).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.risk_flags).collect::<Vec<_>>(), [flags(&[RiskFlag::NewDevice])]);

    // The CSV export has the flags as a last column, and the filter applies to it too.
    let mut out = Vec::new();
    let written = fx.gate.export_activity_csv(caller, &flagged, || Ok(&mut out)).await.unwrap();
    assert_eq!(written, 4);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert!(lines[0].ends_with(",os,client,risk_flags"), "{}", lines[0]);
    assert!(lines[1].ends_with(",new_place;impossible_travel"), "{}", lines[1]);
    assert!(lines[4].ends_with(",new_device"), "{}", lines[4]);
    assert_eq!(lines.len(), 5);
}

#[tokio::test]
async fn policy_thresholds_for_travel_and_places_are_honoured() {
    let fx = located().await;
    fx.admin().await;
    // London to Linköping in an hour is 1,258 km/h: impossible at 1,000 km/h.
    flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    fx.advance(minutes(60));
    let (admin, linkoping) = sign_in(&fx, ADMIN_EMAIL, &laptop_at(LINKOPING)).await;
    assert!(linkoping.contains(RiskFlag::ImpossibleTravel));
    set_policy(&fx, &admin, |p| p.impossible_travel_kmh = 1_500).await;
    fx.advance(minutes(60));
    let london = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    assert!(!london.contains(RiskFlag::ImpossibleTravel), "{london:?}");

    // A month away is not a new place under the default 90 days, but is under 30.
    fx.advance(days(31));
    let (admin, london) = sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    assert!(!london.contains(RiskFlag::NewPlace), "{london:?}");
    set_policy(&fx, &admin, |p| p.new_place_days = 30).await;
    fx.advance(days(31));
    let london = flags_of_sign_in(&fx, ADMIN_EMAIL, &laptop_at(LONDON)).await;
    assert!(london.contains(RiskFlag::NewPlace), "{london:?}");
}

#[tokio::test]
async fn bad_risk_thresholds_are_refused_and_change_nothing() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let before = fx.gate.policy(fx.caller(&admin.token)).await.unwrap();
    assert_eq!(
        (
            before.failure_burst_threshold,
            before.failure_burst_minutes,
            before.new_place_days,
            before.impossible_travel_kmh
        ),
        (5, 15, 90, 1_000)
    );
    type Change = fn(&mut Policy);
    let cases: [(&str, Change); 8] = [
        ("Failure burst threshold", |p| p.failure_burst_threshold = 1),
        ("Failure burst threshold", |p| p.failure_burst_threshold = 1_001),
        ("Failure burst window (minutes)", |p| p.failure_burst_minutes = 0),
        ("Failure burst window (minutes)", |p| p.failure_burst_minutes = 1_441),
        ("New place look-back (days)", |p| p.new_place_days = 0),
        ("New place look-back (days)", |p| p.new_place_days = 731),
        ("Impossible travel speed (km/h)", |p| p.impossible_travel_kmh = 99),
        ("Impossible travel speed (km/h)", |p| p.impossible_travel_kmh = 20_001),
    ];
    for (field, change) in cases {
        let mut bad = before.clone();
        change(&mut bad);
        let err = fx.gate.set_policy(fx.caller(&admin.token), &bad).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{field}");
        assert!(err.to_string().starts_with(&format!("{field}: must be between")), "{err}");
        assert_eq!(fx.gate.policy(fx.caller(&admin.token)).await.unwrap(), before, "{field}");
    }
    // The limits themselves are accepted.
    let edge = Policy {
        failure_burst_threshold: 2,
        failure_burst_minutes: 1_440,
        new_place_days: 730,
        impossible_travel_kmh: 100,
        ..before.clone()
    };
    assert_eq!(fx.set_policy_now(&admin, &edge).await, edge);
    assert_eq!(fx.gate.policy(fx.caller(&admin.token)).await.unwrap(), edge);
}
