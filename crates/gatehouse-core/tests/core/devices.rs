use gatehouse_core::{DeviceKind, Role};

use crate::support::*;

#[tokio::test]
async fn devices_are_listed_with_kind_os_and_times() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let first_seen = fx.now();
    fx.advance(minutes(5));
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    fx.advance(minutes(5));
    let devices = fx.gate.list_devices(fx.caller(&admin.token), None).await.unwrap();
    assert_eq!(devices.len(), 2);
    // Listing touched the desktop session, so it is the most recently used.
    let laptop = &devices[0];
    assert!(laptop.is_current);
    assert_eq!(laptop.kind, DeviceKind::Laptop);
    assert_eq!((laptop.os.as_str(), laptop.os_version.as_str()), ("Debian", "12"));
    assert_eq!(laptop.first_seen_at, first_seen);
    assert_eq!(laptop.last_used_at, fx.now());
    assert_eq!(devices[1].kind, DeviceKind::Terminal);
    assert_eq!(devices[1].active_sessions, 1);
}

#[tokio::test]
async fn signing_in_again_from_the_same_installation_reuses_the_device() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let devices = fx.gate.list_devices(fx.caller(&admin.token), None).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].active_sessions, 2);
}

#[tokio::test]
async fn removing_a_device_ends_its_sessions_and_it_must_sign_in_again() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let terminal_device = fx.gate.authenticate(fx.caller(&cli.token)).await.unwrap().device_id;

    fx.gate.remove_device(fx.caller(&admin.token), terminal_device).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&cli.token)).await), "session.signed_out");
    let devices = fx.gate.list_devices(fx.caller(&admin.token), None).await.unwrap();
    assert!(devices.iter().all(|d| d.id != terminal_device));

    // It can sign in again, and then shows as a new device.
    let again = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let new_device = fx.gate.authenticate(fx.caller(&again.token)).await.unwrap().device_id;
    assert_ne!(new_device, terminal_device);
    // The history keeps the removed device's sign-in.
    let attempts = all_attempts(&fx, &admin).await;
    assert!(attempts.iter().any(|a| a.device_id == Some(terminal_device)));
}

#[tokio::test]
async fn the_current_device_cannot_be_removed() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let me = fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap();
    let err = fx.gate.remove_device(fx.caller(&admin.token), me.device_id).await.unwrap_err();
    assert_eq!(err.code(), "device.current");
    fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap();
}

#[tokio::test]
async fn renaming_checks_the_name_and_bad_names_change_nothing() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let device = fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap().device_id;
    fx.gate.rename_device(fx.caller(&admin.token), device, "  Work laptop ").await.unwrap();
    let long = "n".repeat(65);
    for bad in ["", "   ", long.as_str(), "tab\there"] {
        assert_eq!(code(fx.gate.rename_device(fx.caller(&admin.token), device, bad).await), "invalid_input", "{bad:?}");
    }
    let devices = fx.gate.list_devices(fx.caller(&admin.token), None).await.unwrap();
    assert_eq!(devices[0].name, "Work laptop");
    assert_eq!(
        code(fx.gate.rename_device(fx.caller(&admin.token), gatehouse_core::DeviceId(999), "x").await),
        "not_found"
    );
}

#[tokio::test]
async fn members_cannot_touch_other_peoples_devices() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let admin_device = fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap().device_id;
    assert_eq!(code(fx.gate.rename_device(fx.caller(&bob.token), admin_device, "mine").await), "forbidden");
    assert_eq!(code(fx.gate.remove_device(fx.caller(&bob.token), admin_device).await), "forbidden");
    assert_eq!(code(fx.gate.list_devices(fx.caller(&bob.token), Some(admin.user.id)).await), "forbidden");
}
