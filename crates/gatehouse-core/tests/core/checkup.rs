//! The security checkup: each check flips with data and a moved clock, and its fix makes it
//! ok again; reviewing a flagged sign-in is recorded.

use std::time::Duration;

use gatehouse_core::{Check, CheckId, CheckStatus, Checkup, Role, SignedIn};

use crate::support::*;
use crate::two_factor::enroll;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

async fn checkup(fx: &Fixture, who: &SignedIn) -> Checkup {
    fx.gate.checkup(fx.caller(&who.token)).await.unwrap()
}

fn check(checkup: &Checkup, id: CheckId) -> &Check {
    checkup
        .personal
        .iter()
        .chain(&checkup.team)
        .find(|check| check.id == id)
        .unwrap_or_else(|| panic!("{id:?} missing"))
}

fn status(checkup: &Checkup, id: CheckId) -> CheckStatus {
    check(checkup, id).status
}

#[tokio::test]
async fn when_policy_requires_two_factor_it_needs_attention_until_enrolled_and_the_team_waits() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Admin, &terminal()).await;
    fx.gate.step_up(fx.caller(&admin.token), ADMIN_PASSWORD).await.unwrap();
    let policy = gatehouse_core::Policy { require_two_factor: true, ..gatehouse_core::Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();

    // Held to enrol, Bob may still read his checkup: 2FA needs attention (not at risk).
    let pending = checkup(&fx, &bob).await;
    assert_eq!(status(&pending, CheckId::TwoFactor), CheckStatus::NeedsAttention);
    // An admin held to enrol sees their own checks, not the team's, until enrolled.
    let carol_pending = checkup(&fx, &carol).await;
    assert_eq!(status(&carol_pending, CheckId::TwoFactor), CheckStatus::NeedsAttention);
    assert!(carol_pending.team.is_empty(), "{:?}", carol_pending.team);
    enroll(&fx, &carol).await;
    assert!(!checkup(&fx, &carol).await.team.is_empty());
    enroll(&fx, &bob).await;
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::TwoFactor), CheckStatus::Ok);
}

#[tokio::test]
async fn a_fresh_member_is_at_risk_without_two_factor_and_fine_after_enrolling() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let before = checkup(&fx, &bob).await;
    assert_eq!(status(&before, CheckId::TwoFactor), CheckStatus::AtRisk);
    assert!(before.team.is_empty(), "members see no team section");
    assert!(before.personal.iter().all(|check| check.id != CheckId::PendingApprovals), "nor approvals");
    assert!(before.personal.iter().all(|check| check.id != CheckId::BackupCodes), "no codes without 2FA");
    // The password Bob chose scores well and is new.
    assert_eq!(status(&before, CheckId::Password), CheckStatus::Ok);
    assert!(check(&before, CheckId::Password).count >= 3);
    // The admin's team section counts Bob among those without 2FA.
    let team = checkup(&fx, &admin).await;
    let without = check(&team, CheckId::TeamTwoFactor);
    assert!(without.items.iter().any(|item| item.label == "bob@example.com"), "{without:?}");

    let (_, codes) = enroll(&fx, &bob).await;
    let after = checkup(&fx, &bob).await;
    assert_eq!(status(&after, CheckId::TwoFactor), CheckStatus::Ok);
    assert_eq!(
        (status(&after, CheckId::BackupCodes), check(&after, CheckId::BackupCodes).count),
        (CheckStatus::Ok, 10)
    );
    let team = checkup(&fx, &admin).await;
    assert!(check(&team, CheckId::TeamTwoFactor).items.iter().all(|item| item.label != "bob@example.com"));

    // Spent down to three codes: needs attention; to none: at risk.
    for code in &codes[..7] {
        fx.gate.step_up(fx.caller(&bob.token), code).await.unwrap();
    }
    let low = checkup(&fx, &bob).await;
    assert_eq!(
        (status(&low, CheckId::BackupCodes), check(&low, CheckId::BackupCodes).count),
        (CheckStatus::NeedsAttention, 3)
    );
    for code in &codes[7..] {
        fx.gate.step_up(fx.caller(&bob.token), code).await.unwrap();
    }
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::BackupCodes), CheckStatus::AtRisk);
}

#[tokio::test]
async fn a_session_left_idle_for_31_days_is_listed_until_ended() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let old =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    assert_eq!(status(&checkup(&fx, &old).await, CheckId::StaleSessions), CheckStatus::Ok);
    fx.advance(DAY * 31);
    let fresh =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let found = checkup(&fx, &fresh).await;
    let stale = check(&found, CheckId::StaleSessions);
    assert_eq!(stale.status, CheckStatus::NeedsAttention);
    assert!(stale.items.iter().any(|item| item.id == old.session_id.0), "{stale:?}");
    assert!(stale.items.iter().all(|item| item.id != fresh.session_id.0));

    let ended = fx.gate.end_stale_sessions(fx.caller(&fresh.token)).await.unwrap();
    assert!(ended >= 1);
    assert_eq!(status(&checkup(&fx, &fresh).await, CheckId::StaleSessions), CheckStatus::Ok);
    assert_eq!(code(fx.gate.session_state(fx.caller(&old.token)).await), "session.signed_out");
}

#[tokio::test]
async fn a_device_unused_for_91_days_is_listed_but_never_the_current_one() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    fx.advance(DAY * 89);
    let bob =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::StaleDevices), CheckStatus::Ok, "89 days is fine");
    fx.advance(DAY * 2);
    let bob =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let found = checkup(&fx, &bob).await;
    let stale = check(&found, CheckId::StaleDevices);
    assert_eq!((stale.status, stale.count), (CheckStatus::NeedsAttention, 1));
    assert_eq!(stale.items[0].label, "laptop-0001-host");
}

#[tokio::test]
async fn a_flagged_sign_in_is_listed_until_reviewed_and_the_review_is_audited() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    // A second device is new: flagged.
    let other =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let found = checkup(&fx, &bob).await;
    let flagged = check(&found, CheckId::FlaggedSignIns);
    assert_eq!(flagged.status, CheckStatus::NeedsAttention);
    let attempt = flagged.items.iter().find(|item| item.label.contains("New device")).expect("the new-device sign-in");

    fx.gate.review_sign_in(fx.caller(&bob.token), gatehouse_core::ActivityId(attempt.id), true).await.unwrap();
    let after = checkup(&fx, &bob).await;
    assert!(check(&after, CheckId::FlaggedSignIns).items.iter().all(|item| item.id != attempt.id));
    fx.confirm(&admin).await;
    let audit = fx.gate.list_audit(fx.caller(&admin.token), 50).await.unwrap();
    assert!(audit.iter().any(|entry| entry.action == "sign_in.reviewed"), "{audit:?}");
    // "It was me" leaves the session alone; someone else's sign-in can't be reviewed.
    assert!(fx.gate.session_state(fx.caller(&other.token)).await.is_ok());
    let foreign = fx.gate.review_sign_in(fx.caller(&admin.token), gatehouse_core::ActivityId(attempt.id), true).await;
    assert_eq!(code(foreign), "not_found");

    // A month later it is no longer asked about.
    fx.advance(DAY * 31);
    let later =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    assert!(
        check(&checkup(&fx, &later).await, CheckId::FlaggedSignIns)
            .items
            .iter()
            .all(|item| item.at.unwrap() >= fx.now().minus(DAY * 30))
    );
}

#[tokio::test]
async fn this_wasnt_me_about_a_flagged_sign_in_ends_its_session() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let intruder =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let found = checkup(&fx, &bob).await;
    let attempt = check(&found, CheckId::FlaggedSignIns).items[0].id;
    fx.gate.review_sign_in(fx.caller(&bob.token), gatehouse_core::ActivityId(attempt), false).await.unwrap();
    assert_eq!(code(fx.gate.session_state(fx.caller(&intruder.token)).await), "session.signed_out");
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::FlaggedSignIns), CheckStatus::Ok);
    // The intruder can't use it the other way round against Bob's older session.
    let again =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let bobs_attempt = fx.gate.list_activity(fx.caller(&again.token), &Default::default()).await.unwrap();
    let first = bobs_attempt.iter().find(|a| a.session_id == Some(bob.session_id)).unwrap().id;
    assert_eq!(code(fx.gate.review_sign_in(fx.caller(&again.token), first, false).await), "invalid_input");
}

#[tokio::test]
async fn admins_see_the_team_and_finance_sees_waiting_approvals() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let found = checkup(&fx, &admin).await;
    for id in [
        CheckId::TeamTwoFactor,
        CheckId::TeamLockedAccounts,
        CheckId::TeamDisabledWithSessions,
        CheckId::TeamPendingWeakening,
        CheckId::TeamGeoIp,
        CheckId::TeamAuditLog,
    ] {
        check(&found, id);
    }
    // No GeoIP database in tests: locations show "Unknown".
    assert_eq!(status(&found, CheckId::TeamGeoIp), CheckStatus::NeedsAttention);
    let audit = check(&found, CheckId::TeamAuditLog);
    assert!(audit.count >= 2 && audit.items.len() == 1, "{audit:?}");
    // Disabling Carol ends her sessions; one left open (written straight into the database,
    // as an older version could leave it) is listed.
    fx.confirm(&admin).await;
    fx.gate.set_user_disabled(fx.caller(&admin.token), carol.user.id, true).await.unwrap();
    assert_eq!(status(&checkup(&fx, &admin).await, CheckId::TeamDisabledWithSessions), CheckStatus::Ok);
    fx.execute_raw("UPDATE sessions SET ended_at = NULL WHERE user_id = $1", carol.user.id.0).await;
    let left_open = checkup(&fx, &admin).await;
    let disabled = check(&left_open, CheckId::TeamDisabledWithSessions);
    assert_eq!((disabled.status, disabled.items[0].label.as_str()), (CheckStatus::NeedsAttention, "carol@example.com"));
    fx.execute_raw("UPDATE sessions SET ended_at = 1 WHERE user_id = $1", carol.user.id.0).await;
    // A change weakening protection waits its delay: listed, with its values.
    fx.confirm(&admin).await;
    let mut weaker = fx.gate.policy(fx.caller(&admin.token)).await.unwrap();
    weaker.session_idle_minutes += 60;
    let update = fx.gate.set_policy(fx.caller(&admin.token), &weaker).await.unwrap();
    assert_eq!(update.delayed.len(), 1);
    let waiting = checkup(&fx, &admin).await;
    let pending = check(&waiting, CheckId::TeamPendingWeakening);
    assert_eq!(
        (pending.status, pending.items[0].label.as_str()),
        (CheckStatus::NeedsAttention, "session_idle_minutes")
    );
    assert_eq!(pending.items[0].detail, "720 → 780");
    // Finance sees approvals; nothing waits.
    fx.confirm(&admin).await;
    fx.gate.set_user_disabled(fx.caller(&admin.token), carol.user.id, false).await.unwrap();
    let carol =
        fx.gate.sign_in("carol@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let hers = checkup(&fx, &carol).await;
    assert_eq!(status(&hers, CheckId::PendingApprovals), CheckStatus::Ok);
    assert!(hers.team.is_empty());
    assert_eq!(hers.attention(), hers.personal.iter().filter(|c| c.status != CheckStatus::Ok).count());
}

#[tokio::test]
async fn an_old_password_and_quiet_security_alerts_need_attention_until_fixed() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    // A year and a day later (signed in again): the password is old.
    fx.advance(DAY * 366);
    let bob = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    let old = checkup(&fx, &bob).await;
    let password = check(&old, CheckId::Password);
    assert_eq!(
        (password.status, password.items[0].detail.as_str()),
        (CheckStatus::NeedsAttention, "not changed for over a year")
    );
    fx.gate.change_password(fx.caller(&bob.token), USER_PASSWORD, "a-brand-new-lantern-42").await.unwrap();
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::Password), CheckStatus::Ok);

    // A sign-in with a warning told in the app only: needs attention, and says which.
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::AlertSettings), CheckStatus::Ok);
    let bob = fx.gate.sign_in("bob@example.com", "a-brand-new-lantern-42", &terminal(), fx.now()).await.unwrap();
    let bob = bob.signed_in().unwrap();
    fx.gate.step_up(fx.caller(&bob.token), "a-brand-new-lantern-42").await.unwrap();
    let risky = gatehouse_core::AlertKind::RiskySignIn;
    fx.gate.set_alert_setting(fx.caller(&bob.token), risky, gatehouse_core::Delivery::InApp).await.unwrap();
    let quiet = checkup(&fx, &bob).await;
    let alerts = check(&quiet, CheckId::AlertSettings);
    assert_eq!((alerts.status, alerts.items[0].detail.as_str()), (CheckStatus::NeedsAttention, risky.as_str()));
    fx.gate.set_alert_setting(fx.caller(&bob.token), risky, gatehouse_core::Delivery::Native).await.unwrap();
    assert_eq!(status(&checkup(&fx, &bob).await, CheckId::AlertSettings), CheckStatus::Ok);
}

#[tokio::test]
async fn approvers_see_requests_waiting_and_addresses_unused_for_half_a_year_and_admins_locked_accounts() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let open = gatehouse_core::Policy {
        address_cooling_off_minutes: 0,
        withdrawals_need_approval: true,
        ..gatehouse_core::Policy::default()
    };
    fx.set_policy_now(&admin, &open).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.confirm(&admin).await;
    let book = gatehouse_core::NewAddress {
        label: "Cold".to_owned(),
        network: "bitcoin".to_owned(),
        address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_owned(),
        memo: None,
        note: String::new(),
        scope: gatehouse_core::AddressScope::Shared,
        accept_lookalike: false,
    };
    let (saved, _) = fx.gate.add_address(fx.caller(&admin.token), book).await.unwrap();
    assert_eq!(status(&checkup(&fx, &carol).await, CheckId::PendingApprovals), CheckStatus::Ok);
    let ask = gatehouse_core::NewWithdrawal {
        address: saved.id,
        asset: "BTC".to_owned(),
        amount: "1".to_owned(),
        note: String::new(),
    };
    let asked = fx.gate.create_withdrawal(fx.caller(&admin.token), ask).await.unwrap();
    let waiting = checkup(&fx, &carol).await;
    let approvals = check(&waiting, CheckId::PendingApprovals);
    assert_eq!(
        (approvals.status, approvals.count, approvals.items[0].id),
        (CheckStatus::NeedsAttention, 1, asked.id.0)
    );
    // Not for the one who asked: they can't approve it.
    assert_eq!(status(&checkup(&fx, &admin).await, CheckId::PendingApprovals), CheckStatus::Ok);

    // Half a year and a day on, the address was last used when the request was made.
    assert_eq!(status(&checkup(&fx, &carol).await, CheckId::StaleAddresses), CheckStatus::Ok);
    fx.advance(DAY * 181);
    let carol = fx.gate.sign_in("carol@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let carol = carol.signed_in().unwrap();
    let unused = checkup(&fx, &carol).await;
    let stale = check(&unused, CheckId::StaleAddresses);
    assert_eq!((stale.status, stale.items[0].label.as_str()), (CheckStatus::NeedsAttention, "Cold"));

    // Bob locked out by wrong passwords shows in the admin's team section.
    let admin = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    assert_eq!(status(&checkup(&fx, &admin).await, CheckId::TeamLockedAccounts), CheckStatus::Ok);
    for _ in 0..open.lockout_threshold {
        fx.advance(minutes(1) + Duration::from_secs(1));
        let _ = fx.gate.sign_in("bob@example.com", "not-bobs-password-1", &desktop(), fx.now()).await;
    }
    let admin_now = fx.gate.authenticate(fx.caller(&admin.token)).await;
    assert!(admin_now.is_ok(), "{admin_now:?}");
    let locked = checkup(&fx, &admin).await;
    let team = check(&locked, CheckId::TeamLockedAccounts);
    assert_eq!((team.status, team.items[0].label.as_str()), (CheckStatus::NeedsAttention, "bob@example.com"));
}
