//! Twenty tasks at once on one database: every check-then-act holds (exactly one winner,
//! exact counts), as it must when a server runs requests concurrently.

use std::future::Future;

use gatehouse_core::{AddressScope, Error, Gatehouse, NewAddress, NewWithdrawal, Policy, Role, SignInOutcome};

use crate::support::*;
use crate::two_factor::enroll;

const TASKS: usize = 20;

/// Runs `TASKS` copies of `task` (given the task's index) at once and returns their results.
async fn at_once<T, F, Fut>(task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let handles: Vec<_> = (0..TASKS).map(|i| tokio::spawn(task(i))).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

fn count_codes<T>(results: &[Result<T, Error>], wanted: &str) -> usize {
    results.iter().filter(|r| matches!(r, Err(err) if err.code() == wanted)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_are_counted_exactly_and_lock_exactly_once() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let policy = Policy { hard_lockout_threshold: 10, ..Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let guess = |gate: Gatehouse, now| async move {
        gate.sign_in("bob@example.com", "guess-guess-guess-1", &desktop(), now).await.map(drop)
    };

    // Twenty at the same instant: two free failures, the third earns a delay and every
    // other attempt is refused unchecked.
    let results = at_once(|_| guess(fx.gate.clone(), fx.now())).await;
    assert_eq!(count_codes(&results, "auth.invalid_credentials"), 3, "{results:?}");
    assert_eq!(count_codes(&results, "auth.throttled"), TASKS - 3, "{results:?}");

    // Bring the account to one failure short of the hard limit (10 here) …
    for _ in 3..9 {
        fx.advance(minutes(1) + std::time::Duration::from_secs(1));
        assert_eq!(code(guess(fx.gate.clone(), fx.now()).await), "auth.invalid_credentials");
    }
    // … then twenty at once: exactly one is checked and locks the account; admins hear once.
    fx.advance(minutes(1) + std::time::Duration::from_secs(1));
    let results = at_once(|_| guess(fx.gate.clone(), fx.now())).await;
    assert_eq!(count_codes(&results, "auth.invalid_credentials"), 1, "{results:?}");
    let locked = fx.gate.list_users(fx.caller(&admin.token)).await.unwrap();
    assert!(locked.iter().find(|u| u.email == "bob@example.com").unwrap().hard_locked);
    let notices = fx.gate.list_notices(fx.caller(&admin.token), 100).await.unwrap();
    assert_eq!(notices.iter().filter(|n| n.kind == "everyone.locked").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_codes_on_one_challenge_get_five_answers_at_most() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    enroll(&fx, &admin).await;
    let SignInOutcome::SecondFactorRequired(challenge) =
        fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap()
    else {
        panic!("2FA is on")
    };
    let results = at_once(|_| {
        let (gate, challenge, now) = (fx.gate.clone(), challenge.token.clone(), fx.now());
        async move { gate.complete_sign_in(&challenge, "000000", &terminal(), now).await.map(drop) }
    })
    .await;
    // Five answers are taken; of those the account's own delays refuse two unchecked.
    assert_eq!(count_codes(&results, "auth.challenge_expired"), TASKS - 5, "{results:?}");
    assert_eq!(count_codes(&results, "auth.invalid_code"), 3, "{results:?}");
    assert_eq!(count_codes(&results, "auth.throttled"), 2, "{results:?}");
}

/// `n` fresh sessions of `email` (CLI, the same terminal), each stepped up with `password`
/// when given.
async fn sessions(fx: &Fixture, email: &str, password: &str, n: usize) -> Vec<gatehouse_core::SessionToken> {
    let mut tokens = Vec::new();
    for _ in 0..n {
        tokens.push(fx.gate.sign_in(email, password, &terminal(), fx.now()).await.unwrap().signed_in().unwrap().token);
    }
    tokens
}

/// The first admin with 2FA on and `TASKS` sessions of theirs signed in with codes.
async fn admin_with_codes(fx: &Fixture) -> (String, Vec<String>, Vec<gatehouse_core::SessionToken>) {
    let admin = fx.admin().await;
    let (secret, codes) = enroll(fx, &admin).await;
    let mut tokens = Vec::new();
    for i in 0..TASKS {
        fx.advance(std::time::Duration::from_secs(30));
        let SignInOutcome::SecondFactorRequired(challenge) =
            fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap()
        else {
            panic!("2FA is on")
        };
        let code = crate::two_factor::oathtool(&secret, fx.now());
        let signed_in = fx.gate.complete_sign_in(&challenge.token, &code, &terminal(), fx.now()).await;
        tokens.push(signed_in.unwrap_or_else(|err| panic!("sign-in {i}: {err}")).token);
    }
    (secret, codes, tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_authenticator_code_confirms_once_however_many_sessions_try_it_at_once() {
    let fx = Fixture::new().await;
    let (secret, _, tokens) = admin_with_codes(&fx).await;
    fx.advance(std::time::Duration::from_secs(30));
    let code = crate::two_factor::oathtool(&secret, fx.now());
    let results = at_once(|i| {
        let (gate, token, code, now) = (fx.gate.clone(), tokens[i].clone(), code.clone(), fx.now());
        async move { gate.step_up(gatehouse_core::Caller { token: &token, now, ip: None }, &code).await }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert_eq!(count_codes(&results, "auth.invalid_code"), TASKS - 1, "{results:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_backup_code_is_spent_once_and_the_low_warning_counts_right() {
    let fx = Fixture::new().await;
    let (_, codes, tokens) = admin_with_codes(&fx).await;
    // Spend six of ten: four left, no warning yet.
    for code in &codes[..6] {
        fx.gate.step_up(fx.caller(&tokens[0]), code).await.unwrap();
    }
    let results = at_once(|i| {
        let (gate, token, code, now) = (fx.gate.clone(), tokens[i].clone(), codes[6].clone(), fx.now());
        async move { gate.step_up(gatehouse_core::Caller { token: &token, now, ip: None }, &code).await }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    let status = fx.gate.two_factor_status(fx.caller(&tokens[0]), None).await.unwrap();
    assert_eq!(status.backup_codes_left, 3);
    let notices = fx.gate.list_notices(fx.caller(&tokens[0]), 100).await.unwrap();
    let low: Vec<&str> =
        notices.iter().filter(|n| n.kind == "two_factor.backup_codes_low").map(|n| n.title.as_str()).collect();
    assert_eq!(low, ["3 backup code(s) left"]);
}

/// An admin with no cooling-off and approvals on, a finance user, and a usable shared address.
async fn book_with_approvals(fx: &Fixture) -> (gatehouse_core::SignedIn, gatehouse_core::SignedIn) {
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let policy = Policy { address_cooling_off_minutes: 0, withdrawals_need_approval: true, ..Policy::default() };
    fx.set_policy_now(&admin, &policy).await;
    let finn = fx.user(&admin, "finn@example.com", Role::Finance, &terminal()).await;
    (admin, finn)
}

fn shared(label: &str, address: &str) -> NewAddress {
    NewAddress {
        label: label.to_owned(),
        network: "bitcoin".to_owned(),
        address: address.to_owned(),
        memo: None,
        note: String::new(),
        scope: AddressScope::Shared,
        accept_lookalike: false,
    }
}

const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_address_added_at_once_is_saved_once() {
    let fx = Fixture::new().await;
    let (admin, _) = book_with_approvals(&fx).await;
    fx.confirm(&admin).await;
    let results = at_once(|i| {
        let (gate, token, now) = (fx.gate.clone(), admin.token.clone(), fx.now());
        async move {
            let caller = gatehouse_core::Caller { token: &token, now, ip: None };
            gate.add_address(caller, shared(&format!("Genesis {i}"), GENESIS)).await.map(drop)
        }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert_eq!(count_codes(&results, "address.duplicate"), TASKS - 1, "{results:?}");
    let book = fx.gate.list_addresses(fx.caller(&admin.token), &Default::default()).await.unwrap();
    assert_eq!(book.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_withdrawal_approved_by_twenty_at_once_is_decided_once() {
    let fx = Fixture::new().await;
    let (admin, _finn) = book_with_approvals(&fx).await;
    fx.confirm(&admin).await;
    let (saved, _) = fx.gate.add_address(fx.caller(&admin.token), shared("Cold", GENESIS)).await.unwrap();
    let request =
        NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "2".to_owned(), note: String::new() };
    let made = fx.gate.create_withdrawal(fx.caller(&admin.token), request).await.unwrap();
    let approvers = sessions(&fx, "finn@example.com", USER_PASSWORD, TASKS).await;
    for token in &approvers {
        fx.gate.step_up(fx.caller(token), USER_PASSWORD).await.unwrap();
    }
    let results = at_once(|i| {
        let (gate, token, now) = (fx.gate.clone(), approvers[i].clone(), fx.now());
        async move {
            let caller = gatehouse_core::Caller { token: &token, now, ip: None };
            gate.decide_withdrawal(caller, made.id, true, "ok").await.map(drop)
        }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert_eq!(count_codes(&results, "withdrawal.decided"), TASKS - 1, "{results:?}");
    let decided = fx.gate.list_notices(fx.caller(&admin.token), 100).await.unwrap();
    assert_eq!(decided.iter().filter(|n| n.kind == "withdrawal.approved").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_first_runs_at_once_make_one_administrator() {
    let fx = Fixture::new().await;
    let results = at_once(|i| {
        let (gate, now) = (fx.gate.clone(), fx.now());
        async move {
            let new = new_user(&format!("admin{i}@example.com"), "", Role::Admin, ADMIN_PASSWORD);
            gate.create_first_admin(new, &desktop(), now).await.map(drop)
        }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert_eq!(count_codes(&results, "setup.done"), TASKS - 1, "{results:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_made_while_their_address_moves_never_stay_pending_to_the_old_address() {
    let fx = Fixture::new().await;
    let (admin, _finn) = book_with_approvals(&fx).await;
    fx.confirm(&admin).await;
    let (saved, _) = fx.gate.add_address(fx.caller(&admin.token), shared("Cold", GENESIS)).await.unwrap();
    const MOVED_TO: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    // One task moves the entry (no cooling-off here, so it stays usable); the others
    // request withdrawals to it at the same moment.
    let results = at_once(|i| {
        let (gate, token, now, id) = (fx.gate.clone(), admin.token.clone(), fx.now(), saved.id);
        async move {
            let caller = gatehouse_core::Caller { token: &token, now, ip: None };
            if i == TASKS / 2 {
                let changes = gatehouse_core::AddressChanges {
                    label: "Cold".to_owned(),
                    address: MOVED_TO.to_owned(),
                    memo: None,
                    note: String::new(),
                    accept_lookalike: false,
                };
                return gate.edit_address(caller, id, changes).await.map(drop);
            }
            let request =
                NewWithdrawal { address: id, asset: "BTC".to_owned(), amount: "1".to_owned(), note: String::new() };
            gate.create_withdrawal(caller, request).await.map(drop)
        }
    })
    .await;
    let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(refused.iter().all(|err| err.code() == "address.changed"), "{refused:?}");
    let all = fx.gate.list_withdrawals(fx.caller(&admin.token), &Default::default()).await.unwrap();
    assert_eq!(all.len() + refused.len(), TASKS - 1, "every request was made or refused");
    for request in &all {
        let to_old = request.address == GENESIS;
        let pending = request.status == gatehouse_core::WithdrawalStatus::Pending;
        assert!(!(to_old && pending), "a pending request to the address the entry left: {request:?}");
    }
}
