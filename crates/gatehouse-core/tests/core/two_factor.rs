//! Two-factor authentication: RFC 6238 vectors through our verifier, codes from oathtool
//! (a tool nobody here wrote), enrolment, sign-in with a code or a backup code, replay,
//! throttling, step-up, disabling, the require-2FA policy, an admin's reset, and what the
//! database file holds.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_core::{
    ActivityFilter, AttemptReason, ChallengeToken, DataKey, OpenOptions, Outcome, Policy, Role, SecondFactorKind,
    SignInOutcome, SignedIn, StaticDataKey, Timestamp, totp,
};

use crate::support::*;

/// The code oathtool computes for `secret` (base32) at `at`.
pub(crate) fn oathtool(secret: &str, at: Timestamp) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", secret, "-N", &format!("@{}", at.as_millis() / 1000)])
        .output()
        .expect("oathtool is installed by scripts/setup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn rfc_6238_appendix_b_sha1_vectors_pass_our_verifier() {
    let secret = b"12345678901234567890";
    // (time, 8-digit code from the RFC): our codes are 6 digits, the same value mod 10^6.
    let vectors = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];
    for (seconds, rfc_code) in vectors {
        let at = Timestamp::from_millis(seconds * 1000);
        let code = &rfc_code[2..];
        assert_eq!(totp::code_at(secret, at).unwrap(), code, "T = {seconds}");
        let step = u64::try_from(seconds).unwrap() / 30;
        assert_eq!(totp::matching_step(secret, code, at, None).unwrap(), Some(step), "T = {seconds}");
        // The same code is refused once its step was used.
        assert_eq!(totp::matching_step(secret, code, at, Some(step)).unwrap(), None);
    }
}

/// Enrols `who` (confirming it's them with the password first) and returns the base32
/// secret and the backup codes.
pub(crate) async fn enroll(fx: &Fixture, who: &SignedIn) -> (String, Vec<String>) {
    fx.confirm(who).await;
    let enrollment = fx.gate.begin_two_factor_enrollment(fx.caller(&who.token)).await.unwrap();
    let secret = enrollment.secret.to_string();
    let codes =
        fx.gate.confirm_two_factor_enrollment(fx.caller(&who.token), &oathtool(&secret, fx.now())).await.unwrap();
    (secret, codes.0.iter().map(|c| c.to_string()).collect())
}

/// Signs in with the password and returns the challenge.
async fn password_step(fx: &Fixture, email: &str, password: &str) -> ChallengeToken {
    match fx.gate.sign_in(email, password, &terminal(), fx.now()).await.unwrap() {
        SignInOutcome::SecondFactorRequired(challenge) => challenge.token,
        SignInOutcome::SignedIn(_) => panic!("expected a second step"),
    }
}

#[tokio::test]
async fn enrolment_shows_a_secret_and_activates_only_after_a_valid_code() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let enrollment = fx.gate.begin_two_factor_enrollment(fx.caller(&admin.token)).await.unwrap();
    assert_eq!(enrollment.secret.len(), 32, "160 bits in base32");
    assert_eq!(enrollment.secret_grouped.split(' ').count(), 8);
    assert_eq!(enrollment.secret_grouped.replace(' ', ""), *enrollment.secret);
    assert_eq!(
        *enrollment.uri,
        format!(
            "otpauth://totp/Gatehouse:ada@example.com?secret={}&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30",
            *enrollment.secret
        )
    );
    // Not on until confirmed; a wrong code changes nothing.
    let status = fx.gate.two_factor_status(fx.caller(&admin.token), None).await.unwrap();
    assert!(!status.enabled);
    let wrong = fx.gate.confirm_two_factor_enrollment(fx.caller(&admin.token), "000000").await;
    assert_eq!(code(wrong), "auth.invalid_code");
    assert_eq!(code(fx.gate.confirm_two_factor_enrollment(fx.caller(&admin.token), "12ab").await), "invalid_input");

    let codes = fx
        .gate
        .confirm_two_factor_enrollment(fx.caller(&admin.token), &oathtool(&enrollment.secret, fx.now()))
        .await
        .unwrap();
    assert_eq!(codes.0.len(), 10);
    for backup in &codes.0 {
        assert_eq!(backup.len(), 11, "{}", backup.as_str());
        assert_eq!(&backup[5..6], "-");
        assert!(backup.chars().all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    }
    let status = fx.gate.two_factor_status(fx.caller(&admin.token), None).await.unwrap();
    assert!(status.enabled && status.backup_codes_left == 10 && !status.required);
    assert_eq!(code(fx.gate.begin_two_factor_enrollment(fx.caller(&admin.token)).await), "2fa.already_on");
}

#[tokio::test]
async fn sign_in_needs_the_password_then_a_code_and_is_recorded_as_one_sign_in() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(60));

    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let pending = all_attempts(&fx, &admin).await;
    assert_eq!(pending[0].outcome, Outcome::Pending);
    assert_eq!(pending[0].reason, AttemptReason::SecondFactorRequired);

    let wrong = fx.gate.complete_sign_in(&challenge, "123456", &terminal(), fx.now()).await;
    assert_eq!(code(wrong), "auth.invalid_code");
    let signed =
        fx.gate.complete_sign_in(&challenge, &oathtool(&secret, fx.now()), &terminal(), fx.now()).await.unwrap();
    let sessions = fx.gate.list_sessions(fx.caller(&signed.token), None).await.unwrap();
    let current = sessions.iter().find(|s| s.is_current).unwrap();
    assert_eq!(current.second_factor, Some(SecondFactorKind::Totp));

    // Same instant: newest row first is the wrong code, then the sign-in.
    let attempts = all_attempts(&fx, &admin).await;
    let (failure, latest) = (&attempts[0], &attempts[1]);
    assert_eq!(failure.reason, AttemptReason::WrongCode);
    assert_eq!(failure.outcome, Outcome::Failure);
    // The pending row became the sign-in: one row for password + code.
    assert_eq!(latest.id, pending[0].id);
    assert_eq!(latest.reason, AttemptReason::SignedIn);
    assert_eq!((latest.outcome, latest.second_factor), (Outcome::Success, Some(SecondFactorKind::Totp)));
    assert_eq!(latest.session_id, Some(signed.session_id));
    // The challenge is spent.
    let again = fx.gate.complete_sign_in(&challenge, &oathtool(&secret, fx.now()), &terminal(), fx.now()).await;
    assert_eq!(code(again), "auth.challenge_expired");
}

#[tokio::test]
async fn a_code_works_once_and_only_within_one_step_of_drift() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(300));
    let now = fx.now();
    let step = Duration::from_secs(30);

    for far in [now.minus(step * 2), now.plus(step * 2)] {
        let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let result = fx.gate.complete_sign_in(&challenge, &oathtool(&secret, far), &terminal(), now).await;
        assert_eq!(code(result), "auth.invalid_code", "two steps away must fail");
    }
    let previous = oathtool(&secret, now.minus(step));
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    fx.gate.complete_sign_in(&challenge, &previous, &terminal(), now).await.unwrap();
    // Replay: the same code (same step) is refused, and so is the older step.
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(code(fx.gate.complete_sign_in(&challenge, &previous, &terminal(), now).await), "auth.invalid_code");
    // The next step (one ahead of the clock) still works.
    let next = oathtool(&secret, now.plus(step));
    fx.gate.complete_sign_in(&challenge, &next, &terminal(), now).await.unwrap();
}

#[tokio::test]
async fn backup_codes_sign_in_once_each_and_the_count_drops() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (_, codes) = enroll(&fx, &admin).await;
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Case, spaces and a missing dash don't matter; look-alikes read as Crockford says.
    let typed = codes[0].to_lowercase().replace('-', " ");
    let signed = fx.gate.complete_sign_in(&challenge, &typed, &terminal(), fx.now()).await.unwrap();
    let status = fx.gate.two_factor_status(fx.caller(&signed.token), None).await.unwrap();
    assert_eq!(status.backup_codes_left, 9);
    let latest = &all_attempts(&fx, &admin).await[0];
    assert_eq!(latest.second_factor, Some(SecondFactorKind::BackupCode));

    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let reused = fx.gate.complete_sign_in(&challenge, &codes[0], &terminal(), fx.now()).await;
    assert_eq!(code(reused), "auth.invalid_code");
    assert_eq!(all_attempts(&fx, &admin).await[0].reason, AttemptReason::WrongBackupCode);

    // An answer longer than the code fields take (the UI's limit comes from the core) is
    // no code, however many of its characters are spaces.
    let padded = format!("{:<width$}", codes[1], width = gatehouse_core::ANSWER_INPUT_MAX_CHARS + 1);
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(code(fx.gate.complete_sign_in(&challenge, &padded, &terminal(), fx.now()).await), "auth.invalid_code");
    let fits = format!("{:<width$}", codes[1], width = gatehouse_core::ANSWER_INPUT_MAX_CHARS);
    fx.advance(std::time::Duration::from_secs(2));
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    fx.gate.complete_sign_in(&challenge, &fits, &terminal(), fx.now()).await.unwrap();
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    enroll(&fx, &admin).await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        for _ in 0..3 {
            codes.push(code(fx.gate.complete_sign_in(&challenge, "000000", &terminal(), fx.now()).await));
            fx.advance(Duration::from_secs(61));
        }
    }
    assert!(codes[..10].iter().all(|c| *c == "auth.invalid_code"), "{codes:?}");
    assert!(codes[10..].iter().all(|c| *c == "auth.locked_out"), "{codes:?}");
    // The password is refused unchecked while locked out.
    assert_eq!(code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await), "auth.locked_out");
}

#[tokio::test]
async fn a_challenge_expires_after_five_minutes_and_works_only_on_its_device() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let elsewhere = fx.gate.complete_sign_in(&challenge, &oathtool(&secret, fx.now()), &desktop(), fx.now()).await;
    assert_eq!(code(elsewhere), "auth.challenge_expired");
    fx.advance(Duration::from_secs(5 * 60 + 1));
    let late = fx.gate.complete_sign_in(&challenge, &oathtool(&secret, fx.now()), &terminal(), fx.now()).await;
    assert_eq!(code(late), "auth.challenge_expired");
    assert_eq!(all_attempts(&fx, &admin).await[0].reason, AttemptReason::ChallengeExpired);
    let forged = ChallengeToken::parse("ghc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    assert_eq!(
        code(fx.gate.complete_sign_in(&forged, "123456", &terminal(), fx.now()).await),
        "auth.challenge_expired"
    );
}

#[tokio::test]
async fn step_up_takes_a_code_with_2fa_and_the_password_without_and_lasts_ten_minutes() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let caller = fx.caller(&admin.token);
    // Without 2FA the password confirms.
    assert_eq!(code(fx.gate.step_up(caller, "wrong-password-1").await), "auth.wrong_password");
    fx.gate.step_up(caller, ADMIN_PASSWORD).await.unwrap();
    fx.advance(Duration::from_secs(11 * 60));

    let (secret, codes) = enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(11 * 60));
    let caller = fx.caller(&admin.token);
    let regenerate = fx.gate.regenerate_backup_codes(caller).await;
    assert!(matches!(regenerate, Err(gatehouse_core::Error::StepUpRequired { with_code: true })), "{regenerate:?}");
    // With 2FA on, the password no longer confirms; a code or a backup code does.
    assert_eq!(code(fx.gate.step_up(caller, ADMIN_PASSWORD).await), "auth.invalid_code");
    fx.gate.step_up(caller, &oathtool(&secret, fx.now())).await.unwrap();
    let fresh = fx.gate.regenerate_backup_codes(caller).await.unwrap();
    assert_ne!(fresh.0[0].as_str(), codes[0]);
    // The old codes died with the regeneration.
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(code(fx.gate.complete_sign_in(&challenge, &codes[1], &terminal(), fx.now()).await), "auth.invalid_code");

    fx.advance(Duration::from_secs(10 * 60));
    assert_eq!(code(fx.gate.regenerate_backup_codes(fx.caller(&admin.token)).await), "auth.step_up_required");
    fx.gate.step_up(fx.caller(&admin.token), &fresh.0[0]).await.unwrap();
    fx.gate.regenerate_backup_codes(fx.caller(&admin.token)).await.unwrap();
}

#[tokio::test]
async fn disabling_needs_the_password_and_a_code_and_is_refused_when_required() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(31));
    let caller = fx.caller(&admin.token);
    let current = oathtool(&secret, fx.now());
    assert_eq!(code(fx.gate.disable_two_factor(caller, "wrong-password-1", &current).await), "auth.wrong_password");
    assert_eq!(code(fx.gate.disable_two_factor(caller, ADMIN_PASSWORD, "000000").await), "auth.invalid_code");

    let policy = Policy { require_two_factor: true, ..Policy::default() };
    fx.gate.step_up(caller, &current).await.unwrap();
    fx.gate.set_policy(caller, &policy).await.unwrap();
    fx.advance(Duration::from_secs(31));
    let caller = fx.caller(&admin.token);
    let refused = fx.gate.disable_two_factor(caller, ADMIN_PASSWORD, &oathtool(&secret, fx.now())).await;
    assert_eq!(code(refused), "2fa.required_by_policy");

    // Not requiring 2FA any more weakens protection: it waits a day (no second admin here).
    fx.gate.step_up(caller, &oathtool(&secret, fx.now().plus(Duration::from_secs(30)))).await.unwrap();
    let update = fx.gate.set_policy(caller, &Policy::default()).await.unwrap();
    assert_eq!(update.delayed.len(), 1);
    assert!(update.policy.require_two_factor);
    fx.advance(Duration::from_secs(61));
    let refused =
        fx.gate.disable_two_factor(fx.caller(&admin.token), ADMIN_PASSWORD, &oathtool(&secret, fx.now())).await;
    assert_eq!(code(refused), "2fa.required_by_policy");
    // A day later it applies; the admin (signed out by then) signs in and turns 2FA off.
    fx.advance(Duration::from_secs(24 * 60 * 60));
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin =
        fx.gate.complete_sign_in(&challenge, &oathtool(&secret, fx.now()), &terminal(), fx.now()).await.unwrap();
    let caller = fx.caller(&admin.token);
    assert!(!fx.gate.policy(caller).await.unwrap().require_two_factor);
    let next_code = oathtool(&secret, fx.now().plus(Duration::from_secs(30)));
    fx.gate.disable_two_factor(caller, ADMIN_PASSWORD, &next_code).await.unwrap();
    assert!(!fx.gate.two_factor_status(caller, None).await.unwrap().enabled);
    // Signing in is back to the password alone.
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
}

#[tokio::test]
async fn when_policy_requires_2fa_a_user_without_it_can_only_enrol() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.gate.step_up(fx.caller(&admin.token), ADMIN_PASSWORD).await.unwrap();
    let policy = Policy { require_two_factor: true, ..Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();

    let bob_caller = fx.caller(&bob.token);
    assert_eq!(code(fx.gate.list_sessions(bob_caller, None).await), "2fa.enrollment_required");
    let status = fx.gate.two_factor_status(bob_caller, None).await.unwrap();
    assert!(status.required && !status.enabled);
    let enrollment = fx.gate.begin_two_factor_enrollment(bob_caller).await.unwrap();
    fx.gate.confirm_two_factor_enrollment(bob_caller, &oathtool(&enrollment.secret, fx.now())).await.unwrap();
    fx.gate.list_sessions(bob_caller, None).await.unwrap();
}

#[tokio::test]
async fn an_admin_reset_removes_2fa_ends_sessions_and_is_audited() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    enroll(&fx, &bob).await;
    fx.advance(Duration::from_secs(11 * 60)); // past the step-up made to create Bob
    let admin_caller = fx.caller(&admin.token);
    assert_eq!(code(fx.gate.reset_two_factor(admin_caller, bob.user.id).await), "auth.step_up_required");
    assert_eq!(code(fx.gate.reset_two_factor(fx.caller(&bob.token), admin.user.id).await), "forbidden");
    fx.gate.step_up(admin_caller, ADMIN_PASSWORD).await.unwrap();
    fx.gate.reset_two_factor(admin_caller, bob.user.id).await.unwrap();

    assert_eq!(code(fx.gate.authenticate(fx.caller(&bob.token)).await), "session.signed_out");
    let status = fx.gate.two_factor_status(admin_caller, Some(bob.user.id)).await.unwrap();
    assert!(!status.enabled && status.backup_codes_left == 0);
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let log = fx.gate.list_audit(admin_caller, 10).await.unwrap();
    assert_eq!(log[0].action, "2fa.reset");
    assert_eq!(log[0].target_email.as_deref(), Some("bob@example.com"));
}

#[tokio::test]
async fn the_database_file_holds_no_secret_code_or_token_in_any_encoding() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let enrollment = fx.gate.begin_two_factor_enrollment(fx.caller(&admin.token)).await.unwrap();
    let secret = enrollment.secret.to_string();
    let codes =
        fx.gate.confirm_two_factor_enrollment(fx.caller(&admin.token), &oathtool(&secret, fx.now())).await.unwrap();
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let signed = fx.gate.complete_sign_in(&challenge, &codes.0[3], &terminal(), fx.now()).await.unwrap();
    let bytes = fx.stored_bytes().await;
    let raw = base32_decode(&secret);
    let mut needles: Vec<Vec<u8>> = vec![
        secret.as_bytes().to_vec(),
        secret.to_lowercase().into_bytes(),
        raw.clone(),
        hex(&raw).into_bytes(),
        base64(&raw).into_bytes(),
        signed.token.expose().as_bytes().to_vec(),
        challenge.expose().as_bytes().to_vec(),
    ];
    for backup in &codes.0 {
        needles.push(backup.as_bytes().to_vec());
        needles.push(backup.replace('-', "").into_bytes());
    }
    for needle in needles {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "found {:?} in the database",
            String::from_utf8_lossy(&needle)
        );
    }
}

#[tokio::test]
async fn without_the_right_data_key_the_error_is_clear_and_nothing_panics() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    enroll(&fx, &admin).await;
    fx.gate.close().await;
    // Another key (the keychain entry was lost and recreated): codes cannot be checked.
    let other = OpenOptions { data_key: Some(Arc::new(StaticDataKey(DataKey::generate()))), ..Default::default() };
    let gate = fx.reopen(other).await;
    let challenge = match gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap() {
        SignInOutcome::SecondFactorRequired(challenge) => challenge.token,
        SignInOutcome::SignedIn(_) => panic!("2FA is on"),
    };
    let err = gate.complete_sign_in(&challenge, "123456", &terminal(), fx.now()).await.unwrap_err();
    assert_eq!(err.code(), "2fa.key_unavailable");
    assert!(err.to_string().contains("Ask an administrator to reset"), "{err}");
    // No key source at all: the message says so.
    let bare = fx.reopen(OpenOptions::default()).await;
    let challenge = match bare.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap() {
        SignInOutcome::SecondFactorRequired(challenge) => challenge.token,
        SignInOutcome::SignedIn(_) => panic!("2FA is on"),
    };
    let err = bare.complete_sign_in(&challenge, "123456", &desktop(), fx.now()).await.unwrap_err();
    assert_eq!(err.code(), "2fa.key_unavailable");
    assert!(err.to_string().contains("no key source"), "{err}");
}

#[tokio::test]
async fn two_factor_activity_can_be_filtered_as_failures() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    enroll(&fx, &admin).await;
    let challenge = password_step(&fx, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let _ = fx.gate.complete_sign_in(&challenge, "999999", &terminal(), fx.now()).await;
    let failures = ActivityFilter { failures_only: true, ..Default::default() };
    let listed = fx.gate.list_activity(fx.caller(&admin.token), &failures).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.reason).collect::<Vec<_>>(), vec![AttemptReason::WrongCode]);
}

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        bits = (bits << 5) | ALPHABET.iter().position(|&a| a == c).unwrap() as u64;
        count += 5;
        if count >= 8 {
            out.push((bits >> (count - 8)) as u8);
            count -= 8;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn with_2fa_on_a_password_change_needs_a_fresh_code_too() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (secret, _) = enroll(&fx, &admin).await;
    fx.advance(Duration::from_secs(11 * 60));
    let caller = fx.caller(&admin.token);
    assert_eq!(code(fx.gate.change_password(caller, ADMIN_PASSWORD, USER_PASSWORD).await), "auth.step_up_required");
    fx.gate.step_up(caller, &oathtool(&secret, fx.now())).await.unwrap();
    fx.gate.change_password(caller, ADMIN_PASSWORD, USER_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn spending_backup_codes_down_to_three_raises_an_in_app_alert() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let (_, codes) = enroll(&fx, &admin).await;
    for code in &codes[..6] {
        fx.gate.step_up(fx.caller(&admin.token), code).await.unwrap();
    }
    let low = |list: Vec<gatehouse_core::Notice>| -> Vec<(String, bool)> {
        list.into_iter().filter(|n| n.kind == "two_factor.backup_codes_low").map(|n| (n.title, n.native)).collect()
    };
    let none: Vec<(String, bool)> = Vec::new();
    assert_eq!(low(fx.gate.list_notices(fx.caller(&admin.token), 20).await.unwrap()), none, "4 left: no alert yet");
    fx.gate.step_up(fx.caller(&admin.token), &codes[6]).await.unwrap();
    assert_eq!(
        low(fx.gate.list_notices(fx.caller(&admin.token), 20).await.unwrap()),
        vec![("3 backup code(s) left".to_owned(), false)]
    );
}

#[tokio::test]
async fn a_stolen_session_cannot_enrol_its_own_authenticator_without_the_password() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let laptop = origin("laptop-0009", gatehouse_core::DeviceKind::Laptop, gatehouse_core::ClientKind::Cli, None);
    let laptop = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &laptop, fx.now()).await.unwrap();
    let laptop = laptop.signed_in().unwrap();
    fx.advance(Duration::from_secs(11 * 60));

    // Someone holding Bob's terminal session (no password) tries to enrol their own phone.
    let stolen = fx.caller(&bob.token);
    let refused = fx.gate.begin_two_factor_enrollment(stolen).await.unwrap_err();
    assert!(matches!(refused, gatehouse_core::Error::StepUpRequired { with_code: false }), "{refused:?}");
    // A set-up begun with the password can't be finished once the step-up has lapsed.
    fx.confirm(&bob).await;
    let enrollment = fx.gate.begin_two_factor_enrollment(fx.caller(&bob.token)).await.unwrap();
    fx.advance(Duration::from_secs(11 * 60));
    let late =
        fx.gate.confirm_two_factor_enrollment(fx.caller(&bob.token), &oathtool(&enrollment.secret, fx.now())).await;
    assert_eq!(code(late), "auth.step_up_required");
    assert!(!fx.gate.two_factor_status(fx.caller(&bob.token), None).await.unwrap().enabled);

    // With the password it goes through, and Bob's other session hears of it at once.
    fx.confirm(&bob).await;
    fx.gate
        .confirm_two_factor_enrollment(fx.caller(&bob.token), &oathtool(&enrollment.secret, fx.now()))
        .await
        .unwrap();
    let alerts = fx.gate.notices_after(fx.caller(&laptop.token), 0).await.unwrap();
    let on: Vec<_> = alerts.iter().filter(|n| n.kind == "two_factor.on").collect();
    assert_eq!(on.len(), 1, "{alerts:?}");
    assert!(on[0].native && on[0].body.contains("If you didn't do this"), "{:?}", on[0]);
    assert!(fx.gate.notices_after(fx.caller(&bob.token), 0).await.unwrap().iter().all(|n| n.kind != "two_factor.on"));
}

#[tokio::test]
async fn enrolment_forced_by_policy_needs_no_step_up_right_after_signing_in_only() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.confirm(&admin).await;
    let policy = Policy { require_two_factor: true, ..Policy::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();

    // Right after a password sign-in: the forced set-up goes straight through.
    let fresh = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    let fresh = fresh.signed_in().unwrap();
    fx.gate.begin_two_factor_enrollment(fx.caller(&fresh.token)).await.unwrap();
    // A session signed in long ago must confirm with the password first, which it may do
    // while enrolment is pending.
    fx.advance(Duration::from_secs(11 * 60));
    let old = fx.caller(&fresh.token);
    assert_eq!(code(fx.gate.begin_two_factor_enrollment(old).await), "auth.step_up_required");
    fx.gate.step_up(old, USER_PASSWORD).await.unwrap();
    let enrollment = fx.gate.begin_two_factor_enrollment(old).await.unwrap();
    fx.gate.confirm_two_factor_enrollment(old, &oathtool(&enrollment.secret, fx.now())).await.unwrap();
    fx.gate.list_sessions(old, None).await.unwrap();
}
