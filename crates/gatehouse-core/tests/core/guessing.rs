//! Guessing must end: consecutive failures per account across lockout windows up to the
//! policy's hard limit (then only an admin unlocks), a per-session limit of wrong answers
//! to step-up and unlock, and sign-in failures that never block a signed-in owner.

use std::time::Duration;

use gatehouse_core::{Error, Policy, Role, SESSION_WRONG_ANSWERS_MAX, SignInOutcome, SignedIn};

use crate::support::*;
use crate::two_factor::{enroll, oathtool};

/// Admin notices of `kind`, newest first.
async fn notices_of(fx: &Fixture, who: &SignedIn, kind: &str) -> Vec<gatehouse_core::Notice> {
    let all = fx.gate.list_notices(fx.caller(&who.token), 500).await.unwrap();
    all.into_iter().filter(|n| n.kind == kind).collect()
}

#[tokio::test]
async fn someone_who_knows_the_password_gets_exactly_the_hard_limit_of_code_guesses() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let (secret, _) = enroll(&fx, &bob).await;
    let laptop = desktop();
    let bob_signs_in = || fx.gate.sign_in("bob@example.com", USER_PASSWORD, &laptop, fx.now());

    // The guesser has Bob's password and tries codes, waiting out every delay and lockout,
    // re-entering the password whenever a challenge runs out.
    let mut checked = 0;
    let refusal = 'guessing: loop {
        let challenge = match bob_signs_in().await {
            Ok(SignInOutcome::SecondFactorRequired(challenge)) => challenge.token,
            Ok(SignInOutcome::SignedIn(_)) => panic!("2FA is on"),
            Err(Error::Throttled { wait_seconds, .. }) => {
                fx.advance(Duration::from_secs(wait_seconds + 1));
                continue;
            }
            Err(other) => break 'guessing other,
        };
        loop {
            match fx.gate.complete_sign_in(&challenge, "000000", &desktop(), fx.now()).await {
                Err(Error::InvalidCode) => checked += 1,
                Err(Error::Throttled { wait_seconds, .. }) => fx.advance(Duration::from_secs(wait_seconds + 1)),
                Err(Error::ChallengeExpired) => continue 'guessing,
                Err(other) => break 'guessing other,
                Ok(_) => panic!("000000 was accepted"),
            }
        }
    };
    assert_eq!(refusal.code(), "auth.account_locked", "{refusal}");
    assert_eq!(checked, Policy::default().hard_lockout_threshold, "exactly the hard limit of codes was checked");
    assert!(fx.now().since(START) > Duration::from_secs(60 * 60), "lockouts came and went on the way");

    // Even the right password and a right code are refused now, however long one waits.
    fx.advance(Duration::from_secs(24 * 60 * 60));
    assert_eq!(code(bob_signs_in().await), "auth.account_locked");

    // Every admin was told, once (sessions idle this long have ended: sign in again).
    let admin = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let admins_notice = notices_of(&fx, &admin, "everyone.locked").await;
    assert_eq!(admins_notice.len(), 1);
    assert!(admins_notice[0].title.contains("bob@example.com"), "{}", admins_notice[0].title);
    // The user list says so; an admin's unlock lets Bob in again, and he was told too.
    let users = fx.gate.list_users(fx.caller(&admin.token)).await.unwrap();
    assert!(users.iter().find(|u| u.email == "bob@example.com").unwrap().hard_locked);
    fx.confirm(&admin).await;
    fx.gate.unlock_user(fx.caller(&admin.token), bob.user.id).await.unwrap();
    let SignInOutcome::SecondFactorRequired(challenge) = bob_signs_in().await.unwrap() else { panic!("2FA is on") };
    let bob =
        fx.gate.complete_sign_in(&challenge.token, &oathtool(&secret, fx.now()), &desktop(), fx.now()).await.unwrap();
    assert_eq!(notices_of(&fx, &bob, "sign_in.locked").await.len(), 1);
}

#[tokio::test]
async fn wrong_passwords_count_across_lockouts_and_only_a_success_resets_them() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let policy = Policy { lockout_threshold: 3, hard_lockout_threshold: 7, ..Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();
    let _carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;

    /// Fails once, waiting out whatever delay is due first.
    async fn fail_once(fx: &Fixture) -> &'static str {
        loop {
            match fx.gate.sign_in("carol@example.com", "guess-guess-guess-1", &desktop(), fx.now()).await {
                Err(Error::Throttled { wait_seconds, .. }) => fx.advance(Duration::from_secs(wait_seconds + 1)),
                other => return code(other),
            }
        }
    }
    for _ in 0..6 {
        assert_eq!(fail_once(&fx).await, "auth.invalid_credentials");
    }
    // A success resets the count: six more failures do not lock.
    fx.advance(minutes(16));
    fx.gate.sign_in("carol@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    for _ in 0..6 {
        assert_eq!(fail_once(&fx).await, "auth.invalid_credentials");
    }
    // The seventh in a row does.
    assert_eq!(fail_once(&fx).await, "auth.invalid_credentials");
    assert_eq!(fail_once(&fx).await, "auth.account_locked");
    fx.advance(Duration::from_secs(7 * 24 * 60 * 60));
    assert_eq!(
        code(fx.gate.sign_in("carol@example.com", USER_PASSWORD, &desktop(), fx.now()).await),
        "auth.account_locked"
    );
    // An unknown email locks the same way and gets the same answer.
    for _ in 0..7 {
        loop {
            match fx.gate.sign_in("ghost@example.com", "guess-guess-guess-1", &desktop(), fx.now()).await {
                Err(Error::Throttled { wait_seconds, .. }) => fx.advance(Duration::from_secs(wait_seconds + 1)),
                other => {
                    assert_eq!(code(other), "auth.invalid_credentials");
                    break;
                }
            }
        }
    }
    assert_eq!(
        code(fx.gate.sign_in("ghost@example.com", "guess-guess-guess-1", &desktop(), fx.now()).await),
        "auth.account_locked"
    );
}

#[tokio::test]
async fn the_hard_limit_is_at_most_one_hundred_and_no_lower_than_the_lockout_threshold() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    for hard in [101, 9] {
        let policy = Policy { hard_lockout_threshold: hard, ..Policy::default() };
        let refused = fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{hard}");
        assert!(refused.to_string().contains("between 10 and 100"), "{refused}");
    }
    assert_eq!(fx.gate.policy(fx.caller(&admin.token)).await.unwrap().hard_lockout_threshold, 100);
}

#[tokio::test]
async fn a_guesser_locking_the_email_out_cannot_stop_its_owner_stepping_up_or_unlocking() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    // Ten wrong sign-ins for the admin's email from elsewhere: sign-in is locked out.
    for _ in 0..10 {
        let _ = fx.gate.sign_in(ADMIN_EMAIL, "guess-guess-guess-1", &terminal(), fx.now()).await;
        fx.advance(Duration::from_secs(61));
    }
    assert_eq!(code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await), "auth.locked_out");
    // The admin's own session still steps up, locks and unlocks.
    fx.gate.step_up(fx.caller(&admin.token), ADMIN_PASSWORD).await.unwrap();
    fx.gate.lock(fx.caller(&admin.token)).await.unwrap();
    fx.gate.unlock(fx.caller(&admin.token), ADMIN_PASSWORD).await.unwrap();
    fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap();
}

#[tokio::test]
async fn five_wrong_step_up_answers_end_the_session_and_a_right_one_resets_the_count() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let caller = || fx.caller(&admin.token);
    for _ in 1..SESSION_WRONG_ANSWERS_MAX {
        assert_eq!(code(fx.gate.step_up(caller(), "not-my-password-1").await), "auth.wrong_password");
    }
    fx.gate.step_up(caller(), ADMIN_PASSWORD).await.unwrap();
    for _ in 1..SESSION_WRONG_ANSWERS_MAX {
        assert_eq!(code(fx.gate.step_up(caller(), "not-my-password-1").await), "auth.wrong_password");
    }
    let ended = fx.gate.step_up(caller(), "not-my-password-1").await.unwrap_err();
    assert_eq!(ended.code(), "session.ended_after_wrong_answers");
    assert!(ended.needs_sign_in());
    assert_eq!(code(fx.gate.authenticate(caller()).await), "session.signed_out");
    // The right password no longer helps that session; signing in again does (once the
    // delay that nine wrong answers on the account earned has passed).
    assert_eq!(code(fx.gate.step_up(caller(), ADMIN_PASSWORD).await), "session.signed_out");
    fx.advance(Duration::from_secs(61));
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap();
}

#[tokio::test]
async fn five_wrong_passwords_at_the_lock_screen_end_the_session() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    fx.gate.lock(fx.caller(&admin.token)).await.unwrap();
    for _ in 1..SESSION_WRONG_ANSWERS_MAX {
        assert_eq!(code(fx.gate.unlock(fx.caller(&admin.token), "not-my-password-1").await), "auth.wrong_password");
    }
    assert_eq!(
        code(fx.gate.unlock(fx.caller(&admin.token), "not-my-password-1").await),
        "session.ended_after_wrong_answers"
    );
    assert_eq!(code(fx.gate.unlock(fx.caller(&admin.token), ADMIN_PASSWORD).await), "session.signed_out");
    // Signing in again works (five recent failures are below the lockout threshold), and
    // the wrong answers were recorded.
    fx.advance(Duration::from_secs(61));
    let SignInOutcome::SecondFactorRequired(challenge) =
        fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap()
    else {
        panic!("2FA is on")
    };
    let admin =
        fx.gate.complete_sign_in(&challenge.token, &oathtool(&secret, fx.now()), &desktop(), fx.now()).await.unwrap();
    let attempts = all_attempts(&fx, &admin).await;
    assert_eq!(attempts.iter().filter(|a| a.reason == gatehouse_core::AttemptReason::ConfirmationFailed).count(), 5);
}
