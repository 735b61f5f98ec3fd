//! What servers push: commits heard through the listener (nothing for a rollback), notices
//! read by a cursor that grows in commit order, what a reconnecting reader missed, how a
//! session ended and by whom, and that reading the stream doesn't keep a session alive.

use std::time::Duration;

use gatehouse_core::{Change, Database, Missed, Role, SignInOutcome, Topic, Wakeup};

use crate::support::*;

/// What the listener hears within `wait` (None: nothing).
async fn heard(listener: &mut gatehouse_core::ChangeListener, wait: Duration) -> Option<Vec<Change>> {
    match tokio::time::timeout(wait, listener.next()).await {
        Err(_) => None,
        Ok(wakeup) => match wakeup.unwrap() {
            Wakeup::Changes(changes) => Some(changes),
            Wakeup::Reconnected => panic!("the listener reconnected"),
        },
    }
}

/// Writes a notice for `recipient` straight into the database in a transaction, then
/// commits it or rolls it back.
async fn raw_notice(fx: &Fixture, recipient: i64, commit: bool) {
    const INSERT: &str =
        "INSERT INTO notices (recipient_id, at, kind, title, body, native) VALUES ($1, 0, 'test', 't', 'b', FALSE)";
    match &fx.database {
        Database::Sqlite { data_dir } => {
            let url = format!("sqlite://{}", data_dir.join("gatehouse.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(INSERT).bind(recipient).execute(&mut *tx).await.unwrap();
            if commit {
                tx.commit().await.unwrap()
            } else {
                tx.rollback().await.unwrap()
            }
            pool.close().await;
        }
        Database::Postgres { url } => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(INSERT).bind(recipient).execute(&mut *tx).await.unwrap();
            if commit {
                tx.commit().await.unwrap()
            } else {
                tx.rollback().await.unwrap()
            }
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn a_commit_is_heard_and_a_rolled_back_transaction_tells_nothing() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let mut listener = fx.gate.listen_for_changes().await.unwrap();
    let before = fx.gate.notice_cursor().await.unwrap();

    raw_notice(&fx, admin.user.id.0, false).await;
    assert_eq!(heard(&mut listener, Duration::from_millis(800)).await, None, "a rollback sends nothing");
    assert_eq!(fx.gate.notices_since(before, 100).await.unwrap().len(), 0);

    raw_notice(&fx, admin.user.id.0, true).await;
    let changes = heard(&mut listener, Duration::from_secs(5)).await.expect("a commit is heard");
    let notices = changes.iter().find(|change| change.topic == Topic::Notices).expect("as a notices change");
    // PostgreSQL names whose notice it is; SQLite's versions don't.
    match fx.database {
        Database::Postgres { .. } => assert_eq!(notices.user, Some(admin.user.id)),
        Database::Sqlite { .. } => assert_eq!(notices.user, None),
    }
    let records = fx.gate.notices_since(before, 100).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].recipient, admin.user.id);
}

#[tokio::test]
async fn a_sign_in_is_heard_as_changes_to_sessions_devices_activity_and_notices() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let mut listener = fx.gate.listen_for_changes().await.unwrap();
    fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    let mut topics = Vec::new();
    while let Some(changes) = heard(&mut listener, Duration::from_secs(2)).await {
        topics.extend(changes.into_iter().map(|change| change.topic));
    }
    for topic in [Topic::Sessions, Topic::Devices, Topic::Activity, Topic::Notices] {
        assert!(topics.contains(&topic), "{topic:?} missing from {topics:?}");
    }
    assert!(!topics.contains(&Topic::Addresses), "{topics:?}");
}

#[tokio::test]
async fn changes_concern_their_user_and_whoever_may_see_them() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let admin_reader = fx.gate.stream_reader(fx.caller(&admin.token)).await.unwrap();
    let bob_reader = fx.gate.stream_reader(fx.caller(&bob.token)).await.unwrap();
    let carol_reader = fx.gate.stream_reader(fx.caller(&carol.token)).await.unwrap();
    let bobs = |topic| Change { topic, user: Some(bob.user.id) };
    // Bob's sessions: Bob and the admin (who sees everyone's), not Carol.
    assert!(bobs(Topic::Sessions).concerns(&bob_reader));
    assert!(bobs(Topic::Sessions).concerns(&admin_reader));
    assert!(!bobs(Topic::Sessions).concerns(&carol_reader));
    // Bob's withdrawal: Bob, and those who approve (admin, finance).
    assert!(bobs(Topic::Withdrawals).concerns(&carol_reader) && bobs(Topic::Withdrawals).concerns(&admin_reader));
    // Bob's personal addresses and notices: Bob alone.
    assert!(!bobs(Topic::Addresses).concerns(&admin_reader) && !bobs(Topic::Notices).concerns(&carol_reader));
    // Shared entries: everyone.
    assert!(Change { topic: Topic::Addresses, user: None }.concerns(&carol_reader));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_following_the_cursor_while_notices_are_written_at_once_misses_none() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let mut emails = Vec::new();
    for i in 0..8 {
        let email = format!("user{i}@example.com");
        fx.user(&admin, &email, Role::Member, &terminal()).await;
        emails.push(email);
    }
    let start = fx.gate.notice_cursor().await.unwrap();
    let writers: Vec<_> = emails
        .into_iter()
        .map(|email| {
            let (gate, now) = (fx.gate.clone(), fx.now());
            // Each sign-in writes notices for the user's other sessions and for the admin.
            tokio::spawn(async move {
                for _ in 0..4 {
                    let outcome = gate.sign_in(&email, USER_PASSWORD, &desktop(), now).await.unwrap();
                    assert!(matches!(outcome, SignInOutcome::SignedIn(_)));
                }
            })
        })
        .collect();
    // A reader that remembers only the newest cursor it saw, as a server's hub does.
    let reader = {
        let gate = fx.gate.clone();
        tokio::spawn(async move {
            let (mut cursor, mut seen) = (start, Vec::new());
            for _ in 0..2000 {
                for record in gate.notices_since(cursor, 1000).await.unwrap() {
                    cursor = record.cursor();
                    seen.push(record.cursor());
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            seen
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    let mut seen = reader.await.unwrap();
    let rest: Vec<i64> =
        fx.gate.notices_since(*seen.last().unwrap_or(&start), 1000).await.unwrap().iter().map(|r| r.cursor()).collect();
    seen.extend(rest);
    let all: Vec<i64> = fx.gate.notices_since(start, 1000).await.unwrap().iter().map(|r| r.cursor()).collect();
    assert!(all.len() >= 32, "each sign-in told the admin: {}", all.len());
    assert_eq!(seen, all, "following the cursor skipped no notice and saw none twice");
}

#[tokio::test]
async fn a_reconnecting_reader_gets_exactly_what_it_missed_unless_that_is_too_far_back() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let _bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let reader = fx.gate.stream_reader(fx.caller(&admin.token)).await.unwrap();
    let cursor = fx.gate.notice_cursor().await.unwrap();
    for _ in 0..3 {
        fx.gate.sign_in("bob@example.com", USER_PASSWORD, &desktop(), fx.now()).await.unwrap();
    }
    let Missed::Notices(missed) = fx.gate.missed_notices(&reader, cursor, fx.now()).await.unwrap() else {
        panic!("expected the missed notices")
    };
    assert_eq!(missed.len(), 3, "{missed:?}");
    assert!(missed.iter().all(|notice| notice.kind.starts_with("everyone.") && notice.id > cursor), "{missed:?}");
    assert!(missed.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(missed.iter().all(|notice| notice.session_endable && !notice.disownable));
    // Nothing after the newest.
    let newest = missed.last().unwrap().id;
    assert_eq!(fx.gate.missed_notices(&reader, newest, fx.now()).await.unwrap(), Missed::Notices(Vec::new()));
    // A day later the backlog isn't replayed; a cursor this database never gave out isn't either.
    fx.advance(Duration::from_secs(25 * 60 * 60));
    assert_eq!(fx.gate.missed_notices(&reader, cursor, fx.now()).await.unwrap(), Missed::TooOld);
    assert_eq!(fx.gate.missed_notices(&reader, newest + 1000, fx.now()).await.unwrap(), Missed::TooOld);
}

#[tokio::test]
async fn a_session_end_says_why_and_who_ended_it() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    assert_eq!(fx.gate.session_end(fx.caller(&bob.token)).await.unwrap(), None);
    fx.confirm(&admin).await;
    fx.gate.end_session(fx.caller(&admin.token), bob.session_id).await.unwrap();
    let end = fx.gate.session_end(fx.caller(&bob.token)).await.unwrap().unwrap();
    assert_eq!(end.reason, "ended_by_admin");
    assert_eq!(end.by.as_deref(), Some("Ada Admin (ada@example.com)"));
    assert_eq!(end.message(), "Ada Admin (ada@example.com), an administrator, ended this session.");

    // Signing out is nobody's doing but the session's own.
    let again = fx.gate.sign_in("bob@example.com", USER_PASSWORD, &terminal(), fx.now()).await.unwrap();
    let again = again.signed_in().unwrap();
    fx.gate.sign_out(fx.caller(&again.token)).await.unwrap();
    let end = fx.gate.session_end(fx.caller(&again.token)).await.unwrap().unwrap();
    assert_eq!((end.reason, end.by), ("signed_out", None));
}

#[tokio::test]
async fn reading_the_stream_does_not_keep_a_session_alive() {
    let fx = Fixture::new().await;
    let admin = fx.admin().await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let idle = gatehouse_core::Policy::default().session_idle();
    // Checked every ten minutes by a stream, the session still idles out.
    let mut checks = 0;
    let refused = loop {
        fx.advance(Duration::from_secs(600));
        match fx.gate.stream_reader(fx.caller(&bob.token)).await {
            Ok(_) => checks += 1,
            Err(err) => break err,
        }
    };
    assert_eq!(refused.code(), "session.expired");
    assert_eq!(checks, idle.as_secs() / 600 - 1, "it lasted exactly its idle time");
    assert_eq!(fx.gate.session_end(fx.caller(&bob.token)).await.unwrap().unwrap().reason, "expired");
}
