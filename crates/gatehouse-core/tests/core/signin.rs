use gatehouse_core::{AttemptReason, Error, Gatehouse, OpenOptions, PasswordHasher, Policy, Role};

use crate::support::*;

#[tokio::test]
async fn first_admin_is_created_once_and_signed_in() {
    let fx = Fixture::new().await;
    assert!(!fx.gate.is_set_up().await.unwrap());
    assert_eq!(code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await), "setup.required");

    let admin = fx.admin().await;
    assert_eq!(admin.user.email, ADMIN_EMAIL);
    assert_eq!(admin.user.role, Role::Admin);
    assert!(fx.gate.is_set_up().await.unwrap());
    let me = fx.gate.authenticate(fx.caller(&admin.token)).await.unwrap();
    assert_eq!(me.session_id, admin.session_id);

    let again = new_user("eve@example.com", "Eve", Role::Admin, ADMIN_PASSWORD);
    assert_eq!(code(fx.gate.create_first_admin(again, &desktop(), fx.now()).await), "setup.done");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let wrong_password = fx.gate.sign_in(ADMIN_EMAIL, "not-the-password-1", &desktop(), fx.now()).await.unwrap_err();
    let unknown_email = fx.gate.sign_in("nobody@example.com", ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap_err();
    assert_eq!(wrong_password.code(), "auth.invalid_credentials");
    assert_eq!(wrong_password.code(), unknown_email.code());
    assert_eq!(wrong_password.to_string(), unknown_email.to_string());

    // Both are recorded, with the true reason, for admins to read.
    let attempts = all_attempts(&fx, &admin).await;
    let reasons: Vec<_> = attempts.iter().map(|a| (a.email.as_str(), a.reason)).collect();
    assert!(reasons.contains(&(ADMIN_EMAIL, AttemptReason::WrongPassword)), "{reasons:?}");
    assert!(reasons.contains(&("nobody@example.com", AttemptReason::UnknownAccount)), "{reasons:?}");
}

/// Drives `n` failures for `email` at the current instant and returns each refusal's code.
async fn fail_times(fx: &Fixture, email: &str, n: usize) -> Vec<&'static str> {
    let mut codes = Vec::new();
    for _ in 0..n {
        let result = fx.gate.sign_in(email, "guess-guess-guess-1", &desktop(), fx.now()).await;
        codes.push(code(result));
    }
    codes
}

#[tokio::test]
async fn repeated_failures_slow_down_and_then_lock_out_until_an_admin_unlocks() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;

    // Three failures are free; the third sets a one-second delay.
    assert_eq!(fail_times(&fx, "bob@example.com", 3).await, vec!["auth.invalid_credentials"; 3]);
    // Now each failure doubles the wait; attempts inside the wait are refused unchecked.
    let refused = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap_err();
    assert_eq!(refused.code(), "auth.throttled", "{refused}");
    assert!(refused.retry_after_seconds().unwrap() >= 1);

    // Keep failing, always after the wait, until the lockout threshold (10).
    for _ in 3..10 {
        fx.advance(minutes(1) + std::time::Duration::from_secs(1));
        let result = fx.gate.sign_in("bob@example.com", "guess-guess-guess-1", &terminal(), fx.now()).await;
        assert_eq!(code(result), "auth.invalid_credentials");
    }
    let locked = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap_err();
    assert!(matches!(locked, Error::Throttled { locked: true, wait_seconds } if wait_seconds > 14 * 60), "{locked:?}");
    assert!(locked.to_string().contains("15 minutes"), "{locked}");

    // The user list shows the lockout; an admin lifts it and the right password works again.
    let admin_caller = fx.caller(&admin.token);
    let users = fx.gate.list_users(admin_caller).await.unwrap();
    let listed = users.iter().find(|u| u.email == "bob@example.com").unwrap();
    assert!(listed.locked_until.is_some());
    fx.gate.unlock_user(admin_caller, bob.user.id).await.unwrap();
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();

    let reasons: Vec<_> = all_attempts(&fx, &admin).await.iter().map(|a| a.reason).collect();
    assert!(reasons.contains(&AttemptReason::Throttled));
    assert!(reasons.contains(&AttemptReason::LockedOut));
}

#[tokio::test]
async fn a_lockout_expires_on_its_own() {
    let fx = Fixture::new().await;
    let _admin = fx.admin().await;
    for _ in 0..10 {
        let _ = fx.gate.sign_in(ADMIN_EMAIL, "guess-guess-guess-1", &terminal(), fx.now()).await;
        fx.advance(minutes(1) + std::time::Duration::from_secs(1));
    }
    assert_eq!(code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await), "auth.locked_out");
    fx.advance(minutes(15));
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
}

#[tokio::test]
async fn unknown_emails_are_throttled_exactly_like_real_ones() {
    let fx = Fixture::new().await;
    let _admin = fx.admin().await;
    let mut real = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..14 {
        real.push(code(fx.gate.sign_in(ADMIN_EMAIL, "guess-guess-guess-1", &terminal(), fx.now()).await));
        unknown.push(code(fx.gate.sign_in("ghost@example.com", "guess-guess-guess-1", &terminal(), fx.now()).await));
        fx.advance(std::time::Duration::from_secs(30));
    }
    assert_eq!(real, unknown);
    assert!(real.contains(&"auth.locked_out"), "{real:?}");
}

#[tokio::test]
async fn one_address_failing_across_accounts_is_locked_out() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let policy = Policy { ip_lockout_threshold: 5, ..Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();
    let attacker = origin(
        "attacker-9999",
        gatehouse_core::DeviceKind::Desktop,
        gatehouse_core::ClientKind::Cli,
        Some("81.2.69.142"),
    );
    for n in 0..5 {
        let email = format!("user{n}@example.com");
        assert_eq!(
            code(fx.gate.sign_in(&email, "guess-guess-guess-1", &attacker, fx.now()).await),
            "auth.invalid_credentials"
        );
    }
    let refused = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &attacker, fx.now()).await;
    assert_eq!(code(refused), "auth.locked_out");
    // Another address is not affected.
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
}

#[tokio::test]
async fn a_disabled_account_is_only_named_after_the_right_password() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    fx.gate.set_user_disabled(fx.caller(&admin.token), carol.user.id, true).await.unwrap();
    assert_eq!(
        code(fx.gate.sign_in("carol@example.com", "guess-guess-guess-1", &terminal(), fx.now()).await),
        "auth.invalid_credentials"
    );
    assert_eq!(
        code(fx.gate.sign_in("carol@example.com", USER_PASSWORD, &terminal(), fx.now()).await),
        "auth.account_disabled"
    );
}

#[tokio::test]
async fn sign_in_rehashes_when_the_hash_parameters_change() {
    let dir = tempfile::tempdir().unwrap();
    let weak = OpenOptions { hasher: Some(PasswordHasher::new(8 * 1024, 1, 1).unwrap()), ..Default::default() };
    let gate = Gatehouse::open(dir.path(), weak).await.unwrap();
    let new = new_user(ADMIN_EMAIL, "Ada", Role::Admin, ADMIN_PASSWORD);
    gate.create_first_admin(new, &desktop(), START).await.unwrap();
    assert!(stored_hash(dir.path()).await.contains("m=8192,t=1,p=1"));
    gate.close().await;

    let gate = Gatehouse::open(dir.path(), OpenOptions::default()).await.unwrap();
    gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), START).await.unwrap().signed_in().unwrap();
    let hash = stored_hash(dir.path()).await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    // And the new hash still accepts the password.
    gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), START).await.unwrap().signed_in().unwrap();
}

async fn stored_hash(dir: &std::path::Path) -> String {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("gatehouse.db").display())).await.unwrap();
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&pool).await.unwrap();
    pool.close().await;
    hash
}

#[tokio::test]
async fn bad_sign_in_input_gets_a_clear_error_and_records_nothing() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let before = all_attempts(&fx, &admin).await.len();
    let too_long = "x".repeat(129);
    let cases: [(&str, &str, &str); 5] = [
        ("", ADMIN_PASSWORD, "Email"),
        ("   ", ADMIN_PASSWORD, "Email"),
        ("not-an-email", ADMIN_PASSWORD, "Email"),
        (ADMIN_EMAIL, "", "Password"),
        (ADMIN_EMAIL, &too_long, "Password"),
    ];
    for (email, password, field) in cases {
        let err = fx.gate.sign_in(email, password, &desktop(), fx.now()).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{email:?}");
        assert!(err.to_string().starts_with(field), "{err}");
    }
    let mut bad_device = desktop();
    bad_device.device.installation_id = "x".to_owned();
    assert_eq!(code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &bad_device, fx.now()).await), "invalid_input");
    assert_eq!(all_attempts(&fx, &admin).await.len(), before);
}

#[tokio::test]
async fn emails_are_matched_case_insensitively() {
    let fx = Fixture::new().await;
    fx.admin().await;
    fx.gate.sign_in("  ADA@Example.COM ", ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
}
