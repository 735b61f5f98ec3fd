//! Changing the policy: what strengthens applies at once; what weakens alerts every admin and
//! finance user and waits the protection change delay, unless a second admin confirms it;
//! any admin can cancel it meanwhile.

use std::time::Duration;

use gatehouse_core::{Policy, Role, SignedIn};

use crate::support::*;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Kinds of `who`'s notices.
async fn notice_kinds(fx: &Fixture, who: &SignedIn) -> Vec<String> {
    fx.gate.list_notices(fx.caller(&who.token), 100).await.unwrap().into_iter().map(|n| n.kind).collect()
}

/// The admin, another admin, a finance user and a member.
async fn team(fx: &Fixture) -> (SignedIn, SignedIn, SignedIn, SignedIn) {
    let admin = fx.admin().await;
    let grace = fx.user(&admin, "grace@example.com", Role::Admin, &terminal()).await;
    let finn = fx.user(&admin, "finn@example.com", Role::Finance, &terminal()).await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    (admin, grace, finn, bob)
}

#[tokio::test]
async fn weakening_changes_wait_a_day_and_alert_admins_and_finance_while_the_rest_apply_at_once() {
    let fx = Fixture::new().await;
    let (admin, grace, finn, bob) = team(&fx).await;
    let start = Policy { withdrawals_need_approval: true, address_cooling_off_minutes: 2_880, ..Policy::default() };
    fx.confirm(&admin).await;
    let update = fx.gate.set_policy(fx.caller(&admin.token), &start).await.unwrap();
    assert!(update.delayed.is_empty(), "approval on and a longer cooling-off strengthen: {:?}", update.delayed);
    assert_eq!(update.policy, start);
    assert!(!notice_kinds(&fx, &grace).await.contains(&"policy.weakened".to_owned()));

    // Approval off and no cooling-off weaken; a shorter idle lock strengthens.
    let wanted = Policy {
        withdrawals_need_approval: false,
        address_cooling_off_minutes: 0,
        idle_lock_minutes: 5,
        ..start.clone()
    };
    let update = fx.gate.set_policy(fx.caller(&admin.token), &wanted).await.unwrap();
    assert_eq!(update.policy, Policy { idle_lock_minutes: 5, ..start.clone() });
    let delayed: Vec<(&str, u32, u32)> = update.delayed.iter().map(|c| (c.setting, c.from, c.to)).collect();
    assert_eq!(delayed, vec![("address_cooling_off_minutes", 2_880, 0), ("withdrawals_need_approval", 1, 0)]);
    assert!(update.delayed.iter().all(|c| c.effective_at == fx.now().plus(DAY) && c.proposed_by == ADMIN_EMAIL));
    assert_eq!(fx.gate.pending_policy_changes(fx.caller(&grace.token)).await.unwrap(), update.delayed);

    // Every admin and finance user hears at once; members don't.
    for who in [&grace, &finn] {
        let notices = fx.gate.list_notices(fx.caller(&who.token), 100).await.unwrap();
        let alert = notices.iter().find(|n| n.kind == "policy.weakened").expect("alerted");
        assert!(alert.native, "{alert:?}");
        assert!(alert.body.contains("Withdrawals need approval: on → off"), "{}", alert.body);
    }
    assert!(!notice_kinds(&fx, &bob).await.contains(&"policy.weakened".to_owned()));

    // A moment before the day is out nothing has changed; once it is, the next read applies it.
    fx.advance(DAY - Duration::from_secs(60));
    let later = fx.gate.sign_in("grace@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let later = later.signed_in().unwrap();
    assert!(fx.gate.policy(fx.caller(&later.token)).await.unwrap().withdrawals_need_approval);
    fx.advance(Duration::from_secs(61));
    let in_force = fx.gate.policy(fx.caller(&later.token)).await.unwrap();
    assert_eq!(in_force, wanted);
    assert!(fx.gate.pending_policy_changes(fx.caller(&later.token)).await.unwrap().is_empty());
    let audit = fx.gate.list_audit(fx.caller(&later.token), 10).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "policy.change_applied").count(), 2);
}

#[tokio::test]
async fn a_second_admin_confirms_a_weakening_change_at_once_and_the_proposer_cannot() {
    let fx = Fixture::new().await;
    let (admin, grace, finn, _) = team(&fx).await;
    fx.confirm(&admin).await;
    let wanted = Policy { require_two_factor: false, step_up_minutes: 30, ..Policy::default() };
    let update = fx.gate.set_policy(fx.caller(&admin.token), &wanted).await.unwrap();
    assert_eq!(update.delayed.len(), 1, "a longer step-up window weakens");
    let change = update.delayed[0].id;

    assert_eq!(
        code(fx.gate.confirm_policy_change(fx.caller(&admin.token), change).await),
        "policy.second_admin_required"
    );
    assert_eq!(code(fx.gate.confirm_policy_change(fx.caller(&finn.token), change).await), "forbidden");
    fx.advance(Duration::from_secs(11 * 60));
    assert_eq!(code(fx.gate.confirm_policy_change(fx.caller(&grace.token), change).await), "auth.step_up_required");
    fx.confirm(&grace).await;
    let in_force = fx.gate.confirm_policy_change(fx.caller(&grace.token), change).await.unwrap();
    assert_eq!(in_force.step_up_minutes, 30);
    assert_eq!(fx.gate.policy(fx.caller(&admin.token)).await.unwrap().step_up_minutes, 30);
    // Once decided it is gone.
    assert_eq!(code(fx.gate.confirm_policy_change(fx.caller(&grace.token), change).await), "not_found");
    let audit = fx.gate.list_audit(fx.caller(&grace.token), 5).await.unwrap();
    assert_eq!(audit[0].action, "policy.change_confirmed");
    assert_eq!(audit[0].actor_email.as_deref(), Some("grace@example.com"));
}

#[tokio::test]
async fn any_admin_can_cancel_a_pending_change_and_it_never_applies() {
    let fx = Fixture::new().await;
    let (admin, grace, finn, _) = team(&fx).await;
    fx.confirm(&admin).await;
    let wanted = Policy { lockout_threshold: 50, ..Policy::default() };
    let change = fx.gate.set_policy(fx.caller(&admin.token), &wanted).await.unwrap().delayed[0].id;
    assert_eq!(code(fx.gate.cancel_policy_change(fx.caller(&finn.token), change).await), "forbidden");
    fx.gate.cancel_policy_change(fx.caller(&grace.token), change).await.unwrap();
    assert!(fx.gate.pending_policy_changes(fx.caller(&admin.token)).await.unwrap().is_empty());
    fx.advance(DAY * 2);
    let admin = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    assert_eq!(fx.gate.policy(fx.caller(&admin.token)).await.unwrap().lockout_threshold, 10);
}

#[tokio::test]
async fn every_setting_knows_which_way_weakens_and_the_delay_guards_itself() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let base = Policy::default();
    let weaker: Vec<(&str, Policy)> = vec![
        ("session_idle_minutes", Policy { session_idle_minutes: 1_000, ..base.clone() }),
        ("session_absolute_minutes", Policy { session_absolute_minutes: 20_000, ..base.clone() }),
        ("idle_lock_minutes", Policy { idle_lock_minutes: 0, ..base.clone() }),
        ("idle_lock_minutes", Policy { idle_lock_minutes: 60, ..base.clone() }),
        ("lockout_threshold", Policy { lockout_threshold: 20, ..base.clone() }),
        ("lockout_minutes", Policy { lockout_minutes: 5, ..base.clone() }),
        ("ip_lockout_threshold", Policy { ip_lockout_threshold: 500, ..base.clone() }),
        ("step_up_minutes", Policy { step_up_minutes: 60, ..base.clone() }),
        ("address_cooling_off_minutes", Policy { address_cooling_off_minutes: 10, ..base.clone() }),
        ("failure_burst_threshold", Policy { failure_burst_threshold: 50, ..base.clone() }),
        ("failure_burst_minutes", Policy { failure_burst_minutes: 5, ..base.clone() }),
        ("new_place_days", Policy { new_place_days: 365, ..base.clone() }),
        ("impossible_travel_kmh", Policy { impossible_travel_kmh: 5_000, ..base.clone() }),
        ("protection_change_delay_minutes", Policy { protection_change_delay_minutes: 0, ..base.clone() }),
    ];
    let stronger = Policy {
        session_idle_minutes: 60,
        idle_lock_minutes: 5,
        lockout_threshold: 5,
        lockout_minutes: 60,
        hard_lockout_threshold: 50,
        require_two_factor: false,
        step_up_minutes: 5,
        withdrawals_need_approval: true,
        failure_burst_threshold: 3,
        new_place_days: 30,
        protection_change_delay_minutes: 2 * 24 * 60,
        ..base.clone()
    };
    for (setting, wanted) in weaker {
        fx.confirm(&admin).await;
        let update = fx.gate.set_policy(fx.caller(&admin.token), &wanted).await.unwrap();
        let delayed: Vec<&str> = update.delayed.iter().map(|c| c.setting).collect();
        assert_eq!(delayed, vec![setting]);
        assert_eq!(update.policy, base, "{setting} waits");
        fx.gate.cancel_policy_change(fx.caller(&admin.token), update.delayed[0].id).await.unwrap();
    }
    fx.confirm(&admin).await;
    let update = fx.gate.set_policy(fx.caller(&admin.token), &stronger).await.unwrap();
    assert!(update.delayed.is_empty(), "{:?}", update.delayed);
    assert_eq!(update.policy, stronger);
}

#[tokio::test]
async fn with_no_delay_a_weakening_change_applies_at_once_and_still_alerts() {
    let fx = Fixture::new().await;
    let (admin, grace, _, _) = team(&fx).await;
    fx.confirm(&admin).await;
    let no_delay = Policy { protection_change_delay_minutes: 0, ..Policy::default() };
    fx.set_policy_now(&admin, &no_delay).await;
    let update =
        fx.gate.set_policy(fx.caller(&admin.token), &Policy { address_cooling_off_minutes: 0, ..no_delay }).await;
    let update = update.unwrap();
    assert!(update.delayed.is_empty());
    assert_eq!(update.policy.address_cooling_off_minutes, 0);
    let alerts: Vec<_> = fx
        .gate
        .list_notices(fx.caller(&grace.token), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == "policy.weakened" && n.body.contains("Address cooling-off: 1440 → 0 now"))
        .collect();
    assert_eq!(alerts.len(), 1);
}
