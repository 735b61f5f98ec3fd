//! Twenty tasks at once on one database: every check-then-act holds (exactly one winner,
//! exact counts), as it must when a server runs requests concurrently.

use std::future::Future;

use gatehouse_core::{Error, Gatehouse, Policy, Role, SignInOutcome};

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
