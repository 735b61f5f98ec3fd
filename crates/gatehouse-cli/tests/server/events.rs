//! Event streams (`GET /api/v1/events`) across two instances: notices written at once
//! through both arrive at a stream on each, in cursor order and complete; a stream resumed
//! from an old cursor gets exactly what it missed; a session ended on the other instance
//! closes its stream saying why and by whom.

use std::time::Duration;

use gatehouse_api::StreamEvent;
use gatehouse_api::operations as ops;
use gatehouse_client::{ClientEvent, Connection, EventStream, Remote};
use gatehouse_core::SessionToken;

use crate::team::{ADMIN, ADMIN_PASSWORD, Team};
use crate::{BOB, BOB_PASSWORD, CAROL, CAROL_PASSWORD, add_user, sign_in, step_up};

/// Longer than any of these should take; the benchmark measures how long they do take.
const PATIENCE: Duration = Duration::from_secs(10);

fn events(server: &Remote, token: &SessionToken, cursor: Option<i64>) -> EventStream {
    Connection::Remote(server.clone()).events(SessionToken::parse(token.expose()).unwrap(), cursor)
}

/// The next stream event (connection news skipped); None when the stream is over or
/// nothing came within `wait`.
async fn next_event(stream: &mut EventStream, wait: Duration) -> Option<StreamEvent> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(ClientEvent::Event(event))) => return Some(event),
            Ok(Some(ClientEvent::Connected)) => {}
            Ok(Some(ClientEvent::Disconnected { error, .. })) => panic!("the stream broke: {error}"),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Reads until `count` notices came (failing after [`PATIENCE`]); returns their cursors and
/// the topics of the changes seen meanwhile.
async fn notices(stream: &mut EventStream, count: usize) -> (Vec<i64>, Vec<String>) {
    let (mut cursors, mut topics) = (Vec::new(), Vec::new());
    while cursors.len() < count {
        match next_event(stream, PATIENCE).await {
            Some(StreamEvent::Notice { cursor, notice }) => {
                assert_eq!(cursor, notice.id);
                cursors.push(cursor);
            }
            Some(StreamEvent::Changed { topics: changed }) => topics.extend(changed),
            Some(other) => panic!("unexpected {other:?}"),
            None => panic!("only {} of {count} notices came: {cursors:?}", cursors.len()),
        }
    }
    (cursors, topics)
}

async fn ready(stream: &mut EventStream) -> i64 {
    match next_event(stream, PATIENCE).await {
        Some(StreamEvent::Ready { cursor }) => cursor,
        other => panic!("expected ready, got {other:?}"),
    }
}

/// The ids of the admin's notices about sign-ins after `cursor`, from the notifications list.
async fn listed_after(server: &Remote, token: &SessionToken, cursor: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = server
        .call(&ops::ListNotices {}, Some(token))
        .await
        .unwrap()
        .into_iter()
        .filter(|notice| notice.id > cursor && !notice.from_this_session)
        .map(|notice| notice.id)
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notices_written_at_once_through_both_instances_reach_a_stream_on_each_in_order() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin_on_a = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin_on_a, ADMIN_PASSWORD).await;
    add_user(&team, &admin_on_a, BOB, "member", BOB_PASSWORD).await;
    add_user(&team, &admin_on_a, CAROL, "member", CAROL_PASSWORD).await;
    let admin_on_b = sign_in(b, ADMIN, ADMIN_PASSWORD).await;
    let (mut stream_a, mut stream_b) = (events(a, &admin_on_a, None), events(b, &admin_on_b, None));
    let (start_a, start_b) = (ready(&mut stream_a).await, ready(&mut stream_b).await);

    // Bob signs in through A while Carol signs in through B; each sign-in tells the admin.
    const EACH: usize = 5;
    let signing_in = |server: Remote, email: &'static str, password: &'static str| {
        tokio::spawn(async move {
            for _ in 0..EACH {
                sign_in(&server, email, password).await;
            }
        })
    };
    let bob = signing_in(a.clone(), BOB, BOB_PASSWORD);
    let carol = signing_in(b.clone(), CAROL, CAROL_PASSWORD);
    bob.await.unwrap();
    carol.await.unwrap();

    let expected_a = listed_after(a, &admin_on_a, start_a).await;
    let expected_b = listed_after(b, &admin_on_b, start_b).await;
    assert!(expected_a.len() >= 2 * EACH, "{expected_a:?}");
    let (seen_a, _) = notices(&mut stream_a, expected_a.len()).await;
    let (seen_b, _) = notices(&mut stream_b, expected_b.len()).await;
    assert_eq!(seen_a, expected_a, "instance A's stream: every notice, in cursor order, once");
    assert_eq!(seen_b, expected_b, "instance B's stream: every notice, in cursor order, once");
    // Nothing more, and nothing twice.
    loop {
        match next_event(&mut stream_a, Duration::from_millis(1500)).await {
            Some(StreamEvent::Changed { .. }) => {}
            None => break,
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    // The admin's pages hear that sessions and activity changed.
    let (_, topics) = tokio::join!(sign_in(b, BOB, BOB_PASSWORD), async {
        let mut topics = Vec::new();
        while !(topics.contains(&"sessions".to_owned()) && topics.contains(&"activity".to_owned())) {
            match next_event(&mut stream_a, PATIENCE).await {
                Some(StreamEvent::Changed { topics: changed }) => topics.extend(changed),
                Some(StreamEvent::Notice { .. }) => {}
                other => panic!("expected changes, got {other:?} after {topics:?}"),
            }
        }
        topics
    });
    assert!(!topics.contains(&"addresses".to_owned()), "{topics:?}");
}

#[tokio::test]
async fn a_stream_resumed_from_an_old_cursor_gets_exactly_what_it_missed() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin, ADMIN_PASSWORD).await;
    add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;
    let mut stream = events(a, &admin, None);
    let cursor = ready(&mut stream).await;
    drop(stream);

    for _ in 0..3 {
        sign_in(b, BOB, BOB_PASSWORD).await;
    }
    let missed = listed_after(a, &admin, cursor).await;
    assert_eq!(missed.len(), 3, "{missed:?}");
    // Resumed on the other instance: the three, in order, then nothing.
    let mut resumed = events(b, &admin, Some(cursor));
    let (seen, _) = notices(&mut resumed, 3).await;
    assert_eq!(seen, missed);
    assert!(
        !matches!(next_event(&mut resumed, Duration::from_millis(1500)).await, Some(StreamEvent::Notice { .. })),
        "nothing is repeated"
    );
    // A cursor this server never gave out: start again from the newest.
    let mut unknown = events(a, &admin, Some(missed[2] + 1000));
    assert_eq!(next_event(&mut unknown, PATIENCE).await, Some(StreamEvent::Resync { cursor: missed[2] }));
}

#[tokio::test]
async fn a_session_ended_on_the_other_instance_closes_its_stream_saying_who_ended_it() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin, ADMIN_PASSWORD).await;
    add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;
    let bob = sign_in(b, BOB, BOB_PASSWORD).await;
    let mut stream = events(b, &bob, None);
    ready(&mut stream).await;

    let sessions = a.call(&ops::ListSessions { user_id: None }, Some(&bob)).await.unwrap();
    let current = sessions.iter().find(|session| session.is_current).unwrap().id;
    a.call(&ops::EndSession { session_id: current }, Some(&admin)).await.unwrap();
    let ended = loop {
        match next_event(&mut stream, PATIENCE).await {
            Some(StreamEvent::Changed { .. }) => {}
            other => break other,
        }
    };
    let expected = StreamEvent::SessionEnded {
        reason: "ended_by_admin".to_owned(),
        message: "Ada Admin (ada@example.com), an administrator, ended this session.".to_owned(),
    };
    assert_eq!(ended, Some(expected.clone()));
    assert_eq!(stream.next().await.map(|event| format!("{event:?}")), None, "the stream is over");
    // Coming back later with the ended session: told at once, not refused without a reason.
    let mut again = events(a, &bob, Some(0));
    assert_eq!(next_event(&mut again, PATIENCE).await, Some(expected));
}

/// `gatehouse notices watch --json` against server `index`, its lines sent to a channel.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watch {
    fn start(team: &Team, index: usize, token: &SessionToken, cursor_file: &std::path::Path) -> Watch {
        use std::io::BufRead;
        let cursor_file = cursor_file.display().to_string();
        let mut command = team.cli_command(index, &["notices", "watch", "--json", "--cursor-file", &cursor_file]);
        let mut child = command.env("GATEHOUSE_TOKEN", token.expose()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Watch { child, lines }
    }

    /// The notices printed within `wait`, as JSON.
    fn printed(&self, wait: Duration) -> Vec<serde_json::Value> {
        let deadline = std::time::Instant::now() + wait;
        let mut printed = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => printed.push(serde_json::from_str(&line).unwrap()),
                Err(_) => break,
            }
        }
        printed
    }

    fn next(&self) -> serde_json::Value {
        serde_json::from_str(&self.lines.recv_timeout(PATIENCE).expect("a notice was printed")).unwrap()
    }

    /// Stops it as a crash would.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Waits until the watch's cursor file says `cursor`.
fn wait_for_cursor(file: &std::path::Path, cursor: i64) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::fs::read_to_string(file).ok().as_deref().map(str::trim) != Some(cursor.to_string().as_str()) {
        assert!(std::time::Instant::now() < deadline, "{} never said {cursor}", file.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the watch has saved where it starts (it is then listening).
fn wait_for_file(file: &std::path::Path) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while !file.exists() {
        assert!(std::time::Instant::now() < deadline, "{} was not written", file.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn notices_watch_prints_a_sign_in_through_the_other_instance_and_after_a_crash_what_it_missed_once() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin, ADMIN_PASSWORD).await;
    add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;
    let cursor_file = team.dir_file("watch.cursor");

    let watch = Watch::start(&team, 0, &admin, &cursor_file);
    wait_for_file(&cursor_file);
    sign_in(b, BOB, BOB_PASSWORD).await;
    let first = watch.next();
    assert!(first["kind"].as_str().unwrap().starts_with("everyone."), "{first}");
    assert!(first["title"].as_str().unwrap().contains(BOB), "{first}");
    // Killed once it has handled that notice: the cursor is saved just after the line is
    // printed (a kill in between would print that one notice again — never lose it).
    wait_for_cursor(&cursor_file, first["id"].as_i64().unwrap());
    watch.kill();

    // Two sign-ins while nobody watches; the restarted watch prints those two, once.
    sign_in(b, BOB, BOB_PASSWORD).await;
    sign_in(a, BOB, BOB_PASSWORD).await;
    let watch = Watch::start(&team, 1, &admin, &cursor_file);
    let missed = watch.printed(Duration::from_secs(3));
    let ids: Vec<i64> = missed.iter().map(|notice| notice["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{missed:?}");
    assert!(first["id"].as_i64().unwrap() < ids[0] && ids[0] < ids[1], "{ids:?}");
    assert_eq!(std::fs::read_to_string(&cursor_file).unwrap().trim(), ids[1].to_string());
    watch.kill();
}

#[tokio::test]
async fn a_stream_closes_when_its_session_locks_and_a_bad_token_gets_no_stream() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    let mut stream = events(b, &admin, None);
    ready(&mut stream).await;
    // Locked through the other instance (as the app's Lock button or the idle lock does).
    a.call(&ops::Lock {}, Some(&admin)).await.unwrap();
    let locked = loop {
        match next_event(&mut stream, PATIENCE).await {
            Some(StreamEvent::Changed { .. }) => {}
            other => break other,
        }
    };
    assert_eq!(locked, Some(StreamEvent::SessionLocked {}));
    assert!(stream.next().await.is_none(), "the stream is over until unlocked");

    // A token the server never issued: told to sign in, and no stream.
    let mut text: Vec<char> = admin.expose().chars().collect();
    let middle = text.len() - 10;
    text[middle] = if text[middle] == 'A' { 'B' } else { 'A' };
    let forged = SessionToken::parse(&text.into_iter().collect::<String>()).unwrap();
    let mut refused = events(a, &forged, None);
    match next_event(&mut refused, PATIENCE).await {
        Some(StreamEvent::SessionEnded { reason, .. }) => assert_eq!(reason, "signed_out"),
        other => panic!("expected to be told to sign in, got {other:?}"),
    }
    assert!(refused.next().await.is_none());
    let (status, _) = team.curl_get(0, "/api/v1/events");
    assert_eq!(status, 401, "no token, no stream");
}
