use std::path::PathBuf;

use gatehouse_core::{ClientKind, DeviceKind, GeoIp, LocationKind, OpenOptions};

use crate::support::*;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/geoip").join(name)
}

pub fn city_db() -> PathBuf {
    testdata("GeoIP2-City-Test.mmdb")
}

fn locate(db: &GeoIp, ip: &str) -> gatehouse_core::Location {
    GeoIp::locate(Some(db), Some(ip.parse().unwrap()))
}

#[test]
fn city_database_gives_the_known_answers() {
    let db = GeoIp::open(&city_db()).unwrap();
    let cases = [
        ("81.2.69.142", "London, United Kingdom", "GB", 51.5142, -0.0931),
        ("2.125.160.216", "Boxford, United Kingdom", "GB", 51.75, -1.25),
        ("89.160.20.112", "Linköping, Sweden", "SE", 58.4167, 15.6167),
        ("175.16.199.1", "Changchun, China", "CN", 43.88, 125.3228),
        ("216.160.83.56", "Milton, United States", "US", 47.2513, -122.3149),
        ("214.78.120.1", "San Diego, United States", "US", 32.7405, -117.0935),
        ("67.43.156.1", "Bhutan", "BT", 27.5, 90.5),
    ];
    for (ip, label, country, lat, lon) in cases {
        let found = locate(&db, ip);
        assert_eq!(found.kind, LocationKind::Found, "{ip}");
        assert_eq!(found.label(), label, "{ip}");
        assert_eq!(found.country_code.as_deref(), Some(country), "{ip}");
        assert_eq!((found.latitude, found.longitude), (Some(lat), Some(lon)), "{ip}");
    }
}

#[test]
fn private_unknown_and_missing_addresses() {
    let db = GeoIp::open(&city_db()).unwrap();
    for ip in ["10.0.0.1", "127.0.0.1", "192.168.1.20", "::1", "fd00::1", "::ffff:10.1.2.3"] {
        assert_eq!(locate(&db, ip).label(), "Local network", "{ip}");
    }
    assert_eq!(locate(&db, "8.8.8.8").label(), "Unknown");
    assert_eq!(GeoIp::locate(Some(&db), None).label(), "Unknown");
    // Without a database, public addresses are unknown but private ones are still local.
    assert_eq!(GeoIp::locate(None, Some("81.2.69.142".parse().unwrap())).label(), "Unknown");
    assert_eq!(GeoIp::locate(None, Some("10.0.0.1".parse().unwrap())).label(), "Local network");
}

#[test]
fn lite_and_country_databases_work_too() {
    let lite = GeoIp::open(&testdata("GeoLite2-City-Test.mmdb")).unwrap();
    assert_eq!(locate(&lite, "81.2.69.142").label(), "London, United Kingdom");
    let country = GeoIp::open(&testdata("GeoLite2-Country-Test.mmdb")).unwrap();
    let found = locate(&country, "81.2.69.142");
    assert_eq!(found.label(), "United Kingdom");
    assert_eq!(found.city, None);
}

#[test]
fn a_missing_or_broken_database_is_a_clear_error() {
    let err = GeoIp::open(&testdata("nope.mmdb")).unwrap_err();
    assert_eq!(err.code(), "geoip.unavailable");
    assert!(err.to_string().contains("nope.mmdb"), "{err}");
    let err = GeoIp::open(&testdata("README.md")).unwrap_err();
    assert_eq!(err.code(), "geoip.unavailable");
}

#[tokio::test]
async fn sign_ins_record_the_location_from_the_configured_database() {
    let fx = Fixture::with_options(OpenOptions { geoip: Some(city_db()), ..Default::default() }).await;
    let admin = fx.admin().await;
    let london = origin("london-0003", DeviceKind::Laptop, ClientKind::Cli, Some("81.2.69.142"));
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &london, fx.now()).await.unwrap().signed_in().unwrap();
    let sessions = fx.gate.list_sessions(fx.caller(&admin.token), None).await.unwrap();
    let locations: Vec<_> = sessions.iter().map(|s| s.location.as_str()).collect();
    assert!(locations.contains(&"London, United Kingdom"), "{locations:?}");
    assert!(locations.contains(&"Local network"), "{locations:?}");
}

#[tokio::test]
async fn the_geoip_setting_is_saved_and_used_after_reopening() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let mut gate = fx.gate.clone();
    let bad = testdata("README.md");
    assert_eq!(code(gate.set_geoip_setting(fx.caller(&admin.token), Some(&bad)).await), "geoip.unavailable");
    assert_eq!(gate.geoip_setting().await.unwrap(), None);
    gate.set_geoip_setting(fx.caller(&admin.token), Some(&city_db())).await.unwrap();
    gate.close().await;

    let reopened = fx.reopen(OpenOptions::default()).await;
    assert_eq!(reopened.geoip_setting().await.unwrap(), Some(city_db()));
    let london = origin("london-0003", DeviceKind::Laptop, ClientKind::Cli, Some("81.2.69.142"));
    let signed = reopened.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &london, fx.now()).await.unwrap().signed_in().unwrap();
    let sessions = reopened.list_sessions(fx.caller(&signed.token), None).await.unwrap();
    assert!(sessions.iter().any(|s| s.is_current && s.location == "London, United Kingdom"));
}
