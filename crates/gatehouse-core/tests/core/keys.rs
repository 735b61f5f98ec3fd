//! The data key: made once on first use (even when two processes need it at once), never
//! silently replaced once secrets are sealed with it, and an administrator's way out when it
//! is lost.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use gatehouse_core::{OpenOptions, Role, SignInOutcome};

use crate::support::*;
use crate::two_factor::{enroll, oathtool};

async fn with_entry() -> (Fixture, Arc<SharedKeychainEntry>) {
    let entry = Arc::new(SharedKeychainEntry::default());
    let fx = Fixture::with_options(OpenOptions { data_key: Some(entry.clone()), ..Default::default() }).await;
    (fx, entry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_key_is_made_once_when_two_processes_need_it_at_once() {
    let (fx, entry) = with_entry().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    // A second process on the same database file and keychain entry (the CLI beside the app).
    let options = OpenOptions { data_key: Some(entry.clone()), ..Default::default() };
    let cli = fx.reopen(options).await;
    fx.confirm(&admin).await;
    fx.confirm(&bob).await;
    let (app_side, cli_side) = tokio::join!(
        fx.gate.begin_two_factor_enrollment(fx.caller(&admin.token)),
        cli.begin_two_factor_enrollment(fx.caller(&bob.token)),
    );
    let (app_side, cli_side) = (app_side.unwrap(), cli_side.unwrap());
    assert_eq!(entry.stores.load(Ordering::SeqCst), 1, "one key, not one per process");
    // Both secrets were sealed with that one key: both enrolments complete.
    fx.gate
        .confirm_two_factor_enrollment(fx.caller(&admin.token), &oathtool(&app_side.secret, fx.now()))
        .await
        .unwrap();
    cli.confirm_two_factor_enrollment(fx.caller(&bob.token), &oathtool(&cli_side.secret, fx.now())).await.unwrap();
}

#[tokio::test]
async fn a_lost_key_is_never_silently_replaced_and_an_admin_recovers_everyone() {
    let (fx, entry) = with_entry().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    enroll(&fx, &admin).await;
    enroll(&fx, &bob).await;
    entry.lose();

    // Signing in with 2FA now fails, clearly, and no new key appears behind anyone's back.
    let SignInOutcome::SecondFactorRequired(challenge) =
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap()
    else {
        panic!("2FA is on")
    };
    let missing = fx.gate.complete_sign_in(&challenge.token, "123456", &desktop(), fx.now()).await.unwrap_err();
    assert_eq!(missing.code(), "2fa.key_missing");
    let message = missing.to_string();
    assert!(message.contains("Restore the keychain entry") && message.contains("recover-lost-key"), "{message}");
    assert!(!entry.holds_a_key());
    assert_eq!(code(fx.gate.begin_two_factor_enrollment(fx.caller(&admin.token)).await), "2fa.already_on");

    // The way out: an administrator's email and password (no session needed).
    let recover = |email: &'static str, password: &'static str| {
        let (gate, now) = (fx.gate.clone(), fx.now());
        async move { gate.recover_lost_data_key(email, password, &terminal(), now).await }
    };
    assert_eq!(code(recover(ADMIN_EMAIL, "not-my-password-1").await), "auth.invalid_credentials");
    assert_eq!(code(recover("bob@example.com", USER_PASSWORD).await), "forbidden");
    assert_eq!(recover(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap(), 2);
    assert!(entry.holds_a_key(), "a new key");
    // Everyone signs in with the password alone, was told, and can enrol again.
    assert_eq!(code(fx.gate.authenticate(fx.caller(&bob.token)).await), "session.signed_out");
    let bob = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    let bob = bob.signed_in().expect("2FA is off now");
    let notices = fx.gate.list_notices(fx.caller(&bob.token), 20).await.unwrap();
    let reset = notices.iter().find(|n| n.kind == "two_factor.off.reset").expect("told");
    assert!(reset.body.contains("turned off everyone's two-factor authentication."), "{}", reset.body);
    assert!(!reset.body.contains(['\\', '\n']) && !reset.body.contains("  "), "one plain sentence: {:?}", reset.body);
    enroll(&fx, &bob).await;
    let admin = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let audit = fx.gate.list_audit(fx.caller(&admin.token), 20).await.unwrap();
    let recovered = audit.iter().find(|e| e.action == "2fa.recovered_lost_key").unwrap();
    assert!(recovered.detail.starts_with(ADMIN_EMAIL), "{}", recovered.detail);
    // With a working key there is nothing to recover.
    assert_eq!(code(recover(ADMIN_EMAIL, ADMIN_PASSWORD).await), "invalid_input");
}
