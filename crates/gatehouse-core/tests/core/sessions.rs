use gatehouse_core::{Role, SessionState, SessionToken};

use crate::support::*;

#[tokio::test]
async fn sessions_are_listed_with_the_current_one_marked() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let sessions = fx.gate.list_sessions(fx.caller(&admin.token), None).await.unwrap();
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s.is_current).map(|s| s.id).collect();
    assert_eq!(current, vec![admin.session_id]);
    let other = sessions.iter().find(|s| s.id == cli.session_id).unwrap();
    assert_eq!(other.client_name, "gatehouse CLI");
    assert_eq!(other.client_version, "0.1.0");
    assert_eq!(other.ip.as_deref(), Some("10.0.0.6"));
    assert_eq!(other.location, "Local network");
    assert_eq!(other.device_name, "terminal-0002-host");
    assert_eq!(other.os, "Debian 12");
    assert_eq!(other.created_at, fx.now());
}

#[tokio::test]
async fn an_ended_session_stops_working_on_its_next_call() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    fx.gate.authenticate(fx.caller(&cli.token)).await.unwrap();
    fx.gate.end_session(fx.caller(&admin.token), cli.session_id).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&cli.token)).await), "session.signed_out");
    let ids: Vec<_> =
        fx.gate.list_sessions(fx.caller(&admin.token), None).await.unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![admin.session_id]);
    // Ending it twice says it is gone.
    assert_eq!(code(fx.gate.end_session(fx.caller(&admin.token), cli.session_id).await), "not_found");
}

#[tokio::test]
async fn signing_out_of_all_other_sessions_keeps_the_current_one() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let second =
        fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let third = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    assert_eq!(code(fx.gate.end_other_sessions(fx.caller(&third.token)).await), "auth.step_up_required");
    fx.confirm(&third).await;
    let ended = fx.gate.end_other_sessions(fx.caller(&third.token)).await.unwrap();
    assert_eq!(ended, 2);
    fx.gate.authenticate(fx.caller(&third.token)).await.unwrap();
    for gone in [&admin.token, &second.token] {
        assert_eq!(code(fx.gate.authenticate(fx.caller(gone)).await), "session.signed_out");
    }
}

#[tokio::test]
async fn sessions_expire_after_idle_and_absolute_lifetimes() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();

    // Idle: 12 hours without a call ends the session (the CLI has no idle lock).
    fx.advance(minutes(11 * 60 + 59));
    fx.gate.authenticate(fx.caller(&cli.token)).await.unwrap();
    fx.advance(minutes(12 * 60));
    assert_eq!(code(fx.gate.authenticate(fx.caller(&cli.token)).await), "session.expired");
    assert_eq!(code(fx.gate.authenticate(fx.caller(&cli.token)).await), "session.signed_out");
    let _ = admin;

    // Absolute: used every 11 hours, a session still ends 7 days after sign-in.
    let fresh = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    for _ in 0..15 {
        fx.advance(minutes(11 * 60));
        fx.gate.authenticate(fx.caller(&fresh.token)).await.unwrap();
    }
    fx.advance(minutes(9 * 60));
    assert_eq!(code(fx.gate.authenticate(fx.caller(&fresh.token)).await), "session.expired");
}

#[tokio::test]
async fn the_desktop_app_locks_after_idle_time_and_the_password_unlocks_it() {
    let fx = Fixture::new().await;
    let desktop_session = fx.admin().await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    fx.advance(minutes(16));
    assert_eq!(code(fx.gate.authenticate(fx.caller(&desktop_session.token)).await), "session.locked");
    // The CLI has no idle lock.
    fx.gate.authenticate(fx.caller(&cli.token)).await.unwrap();
    // At start-up the app learns it is locked, and for whom.
    match fx.gate.session_state(fx.caller(&desktop_session.token)).await.unwrap() {
        SessionState::Locked(user) => assert_eq!(user.email, ADMIN_EMAIL),
        other => panic!("expected locked, got {other:?}"),
    }
    assert_eq!(
        code(fx.gate.unlock(fx.caller(&desktop_session.token), "wrong-password-1").await),
        "auth.wrong_password"
    );
    assert_eq!(code(fx.gate.authenticate(fx.caller(&desktop_session.token)).await), "session.locked");
    fx.gate.unlock(fx.caller(&desktop_session.token), ADMIN_PASSWORD).await.unwrap();
    fx.gate.authenticate(fx.caller(&desktop_session.token)).await.unwrap();

    // Locking on demand.
    fx.gate.lock(fx.caller(&desktop_session.token)).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&desktop_session.token)).await), "session.locked");
    // Signing out works while locked.
    fx.gate.sign_out(fx.caller(&desktop_session.token)).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&desktop_session.token)).await), "session.signed_out");
}

#[tokio::test]
async fn polling_the_unread_count_does_not_keep_an_unattended_session_alive() {
    let fx = Fixture::new().await;
    let desktop_session = fx.admin().await;
    // The app polls every few seconds; polls alone still reach the 15-minute idle lock.
    for _ in 0..14 {
        fx.advance(minutes(1));
        assert_eq!(fx.gate.unread_notices(fx.caller(&desktop_session.token)).await.unwrap(), 0);
    }
    fx.advance(minutes(1));
    assert_eq!(code(fx.gate.unread_notices(fx.caller(&desktop_session.token)).await), "session.locked");
    assert_eq!(code(fx.gate.authenticate(fx.caller(&desktop_session.token)).await), "session.locked");

    // Whereas a person using it every minute keeps it open.
    fx.gate.unlock(fx.caller(&desktop_session.token), ADMIN_PASSWORD).await.unwrap();
    for _ in 0..20 {
        fx.advance(minutes(1));
        fx.gate.list_sessions(fx.caller(&desktop_session.token), None).await.unwrap();
    }
}

#[tokio::test]
async fn members_see_only_their_own_sessions_and_admins_see_everyones() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    assert_eq!(code(fx.gate.list_sessions(fx.caller(&bob.token), Some(admin.user.id)).await), "forbidden");
    assert_eq!(code(fx.gate.end_session(fx.caller(&bob.token), admin.session_id).await), "forbidden");
    let bobs = fx.gate.list_sessions(fx.caller(&admin.token), Some(bob.user.id)).await.unwrap();
    assert_eq!(bobs.len(), 1);
    assert!(!bobs[0].is_current);
    fx.gate.end_session(fx.caller(&admin.token), bob.session_id).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&bob.token)).await), "session.signed_out");
}

#[tokio::test]
async fn tokens_are_never_stored_only_their_hashes() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let cli = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let bytes = fx.stored_bytes().await;
    for token in [&admin.token, &cli.token] {
        let text = token.expose();
        assert!(text.starts_with("ghs_") && text.len() == 47);
        let body = &text[4..];
        assert!(!contains(&bytes, text.as_bytes()) && !contains(&bytes, body.as_bytes()));
    }
    assert!(!contains(&bytes, ADMIN_PASSWORD.as_bytes()));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn malformed_tokens_are_refused_with_a_clear_error() {
    for bad in ["", "ghs_", "ghs_short", "abc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        let err = SessionToken::parse(bad).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(err.to_string(), "Session token: is not a Gatehouse session token.");
    }
    // Debug output never shows a token.
    let token = SessionToken::parse("ghs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    assert_eq!(format!("{token:?}"), "SessionToken(…)");
}
