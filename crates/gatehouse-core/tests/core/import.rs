//! Moving from standalone to a shared database: everything filled through the core on a
//! standalone SQLite installation arrives in an empty database of the suite's backend
//! (PostgreSQL in its second run) under another data key, and still works there.

use std::time::Duration;

use gatehouse_core::{
    AddressScope, NewAddress, NewWithdrawal, Policy, Role, SignInOutcome, WithdrawalQuery, WithdrawalStatus,
};

use crate::support::*;
use crate::two_factor::{enroll, oathtool};

const TABLES: [&str; 12] = [
    "users",
    "devices",
    "sessions",
    "signin_attempts",
    "signin_throttle",
    "audit_log",
    "user_totp",
    "backup_codes",
    "addresses",
    "withdrawals",
    "notices",
    "alert_settings",
];

#[tokio::test]
async fn a_standalone_installation_moves_to_an_empty_database_with_nothing_lost() {
    // The standalone installation, filled through the core.
    let source = Fixture::sqlite().await;
    let admin = source.admin().await;
    source.confirm(&admin).await;
    let policy = Policy { address_cooling_off_minutes: 0, withdrawals_need_approval: true, ..Policy::default() };
    source.set_policy_now(&admin, &policy).await;
    let bob = source.user(&admin, "bob@example.com", Role::Finance, &terminal()).await;
    let (secret, codes) = enroll(&source, &bob).await;
    source.confirm(&admin).await;
    let treasury = NewAddress {
        label: "Treasury".to_owned(),
        network: "bitcoin".to_owned(),
        address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_owned(),
        memo: None,
        note: "cold".to_owned(),
        scope: AddressScope::Shared,
        accept_lookalike: false,
    };
    let (saved, _) = source.gate.add_address(source.caller(&admin.token), treasury).await.unwrap();
    let request = |amount: &str| NewWithdrawal {
        address: saved.id,
        asset: "BTC".to_owned(),
        amount: amount.to_owned(),
        note: String::new(),
    };
    // One request approved, one rejected (by Carol, a second approver with 2FA), one waiting.
    let carol = source.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let (carol_secret, _) = enroll(&source, &carol).await;
    for (amount, approve) in [("0.1", true), ("0.2", false)] {
        let asked = source.gate.create_withdrawal(source.caller(&admin.token), request(amount)).await.unwrap();
        source.gate.decide_withdrawal(source.caller(&carol.token), asked.id, approve, "checked").await.unwrap();
    }
    source.gate.create_withdrawal(source.caller(&admin.token), request("0.5")).await.unwrap();
    let _ = source.gate.sign_in("bob@example.com", "not-his-password-1", &desktop(), source.now()).await;
    source
        .execute_raw(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
             INSERT INTO signin_attempts (at, email, outcome, reason, location, device_name, device_kind, os, client,
                                          risk_flags)
             SELECT 1700000000000 + i, 'old@example.com', 'failure', 'unknown_account', 'Unknown', 'old', 'desktop',
                    'Debian 12', 'x 1', i % 3
             FROM n",
            1_000,
        )
        .await;
    let mut expected = Vec::new();
    for table in TABLES {
        expected.push((table, source.count_rows(table).await));
    }

    // An empty database of the suite's backend, with a data key of its own.
    let target = Fixture::new().await;
    let counts = target.gate.import_from(&source.gate, target.now()).await.unwrap();
    for (table, rows) in &expected {
        // The audit log also records the import itself.
        let added = i64::from(*table == "audit_log");
        assert_eq!(target.count_rows(table).await, *rows + added, "{table}");
    }
    assert_eq!((counts.users, counts.two_factor, counts.backup_codes), (4, 2, 20), "{counts:?}");
    assert!(counts.attempts >= 1_000 && counts.addresses == 1 && counts.withdrawals == 3, "{counts:?}");

    // Every session ended: everyone signs in again. Bob does, with the same password and a
    // code from the same authenticator; one of his backup codes works too.
    assert_eq!(code(target.gate.authenticate(target.caller(&bob.token)).await), "session.signed_out");
    target.advance(Duration::from_secs(60));
    let from = terminal();
    let signed_in = target.gate.sign_in("bob@example.com", USER_PASSWORD, &from, target.now()).await.unwrap();
    let SignInOutcome::SecondFactorRequired(challenge) = signed_in else { panic!("2FA came along") };
    let bob = target
        .gate
        .complete_sign_in(&challenge.token, &oathtool(&secret, target.now()), &from, target.now())
        .await
        .unwrap();
    target.gate.step_up(target.caller(&bob.token), &codes[0]).await.unwrap();
    // The policy, the history and the pending request came along.
    let listed = target.gate.list_withdrawals(target.caller(&bob.token), &WithdrawalQuery::default()).await.unwrap();
    let mut history: Vec<_> = listed
        .iter()
        .map(|w| (w.amount.as_str(), w.status, w.decided_by.as_deref(), w.decision_note.as_deref()))
        .collect();
    history.sort_by_key(|(amount, ..)| amount.to_owned());
    assert_eq!(
        history,
        [
            ("0.1", WithdrawalStatus::Approved, Some("carol@example.com"), Some("checked")),
            ("0.2", WithdrawalStatus::Rejected, Some("carol@example.com"), Some("checked")),
            ("0.5", WithdrawalStatus::Pending, None, None),
        ]
    );
    // Carol's authenticator came along too.
    let carol_signs_in = target.gate.sign_in("carol@example.com", USER_PASSWORD, &from, target.now()).await.unwrap();
    let SignInOutcome::SecondFactorRequired(challenge) = carol_signs_in else { panic!("Carol's 2FA came along") };
    let code_now = oathtool(&carol_secret, target.now());
    target.gate.complete_sign_in(&challenge.token, &code_now, &from, target.now()).await.unwrap();
    assert!(target.gate.policy(target.caller(&bob.token)).await.unwrap().withdrawals_need_approval);
    // New rows follow the imported ones (the id sequences moved on).
    target.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &from, target.now()).await.unwrap();

    // A second import into a database that has users is refused, and changes nothing.
    let again = target.gate.import_from(&source.gate, target.now()).await.unwrap_err();
    assert_eq!(again.code(), "invalid_input");
    assert!(again.to_string().contains("empty database"), "{again}");
    assert_eq!(target.count_rows("users").await, 4);
}
