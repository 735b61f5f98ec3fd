use gatehouse_core::{ActivityFilter, ActivityScope, AttemptReason, Outcome, Role};

use crate::support::*;

/// Admin signs in at START; a wrong password an hour later; a CLI sign-in two hours
/// later, whose session is returned (the desktop one has idle-locked by then).
async fn history(fx: &Fixture) -> gatehouse_core::SignedIn {
    fx.admin().await;
    fx.advance(minutes(60));
    let _ = fx.gate.sign_in(ADMIN_EMAIL, "wrong-password-123", &terminal(), fx.now()).await;
    fx.advance(minutes(60));
    fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap()
}

#[tokio::test]
async fn every_attempt_is_listed_newest_first_with_its_details() {
    let fx = Fixture::new().await;
    let admin = history(&fx).await;
    let attempts = fx.gate.list_activity(fx.caller(&admin.token), &ActivityFilter::default()).await.unwrap();
    let reasons: Vec<_> = attempts.iter().map(|a| a.reason).collect();
    assert_eq!(reasons, vec![AttemptReason::SignedIn, AttemptReason::WrongPassword, AttemptReason::SignedIn]);
    let failure = &attempts[1];
    assert_eq!(failure.outcome, Outcome::Failure);
    assert_eq!(failure.ip.as_deref(), Some("10.0.0.6"));
    assert_eq!(failure.location, "Local network");
    assert_eq!(failure.device_name, "terminal-0002-host");
    assert_eq!(failure.client, "gatehouse CLI 0.1.0");
    assert_eq!(failure.at, START.plus(minutes(60)));
    assert!(attempts[0].session_id.is_some() && failure.session_id.is_none());
}

#[tokio::test]
async fn filters_narrow_to_failures_and_a_date_range() {
    let fx = Fixture::new().await;
    let admin = history(&fx).await;
    let caller = fx.caller(&admin.token);
    let failures = ActivityFilter { failures_only: true, ..Default::default() };
    let listed = fx.gate.list_activity(caller, &failures).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, AttemptReason::WrongPassword);

    let window = ActivityFilter {
        since: Some(START.plus(minutes(30))),
        until: Some(START.plus(minutes(90))),
        ..Default::default()
    };
    let listed = fx.gate.list_activity(caller, &window).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.at).collect::<Vec<_>>(), vec![START.plus(minutes(60))]);

    let backwards = ActivityFilter { since: Some(START.plus(minutes(90))), until: Some(START), ..Default::default() };
    assert_eq!(code(fx.gate.list_activity(caller, &backwards).await), "invalid_input");
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    for _ in 0..7 {
        let _ = fx.gate.sign_in(ADMIN_EMAIL, "wrong-password-123", &terminal(), fx.now()).await;
        fx.advance(minutes(2));
    }
    let caller = fx.caller(&admin.token);
    let mut seen = Vec::new();
    let mut filter = ActivityFilter { limit: Some(3), ..Default::default() };
    loop {
        let page = fx.gate.list_activity(caller, &filter).await.unwrap();
        seen.extend(page.iter().map(|a| a.id));
        match page.last() {
            Some(last) if page.len() == 3 => filter.before = Some((last.at, last.id)),
            _ => break,
        }
    }
    assert_eq!(seen.len(), 8);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
}

#[tokio::test]
async fn members_see_their_own_history_and_admins_anyones() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let _ = fx.gate.sign_in("nobody@example.com", "wrong-password-123", &terminal(), fx.now()).await;

    let own = fx.gate.list_activity(fx.caller(&bob.token), &ActivityFilter::default()).await.unwrap();
    assert!(own.iter().all(|a| a.email == "bob@example.com") && own.len() == 1);
    let everyone = ActivityFilter { scope: ActivityScope::Everyone, ..Default::default() };
    assert_eq!(code(fx.gate.list_activity(fx.caller(&bob.token), &everyone).await), "forbidden");
    let admins = ActivityFilter { scope: ActivityScope::User(admin.user.id), ..Default::default() };
    assert_eq!(code(fx.gate.list_activity(fx.caller(&bob.token), &admins).await), "forbidden");

    let bobs = ActivityFilter { scope: ActivityScope::User(bob.user.id), ..Default::default() };
    assert_eq!(fx.gate.list_activity(fx.caller(&admin.token), &bobs).await.unwrap().len(), 1);
    let all = fx.gate.list_activity(fx.caller(&admin.token), &everyone).await.unwrap();
    assert!(all.iter().any(|a| a.email == "nobody@example.com" && a.user_id.is_none()));
}

#[tokio::test]
async fn csv_export_has_a_header_and_one_quoted_row_per_attempt() {
    let fx =
        Fixture::with_options(gatehouse_core::OpenOptions { geoip: Some(crate::geo::city_db()), ..Default::default() })
            .await;
    let admin = fx.admin().await;
    let london =
        origin("london-0003", gatehouse_core::DeviceKind::Laptop, gatehouse_core::ClientKind::Cli, Some("81.2.69.142"));
    let _ = fx.gate.sign_in(ADMIN_EMAIL, "wrong-password-123", &london, fx.now()).await;
    let mut out = Vec::new();
    let filter = ActivityFilter { failures_only: true, ..Default::default() };
    let written = fx.gate.export_activity_csv(fx.caller(&admin.token), &filter, || Ok(&mut out)).await.unwrap();
    assert_eq!(written, 1);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(
        lines[0],
        "time_utc,email,outcome,reason,second_factor,ip_address,location,device,device_type,os,client,risk_flags"
    );
    assert_eq!(
        lines[1],
        "2026-11-22T12:00:00Z,ada@example.com,failure,Wrong password,,81.2.69.142,\"London, United Kingdom\",london-0003-host,laptop,Debian 12,gatehouse CLI 0.1.0,"
    );
    assert_eq!(lines.len(), 2);
}

#[tokio::test]
async fn csv_export_pages_through_long_histories() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    sqlx_insert_attempts(&fx, 2_345).await;
    let mut out = Vec::new();
    let everyone = ActivityFilter { scope: ActivityScope::Everyone, ..Default::default() };
    let written = fx.gate.export_activity_csv(fx.caller(&admin.token), &everyone, || Ok(&mut out)).await.unwrap();
    assert_eq!(written, 2_346);
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2_347);
}

/// Bulk-inserts failed attempts directly, as history from long ago.
async fn sqlx_insert_attempts(fx: &Fixture, n: i64) {
    fx.execute_raw(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO signin_attempts (at, email, outcome, reason, location, device_name, device_kind, os, client)
         SELECT 1700000000000 + i, 'old@example.com', 'failure', 'unknown_account', 'Unknown', 'old', 'desktop', 'Debian 12', 'x 1'
         FROM n",
        n,
    )
    .await;
}
