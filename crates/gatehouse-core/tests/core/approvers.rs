//! A new approver (an admin or finance user an admin created, or whose password an admin
//! reset) counts as the second person only after the protection change delay, and every
//! other approver hears of them at once — so one admin can't approve through an account
//! whose password they chose.

use std::time::Duration;

use gatehouse_core::{AddressScope, NewAddress, NewWithdrawal, Policy, Role, SignedIn};

use crate::support::*;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

async fn approver_notices(fx: &Fixture, who: &SignedIn) -> Vec<String> {
    let notices = fx.gate.list_notices(fx.caller(&who.token), 50).await.unwrap();
    notices.into_iter().filter(|n| n.kind == "policy.weakened.approver").map(|n| n.title).collect()
}

#[tokio::test]
async fn a_new_approver_waits_the_protection_delay_and_every_other_approver_is_told() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let open = Policy { address_cooling_off_minutes: 0, withdrawals_need_approval: true, ..Policy::default() };
    fx.set_policy_now(&admin, &open).await;
    let finn = fx.user(&admin, "finn@example.com", Role::Finance, &terminal()).await;
    fx.confirm(&finn).await;
    let book = NewAddress {
        label: "Cold".to_owned(),
        network: "bitcoin".to_owned(),
        address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_owned(),
        memo: None,
        note: String::new(),
        scope: AddressScope::Shared,
        accept_lookalike: false,
    };
    let (saved, _) = fx.gate.add_address(fx.caller(&finn.token), book).await.unwrap();
    let ask = NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "1".to_owned(), note: String::new() };
    let request = fx.gate.create_withdrawal(fx.caller(&finn.token), ask).await.unwrap();
    fx.gate.step_up(fx.caller(&admin.token), ADMIN_PASSWORD).await.unwrap();
    let weaker = fx.gate.set_policy(fx.caller(&admin.token), &Policy { idle_lock_minutes: 60, ..open }).await.unwrap();
    let change = weaker.delayed[0].id;

    // The admin adds Grace, an admin, and signs in as her with the password they chose.
    let grace = fx.new_approver_or_member(&admin, "grace@example.com", Role::Admin, &terminal()).await;
    let from = grace.user.approves_from.expect("Grace waits");
    assert!(from > fx.now() && from <= fx.now().plus(DAY), "a day after she was added");
    fx.confirm(&grace).await;
    let refused = fx.gate.decide_withdrawal(fx.caller(&grace.token), request.id, true, "").await;
    assert_eq!(code(refused), "approver.new");
    assert_eq!(code(fx.gate.confirm_policy_change(fx.caller(&grace.token), change).await), "approver.new");
    // The other approvers heard at once; the admin who did it is not told of it.
    let told = approver_notices(&fx, &finn).await;
    assert!(told.contains(&format!("{ADMIN_EMAIL} added an approver: grace@example.com")), "{told:?}");
    assert!(approver_notices(&fx, &admin).await.is_empty());

    // A day later she is an approver like any other.
    fx.advance(DAY);
    let grace = fx.gate.sign_in("grace@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let grace = grace.signed_in().unwrap();
    fx.confirm(&grace).await;
    let decided = fx.gate.decide_withdrawal(fx.caller(&grace.token), request.id, true, "ok").await.unwrap();
    assert_eq!(decided.decided_by.as_deref(), Some("grace@example.com"));
}

#[tokio::test]
async fn an_admin_resetting_an_approvers_password_makes_them_wait_again() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let finn = fx.user(&admin, "finn@example.com", Role::Finance, &terminal()).await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.confirm(&admin).await;
    fx.gate.reset_user_password(fx.caller(&admin.token), bob.user.id, TEMPORARY_PASSWORD).await.unwrap();
    fx.gate.reset_user_password(fx.caller(&admin.token), finn.user.id, TEMPORARY_PASSWORD).await.unwrap();
    let users = fx.gate.list_users(fx.caller(&admin.token)).await.unwrap();
    let waits = |email: &str| users.iter().find(|u| u.email == email).unwrap().approves_from.is_some();
    // Finn is the very second person the wait protects; a member approves nothing.
    assert!(waits("finn@example.com"));
    assert!(!waits("bob@example.com"));
}

#[tokio::test]
async fn a_sole_admin_building_a_team_adds_approvers_who_count_at_once() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let finn = fx.new_approver_or_member(&admin, "finn@example.com", Role::Finance, &terminal()).await;
    assert_eq!(finn.user.approves_from, None, "nobody else approves yet: nobody to protect or tell");
    assert!(approver_notices(&fx, &finn).await.is_empty());
    // With Finn there, the next one waits.
    let grace = fx.new_approver_or_member(&admin, "grace@example.com", Role::Admin, &terminal()).await;
    assert!(grace.user.approves_from.is_some());
}
