//! Alerts: per-user settings (native, in-app only, off) with defaults, the events that raise
//! them, and the feed a desktop watcher reads (newer than the last seen, never the caller's
//! own session's).

use gatehouse_core::{AlertKind, Delivery, Role};

use crate::support::*;

/// The kinds of the password alerts among `list` (sign-in alerts are tested on their own).
fn kinds(list: &[gatehouse_core::Notice]) -> Vec<&str> {
    list.iter().map(|n| n.kind.as_str()).filter(|kind| kind.starts_with("password")).collect()
}

#[tokio::test]
async fn settings_list_the_kinds_that_apply_with_defaults_and_keep_a_users_choice() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;

    let admins = fx.gate.alert_settings(fx.caller(&admin.token)).await.unwrap();
    let bobs = fx.gate.alert_settings(fx.caller(&bob.token)).await.unwrap();
    assert_eq!(admins.len(), AlertKind::ALL.len());
    let not_for_members = [
        AlertKind::EveryoneSignIn,
        AlertKind::EveryoneRiskySignIn,
        AlertKind::EveryoneLocked,
        AlertKind::PolicyWeakened,
    ];
    assert!(bobs.iter().all(|s| !not_for_members.contains(&s.kind)));
    assert_eq!(bobs.len(), AlertKind::ALL.len() - not_for_members.len());
    let delivery = |list: &[gatehouse_core::AlertSetting], kind| list.iter().find(|s| s.kind == kind).unwrap().delivery;
    assert_eq!(delivery(&bobs, AlertKind::NewSignIn), Delivery::Native);
    assert_eq!(delivery(&bobs, AlertKind::BackupCodesLow), Delivery::InApp);

    // Changing a setting asks to confirm it's you first.
    let unconfirmed = fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::NewSignIn, Delivery::Off);
    assert_eq!(code(unconfirmed.await), "auth.step_up_required");
    fx.confirm(&bob).await;
    fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::NewSignIn, Delivery::Off).await.unwrap();
    let bobs = fx.gate.alert_settings(fx.caller(&bob.token)).await.unwrap();
    assert_eq!(delivery(&bobs, AlertKind::NewSignIn), Delivery::Off);
    // Alerts about your own account's security can be in-app only, never off.
    let never_off = [
        AlertKind::RiskySignIn,
        AlertKind::FailureBurst,
        AlertKind::AccountLocked,
        AlertKind::TwoFactorOn,
        AlertKind::TwoFactorOff,
        AlertKind::PasswordChanged,
    ];
    for kind in never_off {
        assert!(!kind.may_be_off(), "{kind:?}");
        let refused = fx.gate.set_alert_setting(fx.caller(&bob.token), kind, Delivery::Off).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{kind:?}");
        assert!(refused.to_string().contains("in-app only, but not off"), "{refused}");
        fx.gate.set_alert_setting(fx.caller(&bob.token), kind, Delivery::InApp).await.unwrap();
    }
    let bobs = fx.gate.alert_settings(fx.caller(&bob.token)).await.unwrap();
    assert!(never_off.iter().all(|kind| delivery(&bobs, *kind) == Delivery::InApp));
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

    // The admin resets Bob's password: Bob's next session must choose his own first, then
    // hears of the reset natively.
    fx.confirm(&admin).await;
    fx.gate.reset_user_password(fx.caller(&admin.token), bob.user.id, "amber-quartz-violin-62").await.unwrap();
    let bob = fx.gate.sign_in("bob@example.com", "amber-quartz-violin-62", &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    assert_eq!(code(fx.gate.notices_after(fx.caller(&bob.token), 0).await), "password.change_required");
    fx.gate.change_password(fx.caller(&bob.token), "amber-quartz-violin-62", USER_PASSWORD).await.unwrap();
    let feed: Vec<_> = fx.gate.notices_after(fx.caller(&bob.token), 0).await.unwrap();
    let reset: Vec<_> = feed.iter().filter(|n| n.kind == "password.changed.reset").collect();
    assert_eq!(reset.len(), 1);
    assert!(reset[0].native);
    assert!(reset[0].body.contains(ADMIN_EMAIL));

    // His own change is in his centre, but his own session's feed skips it.
    assert!(feed.iter().all(|n| n.session != Some(bob.session_id)), "{feed:?}");
    let listed = fx.gate.list_notices(fx.caller(&bob.token), 10).await.unwrap();
    let own_change = &listed[0];
    assert_eq!((own_change.kind.as_str(), own_change.session), ("password.changed", Some(bob.session_id)));
    // Another session of his sees it.
    let laptop = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    let laptop = laptop.signed_in().unwrap();
    assert_eq!(
        kinds(&fx.gate.notices_after(fx.caller(&laptop.token), own_change.id - 1).await.unwrap()),
        vec!["password.changed"]
    );

    // In-app only: stored, not native.
    fx.confirm(&laptop).await;
    fx.gate.set_alert_setting(fx.caller(&laptop.token), AlertKind::PasswordChanged, Delivery::InApp).await.unwrap();
    fx.confirm(&admin).await;
    fx.gate.reset_user_password(fx.caller(&admin.token), bob.user.id, "amber-quartz-violin-62").await.unwrap();
    let bob = fx.gate.sign_in("bob@example.com", "amber-quartz-violin-62", &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    fx.gate.change_password(fx.caller(&bob.token), "amber-quartz-violin-62", USER_PASSWORD).await.unwrap();
    let listed = fx.gate.list_notices(fx.caller(&bob.token), 20).await.unwrap();
    let newest_reset = listed.iter().find(|n| n.kind == "password.changed.reset").unwrap();
    assert!(!newest_reset.native);
}

#[tokio::test]
async fn an_alert_switched_off_still_keeps_a_record_already_read() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.confirm(&bob).await;
    fx.gate.set_alert_setting(fx.caller(&bob.token), AlertKind::NewSignIn, Delivery::Off).await.unwrap();
    let unread_before = fx.gate.unread_notices(fx.caller(&bob.token)).await.unwrap();

    // A second sign-in from the same terminal: no warning, so an ordinary new sign-in.
    let laptop = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let laptop = laptop.signed_in().unwrap();
    let listed = fx.gate.list_notices(fx.caller(&bob.token), 20).await.unwrap();
    let record = listed.iter().find(|n| n.kind == "sign_in.new" && n.session == Some(laptop.session_id)).unwrap();
    assert!(record.read_at.is_some() && !record.native, "{record:?}");
    assert_eq!(fx.gate.unread_notices(fx.caller(&bob.token)).await.unwrap(), unread_before);
    // The watcher's feed carries it (the centre updates) but it pops up nowhere.
    let feed = fx.gate.notices_after(fx.caller(&bob.token), record.id - 1).await.unwrap();
    assert!(feed.iter().all(|n| !n.native), "{feed:?}");
}

fn at(installation: &str, ip: &str) -> gatehouse_core::Origin {
    origin(installation, gatehouse_core::DeviceKind::Laptop, gatehouse_core::ClientKind::Cli, Some(ip))
}

#[tokio::test]
async fn sign_ins_alert_the_users_other_sessions_and_the_admins_naming_device_and_place() {
    let options = gatehouse_core::OpenOptions { geoip: Some(crate::geo::city_db()), ..Default::default() };
    let fx = Fixture::with_options(options).await;
    let admin = fx.admin().await;
    let bob_first = fx.user(&admin, "bob@example.com", Role::Member, &at("bob-laptop", "81.2.69.142")).await;
    let admin_seen = fx.gate.latest_notice_id(fx.caller(&admin.token)).await.unwrap();
    let bob_seen = fx.gate.latest_notice_id(fx.caller(&bob_first.token)).await.unwrap();

    // Ten minutes later Bob "signs in" from Changchun on another machine: impossible travel.
    fx.advance(minutes(10));
    let far = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &at("cc-desktop", "175.16.199.1"), fx.now()).await;
    let far = far.unwrap().signed_in().unwrap();

    let bobs = fx.gate.notices_after(fx.caller(&bob_first.token), bob_seen).await.unwrap();
    assert_eq!(bobs.len(), 1, "{bobs:?}");
    let alert = &bobs[0];
    assert_eq!(alert.kind, "sign_in.risky");
    assert!(alert.title.contains("Impossible travel") && alert.title.contains("New device"), "{}", alert.title);
    assert!(alert.body.contains("cc-desktop-host") && alert.body.contains("Changchun, China"), "{}", alert.body);
    assert!(alert.native);
    assert_eq!(alert.session, Some(far.session_id));
    assert_eq!(alert.subject, Some(format!("session:{}", far.session_id.0)));
    // The new session itself is not alerted, and its own sign-in reads as read.
    assert!(
        fx.gate
            .notices_after(fx.caller(&far.token), 0)
            .await
            .unwrap()
            .iter()
            .all(|n| n.session != Some(far.session_id))
    );
    assert_eq!(
        fx.gate.unread_notices(fx.caller(&far.token)).await.unwrap(),
        2,
        "the first sign-in's notice and the password chosen there"
    );
    let seen_there = fx.gate.list_notices(fx.caller(&far.token), 10).await.unwrap();
    let own: Vec<bool> = seen_there.iter().map(|n| n.from_this_session).collect();
    assert_eq!(own, vec![true, false, false], "its own sign-in, then the first session's password and sign-in");

    let admins = fx.gate.notices_after(fx.caller(&admin.token), admin_seen).await.unwrap();
    assert_eq!(admins.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), vec!["everyone.risky"]);
    assert!(admins[0].title.starts_with("bob@example.com signed in with a warning"));

    // The admin switches everyone's sign-ins off: Bob's next (ordinary) sign-in reaches the
    // admin only as a record, already read.
    fx.confirm(&admin).await;
    fx.gate.set_alert_setting(fx.caller(&admin.token), AlertKind::EveryoneSignIn, Delivery::Off).await.unwrap();
    let admin_seen = fx.gate.latest_notice_id(fx.caller(&admin.token)).await.unwrap();
    fx.advance(minutes(10));
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &at("cc-desktop", "175.16.199.1"), fx.now()).await.unwrap();
    let quiet = fx.gate.notices_after(fx.caller(&admin.token), admin_seen).await.unwrap();
    assert!(quiet.iter().all(|n| n.read_at.is_some() && !n.native), "{quiet:?}");
    let latest = fx.gate.notices_after(fx.caller(&far.token), 0).await.unwrap();
    assert_eq!(latest.last().map(|n| n.kind.as_str()), Some("sign_in.new"));
}

#[tokio::test]
async fn a_sign_in_told_to_several_admins_at_once_follows_each_ones_choice() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let carol = fx.user(&admin, "carol@example.com", Role::Admin, &at("carol-laptop", "10.0.0.2")).await;
    let dave = fx.user(&admin, "dave@example.com", Role::Admin, &at("dave-laptop", "10.0.0.3")).await;
    let erin = fx.user(&admin, "erin@example.com", Role::Admin, &at("erin-laptop", "10.0.0.4")).await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    for (who, delivery) in [(&carol, Delivery::Off), (&dave, Delivery::InApp)] {
        fx.confirm(who).await;
        fx.gate.set_alert_setting(fx.caller(&who.token), AlertKind::EveryoneSignIn, delivery).await.unwrap();
    }
    fx.confirm(&admin).await;
    fx.gate.set_user_disabled(fx.caller(&admin.token), erin.user.id, true).await.unwrap();
    let admins = [&admin, &carol, &dave];
    let mut seen = Vec::new();
    for who in admins {
        seen.push(fx.gate.latest_notice_id(fx.caller(&who.token)).await.unwrap());
    }
    let bob_seen = fx.gate.latest_notice_id(fx.caller(&bob.token)).await.unwrap();
    let before = fx.count_rows("notices").await;

    fx.advance(minutes(10));
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();

    assert_eq!(fx.count_rows("notices").await - before, 4, "Bob's own, and one for each enabled admin");
    let mut told = Vec::new();
    for (who, seen) in admins.iter().zip(seen) {
        let notices = fx.gate.notices_after(fx.caller(&who.token), seen).await.unwrap();
        assert_eq!(notices.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), vec!["everyone.sign_in"]);
        assert_eq!(notices[0].title, "bob@example.com signed in");
        told.push((notices[0].native, notices[0].read_at.is_some()));
    }
    // (native, already read): the default, switched off (a record), in-app only.
    assert_eq!(told, vec![(true, false), (false, true), (false, false)]);
    let bobs = fx.gate.notices_after(fx.caller(&bob.token), bob_seen).await.unwrap();
    assert_eq!(bobs.iter().map(|n| (n.kind.as_str(), n.native)).collect::<Vec<_>>(), vec![("sign_in.new", true)]);
}

#[tokio::test]
async fn a_failure_burst_alerts_the_owner_and_admins_once_per_window() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let seen = fx.gate.latest_notice_id(fx.caller(&bob.token)).await.unwrap();
    for _ in 0..7 {
        fx.advance(minutes(1));
        let _ =
            fx.gate.sign_in("bob@example.com", "not-his-password-1", &at("attacker", "89.160.20.112"), fx.now()).await;
    }
    let bobs = fx.gate.notices_after(fx.caller(&bob.token), seen).await.unwrap();
    assert_eq!(bobs.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), vec!["sign_in.failure_burst"]);
    assert!(bobs[0].body.contains("89.160.20.112"), "{}", bobs[0].body);
    let admins = fx.gate.list_notices(fx.caller(&admin.token), 50).await.unwrap();
    assert_eq!(admins.iter().filter(|n| n.kind == "everyone.risky.failure_burst").count(), 1);
}

#[tokio::test]
async fn this_wasnt_me_ends_the_reported_session_and_marks_the_sign_in() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let seen = fx.gate.latest_notice_id(fx.caller(&bob.token)).await.unwrap();
    let intruder = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &at("intruder", "89.160.20.112"), fx.now()).await;
    let intruder = intruder.unwrap().signed_in().unwrap();
    let alert = fx.gate.notices_after(fx.caller(&bob.token), seen).await.unwrap().remove(0);

    // Nobody else can use Bob's alert, and the intruder (who came later) can't throw Bob's
    // earlier session out with it.
    assert_eq!(code(fx.gate.disown_sign_in(fx.caller(&admin.token), alert.id).await), "not_found");
    let intruders_view = fx.gate.list_notices(fx.caller(&intruder.token), 10).await.unwrap();
    let about_bob = intruders_view.iter().find(|n| n.session == Some(bob.session_id)).unwrap();
    assert_eq!(code(fx.gate.disown_sign_in(fx.caller(&intruder.token), about_bob.id).await), "invalid_input");
    fx.gate.disown_sign_in(fx.caller(&bob.token), alert.id).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&intruder.token)).await), "session.signed_out");

    let attempts = all_attempts(&fx, &admin).await;
    let marked = attempts.iter().find(|a| a.session_id == Some(intruder.session_id)).unwrap();
    assert!(marked.disowned_at.is_some());
    let log = fx.gate.list_audit(fx.caller(&admin.token), 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "session.disowned"));
}

#[tokio::test]
async fn an_open_notifications_panel_does_not_keep_an_idle_session_alive() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    // The desktop app locks after 15 idle minutes; the panel refreshes itself meanwhile.
    for _ in 0..3 {
        fx.advance(minutes(4));
        fx.gate.list_notices(fx.caller(&admin.token), 50).await.unwrap();
        fx.gate.unread_notices(fx.caller(&admin.token)).await.unwrap();
    }
    fx.advance(minutes(4));
    assert_eq!(code(fx.gate.authenticate(fx.caller(&admin.token)).await), "session.locked");
}

#[tokio::test]
async fn only_a_later_sign_in_to_your_own_account_can_be_disowned() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.advance(minutes(1));
    let later = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let later = later.signed_in().unwrap();
    let disownable = |list: Vec<gatehouse_core::Notice>| -> Vec<(String, bool)> {
        list.into_iter().filter(|n| n.kind.starts_with("sign_in.")).map(|n| (n.kind, n.disownable)).collect()
    };
    // Bob's first session may disown the later sign-in; the later one may not disown the first.
    let seen_first = disownable(fx.gate.list_notices(fx.caller(&bob.token), 20).await.unwrap());
    assert_eq!(seen_first, vec![("sign_in.new".to_owned(), true), ("sign_in.new".to_owned(), false)]);
    let seen_later = disownable(fx.gate.list_notices(fx.caller(&later.token), 20).await.unwrap());
    assert_eq!(seen_later, vec![("sign_in.new".to_owned(), false), ("sign_in.new".to_owned(), false)]);
    let older = fx.gate.list_notices(fx.caller(&later.token), 20).await.unwrap();
    let older = older.iter().find(|n| n.session == Some(bob.session_id)).unwrap();
    assert_eq!(code(fx.gate.disown_sign_in(fx.caller(&later.token), older.id).await), "invalid_input");
    // The admin's copy ("everyone") is no sign-in of the admin's own.
    let admins = fx.gate.list_notices(fx.caller(&admin.token), 20).await.unwrap();
    assert!(admins.iter().all(|n| !n.disownable), "{admins:?}");
}
