use gatehouse_core::{AuditEntry, Role};

use crate::support::*;

#[tokio::test]
async fn admins_create_users_and_duplicates_are_refused() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let caller = fx.caller(&admin.token);
    let created = fx
        .gate
        .create_user(caller, new_user(" Bob@Example.com ", "Bob Builder", Role::Finance, USER_PASSWORD))
        .await
        .unwrap();
    assert_eq!(
        (created.email.as_str(), created.name.as_str(), created.role),
        ("bob@example.com", "Bob Builder", Role::Finance)
    );
    let again = fx.gate.create_user(caller, new_user("BOB@example.com", "", Role::Member, USER_PASSWORD)).await;
    assert_eq!(code(again), "user.email_taken");
    // An empty name is taken from the email.
    let dee = fx.gate.create_user(caller, new_user("dee@example.com", "", Role::Member, USER_PASSWORD)).await.unwrap();
    assert_eq!(dee.name, "dee");
    let emails: Vec<_> = fx.gate.list_users(caller).await.unwrap().into_iter().map(|u| u.email).collect();
    assert_eq!(emails, vec!["ada@example.com", "bob@example.com", "dee@example.com"]);
}

#[tokio::test]
async fn bad_new_users_are_refused_and_nothing_is_created() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let caller = fx.caller(&admin.token);
    let long_name = "n".repeat(101);
    let long_password = "Ab1!".repeat(33);
    let cases = [
        (new_user("", "X", Role::Member, USER_PASSWORD), "invalid_input"),
        (new_user("no-at-sign", "X", Role::Member, USER_PASSWORD), "invalid_input"),
        (new_user("x@example.com", &long_name, Role::Member, USER_PASSWORD), "invalid_input"),
        (new_user("x@example.com", "X", Role::Member, "short1!"), "password.weak"),
        (new_user("x@example.com", "X", Role::Member, "password"), "password.weak"),
        (new_user("x@example.com", "X", Role::Member, "password123"), "password.weak"),
        (new_user("x@example.com", "X", Role::Member, "x@example.com"), "password.weak"),
        (new_user("x@example.com", "X", Role::Member, &long_password), "password.weak"),
    ];
    for (new, expected) in cases {
        let err = fx.gate.create_user(caller, new.clone()).await.unwrap_err();
        assert_eq!(err.code(), expected, "{new:?}: {err}");
        // ("password" itself is a word the message may use.)
        if new.password.len() > 8 {
            assert!(!err.to_string().contains(new.password.as_str()), "error text leaks the password: {err}");
        }
    }
    assert_eq!(fx.gate.list_users(caller).await.unwrap().len(), 1);
    assert_eq!(Role::parse("owner").unwrap_err().code(), "invalid_input");
}

#[tokio::test]
async fn only_admins_manage_users() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Finance, &terminal()).await;
    let caller = fx.caller(&bob.token);
    assert_eq!(
        code(fx.gate.create_user(caller, new_user("x@example.com", "", Role::Admin, USER_PASSWORD)).await),
        "forbidden"
    );
    assert_eq!(code(fx.gate.list_users(caller).await), "forbidden");
    assert_eq!(code(fx.gate.set_user_disabled(caller, admin.user.id, true).await), "forbidden");
    assert_eq!(code(fx.gate.reset_user_password(caller, admin.user.id, USER_PASSWORD).await), "forbidden");
    assert_eq!(code(fx.gate.unlock_user(caller, admin.user.id).await), "forbidden");
    // Users may still look themselves up.
    assert_eq!(fx.gate.find_user(caller, "bob@example.com").await.unwrap().id, bob.user.id);
    assert_eq!(code(fx.gate.find_user(caller, ADMIN_EMAIL).await), "forbidden");
}

#[tokio::test]
async fn disabling_ends_sessions_and_admins_cannot_disable_themselves() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let caller = fx.caller(&admin.token);
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    assert_eq!(code(fx.gate.set_user_disabled(caller, admin.user.id, true).await), "user.would_lock_out");

    let disabled = fx.gate.set_user_disabled(caller, bob.user.id, true).await.unwrap();
    assert!(disabled.disabled_at.is_some());
    assert_eq!(code(fx.gate.authenticate(fx.caller(&bob.token)).await), "session.signed_out");
    let enabled = fx.gate.set_user_disabled(caller, bob.user.id, false).await.unwrap();
    assert!(enabled.disabled_at.is_none());
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
}

#[tokio::test]
async fn an_admin_reset_ends_sessions_and_asks_for_a_new_password() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let caller = fx.caller(&admin.token);
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    assert_eq!(code(fx.gate.reset_user_password(caller, bob.user.id, "weak").await), "password.weak");
    fx.gate.authenticate(fx.caller(&bob.token)).await.unwrap();

    fx.gate.reset_user_password(caller, bob.user.id, "temporary-orange-kettle-5").await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&bob.token)).await), "session.signed_out");
    assert_eq!(
        code(fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await),
        "auth.invalid_credentials"
    );
    let again = fx
        .gate
        .sign_in("bob@example.com", "temporary-orange-kettle-5", &terminal(), fx.now())
        .await
        .unwrap()
        .signed_in()
        .unwrap();
    assert!(again.user.must_change_password);
    fx.gate.change_password(fx.caller(&again.token), "temporary-orange-kettle-5", USER_PASSWORD).await.unwrap();
    let me = fx.gate.authenticate(fx.caller(&again.token)).await.unwrap();
    assert!(!me.user.must_change_password);
    assert_eq!(code(fx.gate.reset_user_password(caller, admin.user.id, USER_PASSWORD).await), "invalid_input");
}

#[tokio::test]
async fn changing_your_password_checks_the_current_one_and_ends_other_sessions() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let other = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let caller = fx.caller(&admin.token);
    assert_eq!(code(fx.gate.change_password(caller, "wrong-password-1", USER_PASSWORD).await), "auth.wrong_password");
    assert_eq!(code(fx.gate.change_password(caller, ADMIN_PASSWORD, "12345678").await), "password.weak");
    assert_eq!(code(fx.gate.change_password(caller, ADMIN_PASSWORD, ADMIN_PASSWORD).await), "password.weak");
    // Nothing changed so far.
    fx.gate.authenticate(fx.caller(&other.token)).await.unwrap();

    fx.gate.change_password(caller, ADMIN_PASSWORD, USER_PASSWORD).await.unwrap();
    fx.gate.authenticate(caller).await.unwrap();
    assert_eq!(code(fx.gate.authenticate(fx.caller(&other.token)).await), "session.signed_out");
    assert_eq!(
        code(fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await),
        "auth.invalid_credentials"
    );
    fx.gate.sign_in(ADMIN_EMAIL, USER_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
}

#[tokio::test]
async fn security_changes_are_in_the_audit_log() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let caller = fx.caller(&admin.token);
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    fx.gate.set_user_disabled(caller, bob.user.id, true).await.unwrap();
    fx.gate.set_user_disabled(caller, bob.user.id, false).await.unwrap();
    fx.gate.unlock_user(caller, bob.user.id).await.unwrap();
    let log: Vec<AuditEntry> = fx.gate.list_audit(caller, 100).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["user.unlocked", "user.enabled", "user.disabled", "password.changed", "user.created", "user.created"]
    );
    assert!(log.iter().take(3).all(|e| e.actor_email.as_deref() == Some(ADMIN_EMAIL)));
    assert_eq!(log[3].actor_email.as_deref(), Some("bob@example.com"), "Bob chose his own password");
    assert_eq!(log[4].actor_email.as_deref(), Some(ADMIN_EMAIL));
    assert_eq!(log[0].target_email.as_deref(), Some("bob@example.com"));
    assert_eq!(log[5].actor_email, None, "first-run set-up has no actor");
}

#[tokio::test]
async fn every_sensitive_change_needs_a_step_up_and_nothing_changes_without_one() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let other_admin_session =
        fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let terminal_device = fx.gate.authenticate(fx.caller(&other_admin_session.token)).await.unwrap().device_id;
    fx.advance(minutes(11)); // the step-up made to create Bob has lapsed
    let fresh = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &desktop(), fx.now()).await.unwrap().signed_in().unwrap();
    let caller = fx.caller(&fresh.token);
    let needs = |result: Result<(), gatehouse_core::Error>| {
        assert!(matches!(result, Err(gatehouse_core::Error::StepUpRequired { with_code: false })), "{result:?}");
    };
    needs(fx.gate.create_user(caller, new_user("x@example.com", "", Role::Member, USER_PASSWORD)).await.map(drop));
    needs(fx.gate.set_user_disabled(caller, bob.user.id, true).await.map(drop));
    needs(fx.gate.reset_user_password(caller, bob.user.id, "temporary-orange-kettle-5").await);
    needs(fx.gate.unlock_user(caller, bob.user.id).await);
    needs(fx.gate.set_policy(caller, &gatehouse_core::Policy::default()).await.map(drop));
    needs(
        fx.gate.set_alert_setting(caller, gatehouse_core::AlertKind::NewSignIn, gatehouse_core::Delivery::InApp).await,
    );
    needs(fx.gate.end_other_sessions(caller).await.map(drop));
    needs(fx.gate.end_session(caller, bob.session_id).await);
    needs(fx.gate.remove_device(caller, terminal_device).await);
    needs(fx.gate.clone().set_geoip_setting(caller, None).await);
    needs(fx.gate.reset_two_factor(caller, bob.user.id).await);

    // Nothing changed.
    fx.gate.authenticate(fx.caller(&bob.token)).await.unwrap();
    fx.gate.authenticate(fx.caller(&other_admin_session.token)).await.unwrap();
    assert_eq!(fx.gate.list_users(caller).await.unwrap().len(), 2);
    // Ending one of your own sessions needs no step-up.
    fx.gate.end_session(caller, other_admin_session.session_id).await.unwrap();
    // After a step-up, the same change goes through.
    fx.confirm(&fresh).await;
    fx.gate.set_user_disabled(fx.caller(&fresh.token), bob.user.id, true).await.unwrap();
}

#[tokio::test]
async fn a_password_an_admin_set_must_be_replaced_before_anything_else() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let carol = new_user("carol@example.com", "", Role::Finance, TEMPORARY_PASSWORD);
    let created = fx.gate.create_user(fx.caller(&admin.token), carol).await.unwrap();
    assert!(created.must_change_password);

    let carol = fx.gate.sign_in("carol@example.com", TEMPORARY_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let carol = carol.signed_in().unwrap();
    let caller = fx.caller(&carol.token);
    let state = fx.gate.session_state(caller).await.unwrap();
    let gatehouse_core::SessionState::Active(actor) = state else { panic!("not locked") };
    assert_eq!(actor.obligation(), Some(gatehouse_core::Obligation::ChangePassword));
    // Everything but choosing a password is refused, with one clear code.
    assert_eq!(code(fx.gate.list_sessions(caller, None).await), "password.change_required");
    assert_eq!(code(fx.gate.list_addresses(caller, &Default::default()).await), "password.change_required");
    assert_eq!(code(fx.gate.unread_notices(caller).await), "password.change_required");
    let refused = fx.gate.begin_two_factor_enrollment(caller).await.unwrap_err();
    assert_eq!(refused.code(), "password.change_required");
    assert!(refused.to_string().contains("Choose your own password"), "{refused}");
    // Reusing the temporary password is no choice.
    assert_eq!(code(fx.gate.change_password(caller, TEMPORARY_PASSWORD, TEMPORARY_PASSWORD).await), "password.weak");

    fx.gate.change_password(caller, TEMPORARY_PASSWORD, USER_PASSWORD).await.unwrap();
    fx.gate.list_sessions(caller, None).await.unwrap();
    let users = fx.gate.list_users(fx.caller(&admin.token)).await.unwrap();
    assert!(!users.iter().find(|u| u.email == "carol@example.com").unwrap().must_change_password);

    // A reset makes it temporary again; with 2FA required, the password comes first.
    let (secret, _) = crate::two_factor::enroll(&fx, &admin).await;
    fx.advance(std::time::Duration::from_secs(31));
    fx.gate.step_up(fx.caller(&admin.token), &crate::two_factor::oathtool(&secret, fx.now())).await.unwrap();
    let policy = gatehouse_core::Policy { require_two_factor: true, ..Default::default() };
    fx.gate.set_policy(fx.caller(&admin.token), &policy).await.unwrap();
    let carol_id = users.iter().find(|u| u.email == "carol@example.com").unwrap().id;
    fx.gate.reset_user_password(fx.caller(&admin.token), carol_id, "amber-quartz-violin-62").await.unwrap();
    let carol = fx.gate.sign_in("carol@example.com", "amber-quartz-violin-62", &terminal(), fx.now()).await.unwrap();
    let carol = carol.signed_in().unwrap();
    let caller = fx.caller(&carol.token);
    assert_eq!(code(fx.gate.begin_two_factor_enrollment(caller).await), "password.change_required");
    fx.gate.change_password(caller, "amber-quartz-violin-62", USER_PASSWORD).await.unwrap();
    assert_eq!(code(fx.gate.list_sessions(caller, None).await), "2fa.enrollment_required");
}

#[tokio::test]
async fn a_member_asking_about_someone_else_gets_the_same_answer_whether_or_not_they_exist() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let existing = fx.gate.find_user(fx.caller(&bob.token), ADMIN_EMAIL).await.unwrap_err();
    let missing = fx.gate.find_user(fx.caller(&bob.token), "nobody@example.com").await.unwrap_err();
    assert_eq!((existing.code(), existing.to_string()), (missing.code(), missing.to_string()));
    assert_eq!(existing.code(), "forbidden");
    // Themselves, yes; admins see who exists.
    assert_eq!(fx.gate.find_user(fx.caller(&bob.token), "BOB@example.com").await.unwrap().id, bob.user.id);
    assert_eq!(code(fx.gate.find_user(fx.caller(&admin.token), "nobody@example.com").await), "not_found");
}
