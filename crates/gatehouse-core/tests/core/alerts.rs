//! Alerts: per-user settings (native, in-app only, off) with defaults, the events that raise
//! them, and the feed a desktop watcher reads (newer than the last seen, never the caller's
//! own session's).

use gatehouse_core::{AlertKind, Delivery, Role};

use crate::support::*;

fn kinds(list: &[gatehouse_core::Notice]) -> Vec<&str> {
    list.iter().map(|n| n.kind.as_str()).collect()
}

#[tokio::test]
async fn settings_list_the_kinds_that_apply_with_defaults_and_keep_a_users_choice() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;

    let admins = fx.gate.alert_settings(fx.caller(&admin.token)).await.unwrap();
    let bobs = fx.gate.alert_settings(fx.caller(&bob.token)).await.unwrap();
    assert_eq!(admins.len(), AlertKind::ALL.len());
    assert!(bobs.iter().all(|s| !matches!(s.kind, AlertKind::EveryoneSignIn | AlertKind::EveryoneRiskySignIn)));
    assert_eq!(bobs.len(), AlertKind::ALL.len() - 2);
    let delivery = |list: &[gatehouse_core::AlertSetting], kind| list.iter().find(|s| s.kind == kind).unwrap().delivery;
    assert_eq!(delivery(&bobs, AlertKind::NewSignIn), Delivery::Native);
    assert_eq!(delivery(&bobs, AlertKind::BackupCodesLow), Delivery::InApp);

    fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::NewSignIn, Delivery::Off).await.unwrap();
    let bobs = fx.gate.alert_settings(fx.caller(&bob.token)).await.unwrap();
    assert_eq!(delivery(&bobs, AlertKind::NewSignIn), Delivery::Off);
    // Admin settings are their own.
    let admins = fx.gate.alert_settings(fx.caller(&admin.token)).await.unwrap();
    assert_eq!(delivery(&admins, AlertKind::NewSignIn), Delivery::Native);
    // A member can't subscribe to everyone's sign-ins; unknown names are refused.
    let everyone = fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::EveryoneSignIn, Delivery::Native);
    assert_eq!(code(everyone.await), "forbidden");
    assert_eq!(code(Delivery::parse("loud")), "invalid_input");
    assert_eq!(code(AlertKind::parse("sign_in.everything")), "invalid_input");
    assert_eq!(AlertKind::of_notice("address.added"), Some(AlertKind::AddressBook));
    assert_eq!(AlertKind::of_notice("two_factor.off.reset"), Some(AlertKind::TwoFactorOff));
    assert_eq!(AlertKind::of_notice("addressbook"), None);
}

#[tokio::test]
async fn a_password_change_alerts_as_the_user_chose_and_never_to_the_session_that_made_it() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;

    // The admin resets Bob's password: Bob's next session gets a native alert.
    fx.confirm(&admin).await;
    fx.gate.reset_user_password(fx.caller(&admin.token), bob.user.id, "amber-quartz-violin-62").await.unwrap();
    let bob = fx.gate.sign_in("bob@example.com", "amber-quartz-violin-62", &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    let feed = fx.gate.notices_after(fx.caller(&bob.token), 0).await.unwrap();
    assert_eq!(kinds(&feed), vec!["password.changed.reset"]);
    assert!(feed[0].native);
    assert!(feed[0].body.contains(ADMIN_EMAIL));
    let latest = fx.gate.latest_notice_id(fx.caller(&bob.token)).await.unwrap();
    assert_eq!(latest, feed[0].id);
    assert!(fx.gate.notices_after(fx.caller(&bob.token), latest).await.unwrap().is_empty());

    // Bob changes it himself: it is in his centre, but his own session's feed skips it.
    fx.gate.change_password(fx.caller(&bob.token), "amber-quartz-violin-62", USER_PASSWORD).await.unwrap();
    let listed = fx.gate.list_notices(fx.caller(&bob.token), 10).await.unwrap();
    assert_eq!(kinds(&listed), vec!["password.changed", "password.changed.reset"]);
    assert_eq!(listed[0].session, Some(bob.session_id));
    assert!(fx.gate.notices_after(fx.caller(&bob.token), latest).await.unwrap().is_empty());
    // Another session of his sees it.
    let laptop = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    let laptop = laptop.signed_in().unwrap();
    assert_eq!(
        kinds(&fx.gate.notices_after(fx.caller(&laptop.token), latest).await.unwrap()),
        vec!["password.changed"]
    );

    // In-app only: stored, not native. Off: not raised at all.
    fx.gate.set_alert_setting(fx.caller(&laptop.token), AlertKind::PasswordChanged, Delivery::InApp).await.unwrap();
    fx.confirm(&admin).await;
    fx.gate.reset_user_password(fx.caller(&admin.token), bob.user.id, "amber-quartz-violin-62").await.unwrap();
    let bob = fx.gate.sign_in("bob@example.com", "amber-quartz-violin-62", &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    let newest = &fx.gate.list_notices(fx.caller(&bob.token), 1).await.unwrap()[0];
    assert_eq!((newest.kind.as_str(), newest.native), ("password.changed.reset", false));
    fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::PasswordChanged, Delivery::Off).await.unwrap();
    fx.gate.change_password(fx.caller(&bob.token), "amber-quartz-violin-62", USER_PASSWORD).await.unwrap();
    assert_eq!(fx.gate.list_notices(fx.caller(&bob.token), 10).await.unwrap().len(), 3);
}
