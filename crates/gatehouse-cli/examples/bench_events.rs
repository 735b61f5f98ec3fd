//! The load generator of `scripts/bench-events`, which builds it and runs it beside two
//! `gatehouse serve` instances (A and B) on one PostgreSQL database, dunst and a private
//! D-Bus session. It drives the servers through gatehouse-client exactly as the desktop app
//! does (one `EventStream` per session, native notifications through `gatehouse_host`) and
//! checks what arrived against the database itself:
//!
//! 1. latency: an admin's stream on B; a member signs in through A, one sign-in at a time;
//!    from the sign-in's answer (and from sending it) until `show_alert` returned for its
//!    notice on the admin's side;
//! 2. load: many streams split over A and B while members sign in at a steady rate (an
//!    open-loop pacer, alternating instances); every notice each stream received is
//!    compared with what the database says it should have received;
//! 3. faults: the same load, shorter, while A is killed (`kill -9`) and restarted on its
//!    address, then PostgreSQL restarts: nothing may be lost or repeated.
//!
//! The faults are caused through a control script (`CONTROL kill a`, `CONTROL start a`,
//! `CONTROL restart-postgres`) that `scripts/bench-events` writes, since it owns the
//! processes. Prints a compact report; `--json FILE` writes the same numbers.
// A benchmark stops at the first thing that can't go on, saying what.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use gatehouse_api::operations as ops;
use gatehouse_api::{
    ApiError, ClientKindView, ClientRequest, DeviceKindView, DeviceRequest, NewUserRequest, Secret, SignInResult,
    StreamEvent,
};
use gatehouse_client::{ClientEvent, Connection, EventStream, Fingerprint, Remote, Trust};
use gatehouse_core::SessionToken;
use gatehouse_host::DesktopAlert;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// Every user this benchmark makes gets this password (after the temporary one).
const PASSWORD: &str = "quiet-meadow-copper-77";
const TEMPORARY: &str = "amber-window-falcon-31";
/// The client name in every sign-in; the version carries a tag, and the notices' bodies
/// name both ("… · 127.0.0.1 · bench-events latency-7."), which is how a notice is matched
/// to its sign-in.
const CLIENT_NAME: &str = "bench-events";
/// Sign-ins (argon2id) run at most this many at once while setting up: two cores.
const SETUP_PARALLELISM: usize = 4;
/// The latency goal the report states.
const GOAL_P50_MS: f64 = 100.0;
const GOAL_P99_MS: f64 = 500.0;
/// The faults, in seconds after the load started, and what the control script is asked.
const FAULTS: [(f64, &str, &[&str]); 3] = [
    (10.0, "kill -9 A", &["kill", "a"]),
    (13.0, "restart A (same port)", &["start", "a"]),
    (25.0, "restart PostgreSQL (pg_ctl restart -m fast)", &["restart-postgres"]),
];
/// /proc/<pid>/stat counts in clock ticks: 100 per second on Linux (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

#[derive(Debug, Parser)]
#[command(about = "Event-stream benchmark of gatehouse serve (run by scripts/bench-events)")]
struct Args {
    /// Instance A (https://127.0.0.1:PORT)
    #[arg(long)]
    a: String,
    /// Instance B
    #[arg(long)]
    b: String,
    /// SHA-256 fingerprint of the servers' self-signed certificate (pinned, as the desktop
    /// app pins a self-signed server)
    #[arg(long)]
    fingerprint: String,
    /// The database both instances use: read directly for what each stream should receive
    #[arg(long, env = "GATEHOUSE_DATABASE")]
    database: String,
    /// The first admin (made by `gatehouse init`)
    #[arg(long)]
    admin: String,
    /// Their password
    #[arg(long, env = "BENCH_ADMIN_PASSWORD")]
    admin_password: String,
    /// Causes the faults: `CONTROL kill a`, `CONTROL start a`, `CONTROL restart-postgres`
    #[arg(long)]
    control: Option<PathBuf>,
    /// Folder with the servers' pid files and logs (a.pid, a.log, b.pid, b.log): their CPU
    /// time, and what they logged during each run
    #[arg(long)]
    pid_dir: Option<PathBuf>,
    /// Sign-ins measured for latency
    #[arg(long, default_value_t = 50)]
    latency_runs: usize,
    /// Pause between two latency sign-ins (ms)
    #[arg(long, default_value_t = 150)]
    latency_pause_ms: u64,
    /// Admins streaming under load
    #[arg(long, default_value_t = 10)]
    admins: usize,
    /// Members streaming (and signing in) under load
    #[arg(long, default_value_t = 40)]
    members: usize,
    /// Streaming sessions per user, half on A and half on B
    #[arg(long, default_value_t = 4)]
    sessions_per_user: usize,
    /// Sign-ins per second under load
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Length of the load run (s)
    #[arg(long, default_value_t = 60)]
    load_seconds: u64,
    /// Length of the run with faults (s; at least 30, the last fault is at 25 s)
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(30..))]
    fault_seconds: u64,
    /// Skip the run with faults
    #[arg(long)]
    no_faults: bool,
    /// Also write the numbers here, as JSON
    #[arg(long)]
    json: Option<PathBuf>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = Args::parse();
    let servers = Servers::new(&args);
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&args.database)
        .await
        .expect("the benchmark connects to the database");
    let mut logs = ServerLogs::new(args.pid_dir.as_deref());
    let setup_started = Instant::now();
    let team = set_up_team(&servers, &args).await;
    println!(
        "set-up: {} admins and {} members made in {:.1} s (plus the first admin, {})",
        team.admins.len(),
        team.members.len(),
        setup_started.elapsed().as_secs_f64(),
        args.admin
    );

    let mut report = serde_json::Map::new();
    let mut phase = |name: &str, mut numbers: Value| {
        numbers["server_logs"] = logs.print();
        report.insert(name.to_owned(), numbers);
    };
    phase("latency", latency(&servers, &team, &args).await);
    let load_run = LoadRun { seconds: args.load_seconds, faults: false };
    phase("load", load(&servers, &team, &db, &args, &load_run).await);
    if !args.no_faults {
        let fault_run = LoadRun { seconds: args.fault_seconds, faults: true };
        phase("faults", load(&servers, &team, &db, &args, &fault_run).await);
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&Value::Object(report)).expect("the report is JSON");
        std::fs::write(path, text + "\n").expect("the JSON report is written");
        println!("\nJSON: {}", path.display());
    }
}

// ---- Servers, users, sign-ins ----

/// The two instances, as clients reach them (certificate pinned by fingerprint).
struct Servers {
    urls: [String; 2],
    trust: Trust,
    /// Shared clients for set-up and the sign-in pacer (pooled connections).
    shared: [Remote; 2],
}

impl Servers {
    fn new(args: &Args) -> Self {
        let fingerprint = Fingerprint::parse(&args.fingerprint).expect("--fingerprint is a SHA-256 fingerprint");
        let trust = Trust::Pinned(fingerprint);
        let urls = [args.a.clone(), args.b.clone()];
        let shared = [0, 1].map(|i| Remote::new(&urls[i], &trust).expect("the server URL is valid"));
        Servers { urls, trust, shared }
    }

    fn name(index: usize) -> &'static str {
        ["A", "B"][index]
    }

    fn remote(&self, index: usize) -> &Remote {
        &self.shared[index]
    }

    /// A client with connections of its own, as each desktop app has.
    fn fresh(&self, index: usize) -> Remote {
        Remote::new(&self.urls[index], &self.trust).expect("the server URL is valid")
    }
}

/// A user this benchmark made.
#[derive(Debug, Clone)]
struct User {
    email: String,
    id: i64,
    admin: bool,
}

struct Team {
    admins: Vec<User>,
    members: Vec<User>,
    /// The member whose sign-ins are timed (no stream of theirs is open).
    latency_member: User,
}

/// One installation per user: repeated sign-ins come from a known device, so only the
/// first is flagged "new device".
fn device(email: &str) -> DeviceRequest {
    DeviceRequest {
        installation_id: format!("bench-{}", email.replace(['@', '.'], "-")),
        name: "bench laptop".to_owned(),
        kind: DeviceKindView::Laptop,
        os: "Debian".to_owned(),
        os_version: "12".to_owned(),
    }
}

async fn sign_in(server: &Remote, email: &str, password: &str, tag: &str) -> Result<SessionToken, ApiError> {
    let request = ops::SignIn {
        email: email.to_owned(),
        password: Secret::new(password),
        device: device(email),
        client: ClientRequest { kind: ClientKindView::Desktop, name: CLIENT_NAME.to_owned(), version: tag.to_owned() },
    };
    match server.call(&request, None).await? {
        SignInResult::SignedIn { session_token } => {
            Ok(SessionToken::parse(session_token.expose()).expect("the server hands out valid tokens"))
        }
        SignInResult::SecondFactorRequired { .. } => {
            Err(ApiError::new("bench.two_factor", format!("{email} has two-factor on; the benchmark can't sign in")))
        }
    }
}

/// The first admin signs in and steps up, then makes the admins and members (in parallel,
/// a few at a time: each costs four password hashes).
async fn set_up_team(servers: &Servers, args: &Args) -> Team {
    let a = servers.remote(0);
    let first = sign_in_patiently(a, &args.admin, &args.admin_password, "setup").await;
    a.call(&ops::StepUp { answer: Secret::new(&args.admin_password) }, Some(&first))
        .await
        .expect("the first admin steps up");
    let first = Arc::new(first);
    let mut wanted: Vec<(String, bool)> = Vec::new();
    wanted.extend((1..=args.admins).map(|i| (format!("admin{i:02}@bench.example.com"), true)));
    wanted.extend((1..=args.members).map(|i| (format!("member{i:02}@bench.example.com"), false)));
    wanted.push(("latency@bench.example.com".to_owned(), false));
    let users = run_limited(wanted, |(email, admin)| {
        let (servers_a, servers_b, first) = (servers.remote(0).clone(), servers.remote(1).clone(), Arc::clone(&first));
        async move { add_user(&servers_a, &servers_b, &first, &email, admin).await }
    })
    .await;
    let (mut admins, mut members): (Vec<User>, Vec<User>) = users.into_iter().partition(|user| user.admin);
    admins.sort_by(|x, y| x.email.cmp(&y.email));
    members.sort_by(|x, y| x.email.cmp(&y.email));
    let latency_member = members.remove(members.iter().position(|m| m.email.starts_with("latency@")).unwrap());
    Team { admins, members, latency_member }
}

/// Creates a user with a temporary password through A; they sign in through B and choose
/// their own, as a new team member does.
async fn add_user(a: &Remote, b: &Remote, first: &SessionToken, email: &str, admin: bool) -> User {
    let role = if admin { "admin" } else { "member" };
    let request = NewUserRequest {
        email: email.to_owned(),
        name: String::new(),
        role: role.to_owned(),
        password: TEMPORARY.to_owned(),
    };
    let made = a.call(&ops::CreateUser { request }, Some(first)).await.expect("the first admin creates a user");
    let token = sign_in_patiently(b, email, TEMPORARY, "setup").await;
    let change = ops::ChangePassword { current: Secret::new(TEMPORARY), new: Secret::new(PASSWORD) };
    b.call(&change, Some(&token)).await.expect("a new user chooses a password");
    User { email: email.to_owned(), id: made.id, admin }
}

/// Runs `work` for every item, [`SETUP_PARALLELISM`] at a time, starting them in order
/// (the permit is taken before the task exists: tasks themselves start in any order);
/// results in any order.
async fn run_limited<I, F, T>(items: Vec<I>, work: impl Fn(I) -> F) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(SETUP_PARALLELISM));
    let mut tasks = JoinSet::new();
    for item in items {
        let permit = Arc::clone(&permits).acquire_owned().await.expect("the semaphore stays open");
        let job = work(item);
        tasks.spawn(async move {
            let done = job.await;
            drop(permit);
            done
        });
    }
    tasks.join_all().await
}

/// A set-up sign-in: like [`sign_in`], but waiting out the account's throttle if it
/// answers so (a few times), since set-up must not fail on timing.
async fn sign_in_patiently(server: &Remote, email: &str, password: &str, tag: &str) -> SessionToken {
    for _ in 0..5 {
        match sign_in(server, email, password, tag).await {
            Ok(token) => return token,
            Err(err) if err.code == "auth.throttled" => {
                eprintln!("set-up: {email} throttled ({}); waiting", err.message);
                tokio::time::sleep(Duration::from_secs(err.retry_after_seconds.unwrap_or(1))).await;
            }
            Err(err) => panic!("{email} could not sign in: {err:?}"),
        }
    }
    panic!("{email} stayed throttled")
}

// ---- 1. Latency ----

/// What the admin's "desktop" did with one notice.
struct Shown {
    body: String,
    received: Instant,
    returned: Instant,
    result: Result<(), String>,
}

/// The desktop app's part: its session's stream; each native notice shown through the
/// notification service on a blocking thread, one after the other (as src-tauri's watcher
/// does). Counts disconnections.
async fn desktop(mut stream: EventStream, shown: mpsc::UnboundedSender<Shown>, disconnects: Arc<Mutex<Vec<String>>>) {
    while let Some(event) = stream.next().await {
        let notice = match event {
            ClientEvent::Event(StreamEvent::Notice { notice, .. }) if notice.native => notice,
            ClientEvent::Disconnected { error, .. } => {
                disconnects.lock().unwrap().push(error.code);
                continue;
            }
            _ => continue,
        };
        let received = Instant::now();
        let alert = DesktopAlert { summary: notice.title.clone(), body: notice.body.clone(), actions: Vec::new() };
        let result = tokio::task::spawn_blocking(move || gatehouse_host::show_alert(&alert, |_| {}))
            .await
            .map_err(|err| err.to_string())
            .and_then(|shown| shown.map_err(|err| err.to_string()));
        let returned = Instant::now();
        if shown.send(Shown { body: notice.body, received, returned, result }).is_err() {
            return;
        }
    }
}

/// Waits for the stream's `ready` (its starting cursor); panics after 30 s.
async fn ready(stream: &mut EventStream) -> i64 {
    let wait = async {
        loop {
            match stream.next().await {
                Some(ClientEvent::Event(StreamEvent::Ready { cursor })) => return cursor,
                Some(ClientEvent::Connected) => {}
                Some(other) => eprintln!("waiting for ready: {other:?}"),
                None => panic!("the stream ended before it was ready"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait).await.expect("the stream is ready within 30 s")
}

/// Phase 1: sign-ins through A, one at a time; the admin's desktop on B shows each.
async fn latency(servers: &Servers, team: &Team, args: &Args) -> Value {
    let admin = &team.admins[0];
    let token = sign_in_patiently(servers.remote(1), &admin.email, PASSWORD, "latency-desktop").await;
    let mut stream = Connection::Remote(servers.fresh(1)).events(token, None);
    ready(&mut stream).await;
    let (shown_sender, mut shown) = mpsc::unbounded_channel();
    let disconnects = Arc::new(Mutex::new(Vec::new()));
    let desktop_task = tokio::spawn(desktop(stream, shown_sender, Arc::clone(&disconnects)));

    let member = &team.latency_member;
    let mut asked: Vec<(String, Instant, Instant)> = Vec::new();
    let mut errors = Vec::new();
    for run in 0..args.latency_runs {
        let tag = format!("latency-{run}");
        let sent = Instant::now();
        match sign_in(servers.remote(0), &member.email, PASSWORD, &tag).await {
            Ok(_) => asked.push((tag, sent, Instant::now())),
            Err(err) => errors.push(err.code),
        }
        tokio::time::sleep(Duration::from_millis(args.latency_pause_ms)).await;
    }
    // The last notices may still be on their way.
    let mut seen: Vec<Shown> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while seen.len() < asked.len() {
        match tokio::time::timeout_at(deadline, shown.recv()).await {
            Ok(Some(one)) => seen.push(one),
            Ok(None) | Err(_) => break,
        }
    }
    while let Ok(one) = shown.try_recv() {
        seen.push(one);
    }
    desktop_task.abort();
    latency_report(&asked, &seen, &errors, &disconnects.lock().unwrap(), args)
}

fn latency_report(
    asked: &[(String, Instant, Instant)],
    seen: &[Shown],
    errors: &[String],
    disconnects: &[String],
    args: &Args,
) -> Value {
    let (mut from_answer, mut from_sending, mut delivery, mut show_call) = (vec![], vec![], vec![], vec![]);
    let mut show_failures = Vec::new();
    let mut unmatched = 0;
    for (tag, sent, answered) in asked {
        let ending = format!("{CLIENT_NAME} {tag}.");
        let Some(shown) = seen.iter().find(|shown| shown.body.ends_with(&ending)) else {
            unmatched += 1;
            continue;
        };
        if let Err(err) = &shown.result {
            show_failures.push(err.clone());
        }
        from_answer.push(ms(shown.returned.saturating_duration_since(*answered)));
        from_sending.push(ms(shown.returned.saturating_duration_since(*sent)));
        delivery.push(signed_ms(shown.received, *answered));
        show_call.push(ms(shown.returned.saturating_duration_since(shown.received)));
    }
    let from_answer = Summary::of(from_answer);
    let from_sending = Summary::of(from_sending);
    let delivery = Summary::of(delivery);
    let show_call = Summary::of(show_call);
    let within = |s: &Summary| s.count > 0 && s.p50 <= GOAL_P50_MS && s.p99 <= GOAL_P99_MS;
    let met = within(&from_answer) && within(&from_sending) && unmatched == 0 && show_failures.is_empty();
    println!(
        "\n== 1. Latency: a member signs in through A ({} times, {} ms apart); an admin's stream on B shows each \
         notice with gatehouse_host::show_alert (dunst)",
        args.latency_runs, args.latency_pause_ms
    );
    println!("{:<52} {:>9} {:>9} {:>9}", "", "p50 ms", "p99 ms", "max ms");
    for (label, summary) in [
        ("sign-in answered -> show_alert returned", &from_answer),
        ("sign-in sent -> show_alert returned", &from_sending),
        ("  of which: answered -> notice received (<0: first)", &delivery),
        ("  of which: the show_alert call", &show_call),
    ] {
        println!("{label:<52} {:>9.1} {:>9.1} {:>9.1}", summary.p50, summary.p99, summary.max);
    }
    println!(
        "shown {}/{} (not shown: {unmatched}); sign-in errors: {}; show_alert failures: {}; stream disconnections: {}",
        from_answer.count,
        asked.len(),
        describe_codes(errors),
        describe_codes(&show_failures),
        disconnects.len()
    );
    println!(
        "goal p50 <= {GOAL_P50_MS} ms, p99 <= {GOAL_P99_MS} ms (from the answer and from sending), every notice \
         shown: {}",
        if met { "met" } else { "MISSED" }
    );
    json!({
        "runs": args.latency_runs,
        "answered_to_shown_ms": from_answer.json(),
        "sent_to_shown_ms": from_sending.json(),
        "answered_to_received_ms": delivery.json(),
        "show_alert_call_ms": show_call.json(),
        "not_shown": unmatched,
        "sign_in_errors": errors,
        "show_alert_failures": show_failures,
        "disconnections": disconnects.len(),
        "goal": { "p50_ms": GOAL_P50_MS, "p99_ms": GOAL_P99_MS, "met": met },
    })
}

// ---- 2. and 3. Load, with and without faults ----

struct LoadRun {
    seconds: u64,
    faults: bool,
}

/// One received notice: its cursor, when it was raised (the server's clock: the sign-in
/// request's time) and when it arrived (this machine's clock, the same one), in ms, and
/// which paced sign-in it reports (the n of its "load-n" tag).
#[derive(Debug, Clone, Copy)]
struct Received {
    cursor: i64,
    at: i64,
    arrived: i64,
    sign_in: Option<usize>,
}

/// The n of the "bench-events load-n" a notice's body names (its sign-in's client).
fn paced_sign_in(body: &str) -> Option<usize> {
    let (_, after) = body.split_once(&format!("{CLIENT_NAME} load-"))?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Everything one stream saw.
#[derive(Debug, Default)]
struct Log {
    start_cursor: Option<i64>,
    notices: Vec<Received>,
    /// When, and the error's code.
    disconnects: Vec<(Instant, String)>,
    down_since: Option<Instant>,
    longest_outage: Duration,
    /// When it last came back after being disconnected.
    back_at: Option<Instant>,
    resyncs: Vec<i64>,
    /// A session_ended / session_locked event, or the stream ending.
    endings: Vec<String>,
    changed: u64,
}

impl Log {
    fn record(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::Connected => {
                if let Some(since) = self.down_since.take() {
                    self.longest_outage = self.longest_outage.max(since.elapsed());
                    self.back_at = Some(Instant::now());
                }
            }
            ClientEvent::Disconnected { error, .. } => {
                self.disconnects.push((Instant::now(), error.code));
                self.down_since.get_or_insert_with(Instant::now);
            }
            ClientEvent::Event(event) => self.stream_event(event),
        }
    }

    fn stream_event(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::Ready { cursor } => {
                self.start_cursor.get_or_insert(cursor);
            }
            StreamEvent::Notice { cursor, notice } => {
                let sign_in = paced_sign_in(&notice.body);
                self.notices.push(Received { cursor, at: notice.at, arrived: now_ms(), sign_in });
            }
            StreamEvent::Changed { .. } => self.changed += 1,
            StreamEvent::Resync { cursor } => self.resyncs.push(cursor),
            StreamEvent::SessionEnded { reason, message } => {
                self.endings.push(format!("session ended ({reason}): {message}"))
            }
            StreamEvent::SessionLocked {} => self.endings.push("session locked".to_owned()),
        }
    }
}

/// One streaming session.
struct Client {
    user: User,
    session: i64,
    server: usize,
    log: Arc<Mutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

impl Client {
    /// "member07@… session 812 on B".
    fn name(&self) -> String {
        format!("{} session {} on {}", self.user.email, self.session, Servers::name(self.server))
    }
}

/// Reads a stream into its log until it ends.
async fn watch(mut stream: EventStream, log: Arc<Mutex<Log>>) {
    while let Some(event) = stream.next().await {
        log.lock().unwrap().record(event);
    }
    log.lock().unwrap().endings.push("the stream ended".to_owned());
}

/// Signs in every streaming session (alternating A and B per user), then opens their
/// streams, each with its own connections, and waits until all are ready.
async fn open_clients(servers: &Servers, team: &Team, args: &Args) -> Vec<Client> {
    // Session by session, user after user: sign-ins running at once are of different users
    // (parallel sign-ins of one account are counted as guesses, and throttled).
    let mut wanted = Vec::new();
    for n in 0..args.sessions_per_user {
        wanted.extend(team.admins.iter().chain(&team.members).map(|user| (user.clone(), n % 2, n)));
    }
    let remotes = [servers.remote(0).clone(), servers.remote(1).clone()];
    let sessions = run_limited(wanted, |(user, server, n)| {
        let remote = remotes[server].clone();
        async move {
            let token = sign_in_patiently(&remote, &user.email, PASSWORD, &format!("stream-{n}")).await;
            let listed = remote.call(&ops::ListSessions { user_id: None }, Some(&token)).await.expect("sessions list");
            let session = listed.iter().find(|s| s.is_current).expect("the current session is listed").id;
            (user, server, token, session)
        }
    })
    .await;
    let mut clients: Vec<Client> = sessions
        .into_iter()
        .map(|(user, server, token, session)| {
            let log = Arc::new(Mutex::new(Log::default()));
            let stream = Connection::Remote(servers.fresh(server)).events(token, None);
            let task = tokio::spawn(watch(stream, Arc::clone(&log)));
            Client { user, session, server, log, task }
        })
        .collect();
    clients.sort_by_key(|client| (client.server, client.user.id, client.session));
    let deadline = Instant::now() + Duration::from_secs(60);
    while clients.iter().any(|client| client.log.lock().unwrap().start_cursor.is_none()) {
        assert!(Instant::now() < deadline, "not every stream was ready within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    clients
}

/// How one paced sign-in went.
struct Outcome {
    /// The n of its "load-n" tag.
    index: usize,
    server: usize,
    /// Seconds into the run when it was sent.
    sent: f64,
    took: Duration,
    /// When the answer came (ms since the epoch): the sign-in had committed.
    answered: i64,
    error: Option<String>,
}

/// Signs members in at `rate` per second for `seconds`, whatever the answers take (open
/// loop): member i % n through instance (i + i / n) % 2, so every member alternates too and
/// each signs in once every n / rate seconds (no account is ever throttled).
async fn pace_sign_ins(servers: &Servers, members: &[User], rate: f64, seconds: u64, epoch: Instant) -> Vec<Outcome> {
    let total = (rate * seconds as f64).round() as usize;
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut tasks = JoinSet::new();
    for i in 0..total {
        ticks.tick().await;
        let member = &members[i % members.len()];
        let server = (i + i / members.len()) % 2;
        let (remote, email) = (servers.remote(server).clone(), member.email.clone());
        tasks.spawn(async move {
            let sent = epoch.elapsed();
            let result = sign_in(&remote, &email, PASSWORD, &format!("load-{i}")).await;
            Outcome {
                index: i,
                server,
                sent: sent.as_secs_f64(),
                took: epoch.elapsed() - sent,
                answered: now_ms(),
                error: result.err().map(|e| e.code),
            }
        });
    }
    tasks.join_all().await
}

/// A fault as it happened.
struct Fault {
    what: &'static str,
    at: f64,
    took: Duration,
    result: Result<(), String>,
}

/// Causes [`FAULTS`] on time through the control script.
async fn cause_faults(control: PathBuf, epoch: Instant) -> Vec<Fault> {
    let mut done = Vec::new();
    for (at, what, words) in FAULTS {
        tokio::time::sleep_until((epoch + Duration::from_secs_f64(at)).into()).await;
        let started = epoch.elapsed();
        let result = run_control(&control, words).await;
        done.push(Fault { what, at: started.as_secs_f64(), took: epoch.elapsed() - started, result });
    }
    done
}

/// Runs the control script (bounded: its own waits are, and this gives up after 60 s).
async fn run_control(control: &Path, words: &[&str]) -> Result<(), String> {
    let mut command = std::process::Command::new(control);
    command.args(words).stdin(std::process::Stdio::null());
    let running = tokio::task::spawn_blocking(move || command.output());
    let output = tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .map_err(|_| "timed out after 60 s".to_owned())?
        .map_err(|err| err.to_string())?
        .map_err(|err| format!("could not run the control script: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}: {}", output.status, String::from_utf8_lossy(&output.stderr).trim()))
    }
}

/// Phases 2 and 3: streams open, members sign in at the set rate (and, with faults, A dies
/// and comes back, then PostgreSQL restarts); then every stream's notices are compared with
/// the database.
async fn load(servers: &Servers, team: &Team, db: &sqlx::PgPool, args: &Args, run: &LoadRun) -> Value {
    let clients = open_clients(servers, team, args).await;
    let cpu_before = CpuSample::take(args.pid_dir.as_deref());
    let epoch = Instant::now();
    let faults = match (&args.control, run.faults) {
        (Some(control), true) => Some(tokio::spawn(cause_faults(control.clone(), epoch))),
        (None, true) => panic!("the run with faults needs --control"),
        _ => None,
    };
    let outcomes = pace_sign_ins(servers, &team.members, args.rate, run.seconds, epoch).await;
    let load_time = epoch.elapsed();
    let cpu = cpu_before.usage(&CpuSample::take(args.pid_dir.as_deref()));
    let faults = match faults {
        Some(task) => task.await.expect("the faults ran"),
        None => Vec::new(),
    };
    let final_cursor: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM notices")
        .fetch_one(db)
        .await
        .expect("the newest notice is read");
    let expected = expected_notices(db, &clients, final_cursor).await;
    // Streams that were away (backoff up to 15 s) need a while to catch up.
    let patience = if run.faults { Duration::from_secs(45) } else { Duration::from_secs(20) };
    let settled = wait_until_caught_up(&clients, &expected, patience).await;
    linger(&clients, patience).await;
    for client in &clients {
        client.task.abort();
    }
    let timing = Timing { epoch, load_time, settled };
    load_report(&clients, &expected, &outcomes, &faults, &cpu, &timing, args, run)
}

/// For each client, the notices the database says it should get: its user's, after its
/// starting cursor, up to `final_cursor`, except those its own session raised.
async fn expected_notices(db: &sqlx::PgPool, clients: &[Client], final_cursor: i64) -> Vec<Vec<i64>> {
    let mut expected = Vec::new();
    for client in clients {
        let start = client.log.lock().unwrap().start_cursor.expect("every stream was ready");
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notices WHERE recipient_id = $1 AND id > $2 AND id <= $3
               AND session_id IS DISTINCT FROM $4 ORDER BY id",
        )
        .bind(client.user.id)
        .bind(start)
        .bind(final_cursor)
        .bind(client.session)
        .fetch_all(db)
        .await
        .expect("the expected notices are read");
        expected.push(ids);
    }
    expected
}

/// Waits until every client received all it should (or `patience` ran out); how long it took.
async fn wait_until_caught_up(clients: &[Client], expected: &[Vec<i64>], patience: Duration) -> Option<Duration> {
    let started = Instant::now();
    loop {
        let caught_up = clients.iter().zip(expected).all(|(client, wanted)| {
            let log = client.log.lock().unwrap();
            let got: HashSet<i64> = log.notices.iter().map(|n| n.cursor).collect();
            wanted.iter().all(|id| got.contains(id))
        });
        if caught_up {
            return Some(started.elapsed());
        }
        if started.elapsed() > patience {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Keeps listening a little after everything arrived — until every stream is connected and
/// then three more seconds — so that a late repeat (a stream resuming from a stale cursor)
/// would still be counted.
async fn linger(clients: &[Client], patience: Duration) {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline && clients.iter().any(|client| client.log.lock().unwrap().down_since.is_some()) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
}

/// One client's notices against the database's.
#[derive(Debug, Default)]
struct Tally {
    expected: usize,
    received: usize,
    missing: Vec<i64>,
    duplicated: usize,
    unexpected: Vec<i64>,
    out_of_order: usize,
}

fn tally(log: &Log, wanted: &[i64]) -> Tally {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for notice in &log.notices {
        *counts.entry(notice.cursor).or_default() += 1;
    }
    let wanted_set: HashSet<i64> = wanted.iter().copied().collect();
    Tally {
        expected: wanted.len(),
        received: log.notices.len(),
        missing: wanted.iter().copied().filter(|id| !counts.contains_key(id)).collect(),
        duplicated: counts.values().map(|n| n - 1).sum(),
        unexpected: counts.keys().copied().filter(|id| !wanted_set.contains(id)).collect(),
        out_of_order: log.notices.windows(2).filter(|pair| pair[1].cursor < pair[0].cursor).count(),
    }
}

/// When a run started, how long its sign-ins went on, and how long the streams then took
/// to have everything (None: not within the patience).
struct Timing {
    epoch: Instant,
    load_time: Duration,
    settled: Option<Duration>,
}

#[allow(clippy::too_many_arguments)]
fn load_report(
    clients: &[Client],
    expected: &[Vec<i64>],
    outcomes: &[Outcome],
    faults: &[Fault],
    cpu: &CpuUsage,
    timing: &Timing,
    args: &Args,
    run: &LoadRun,
) -> Value {
    let logs: Vec<_> = clients.iter().map(|client| client.log.lock().unwrap()).collect();
    let tallies: Vec<Tally> = logs.iter().zip(expected).map(|(log, wanted)| tally(log, wanted)).collect();
    let title = if run.faults { "3. Faults" } else { "2. Load" };
    let on = |server| clients.iter().filter(|c| c.server == server).count();
    println!(
        "\n== {title}: {} streams ({} on A, {} on B: {} admins and {} members x {} sessions each, alternating \
         A/B); members sign in at {}/s for {} s (open loop, alternating A/B)",
        clients.len(),
        on(0),
        on(1),
        args.admins,
        args.members,
        args.sessions_per_user,
        args.rate,
        run.seconds
    );
    let mut report = serde_json::Map::new();
    report.insert(
        "setup".to_owned(),
        json!({
            "streams": clients.len(), "streams_on_a": on(0), "streams_on_b": on(1), "admins": args.admins,
            "members": args.members, "sessions_per_user": args.sessions_per_user, "rate_per_s": args.rate,
            "seconds": run.seconds,
        }),
    );
    if run.faults {
        report.insert("faults".to_owned(), print_faults(faults));
    }
    report.insert("sign_ins".to_owned(), print_sign_ins(outcomes, timing.load_time));
    report.insert("notices".to_owned(), print_notices(clients, &tallies, &logs, outcomes, timing));
    report.insert("streams".to_owned(), print_streams(clients, &logs, timing.epoch, args.rate));
    report.insert("cpu_cores".to_owned(), cpu.print());
    if !run.faults {
        cpu.warn_if_busy();
    }
    let verdict = verdict(&report, run);
    println!("verdict: {verdict}");
    report.insert("verdict".to_owned(), json!(verdict));
    Value::Object(report)
}

/// "ok", or what failed: a notice lost, repeated or not asked for, a stream that did not catch
/// up, was told to resync, or ended; without faults, any disconnection or failed sign-in.
fn verdict(report: &serde_json::Map<String, Value>, run: &LoadRun) -> String {
    let number = |path: &[&str]| {
        let (first, rest) = path.split_first().expect("a path");
        rest.iter().fold(&report[*first], |value, key| &value[*key]).as_u64().unwrap_or(0)
    };
    let mut failed = Vec::new();
    for (what, path) in [
        ("missing notices", &["notices", "missing"][..]),
        ("duplicated notices", &["notices", "duplicated"]),
        ("unexpected notices", &["notices", "unexpected"]),
        ("resyncs", &["streams", "resyncs"]),
        ("streams ended", &["streams", "streams_ended"]),
    ] {
        if number(path) > 0 {
            failed.push(format!("{} {what}", number(path)));
        }
    }
    if report["notices"]["caught_up_after_s"].is_null() {
        failed.push("streams that did not catch up".to_owned());
    }
    if !run.faults {
        let disconnections = number(&["streams", "disconnections", "a"]) + number(&["streams", "disconnections", "b"]);
        if disconnections > 0 {
            failed.push(format!("{disconnections} disconnections"));
        }
        if number(&["sign_ins", "failed"]) > 0 {
            failed.push(format!("{} failed sign-ins", number(&["sign_ins", "failed"])));
        }
    }
    if failed.is_empty() { "ok".to_owned() } else { format!("FAILED: {}", failed.join(", ")) }
}

fn print_faults(faults: &[Fault]) -> Value {
    let mut list = Vec::new();
    for fault in faults {
        let result = match &fault.result {
            Ok(()) => "ok".to_owned(),
            Err(err) => format!("FAILED: {err}"),
        };
        println!("fault at {:>5.1} s: {:<44} took {:>5.0} ms, {result}", fault.at, fault.what, ms(fault.took));
        list.push(json!({ "what": fault.what, "at_s": fault.at, "took_ms": ms(fault.took), "result": result }));
    }
    Value::Array(list)
}

fn print_sign_ins(outcomes: &[Outcome], load_time: Duration) -> Value {
    let ok: Vec<f64> = outcomes.iter().filter(|o| o.error.is_none()).map(|o| ms(o.took)).collect();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
    let answer = Summary::of(ok.clone());
    println!(
        "sign-ins: {} sent in {:.1} s, {} ok ({:.1}/s), {} failed; answered in p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        outcomes.len(),
        load_time.as_secs_f64(),
        ok.len(),
        ok.len() as f64 / load_time.as_secs_f64(),
        failed.len(),
        answer.p50,
        answer.p99,
        answer.max
    );
    let windows = answer_windows(outcomes);
    let shown: Vec<String> =
        windows.iter().map(|(label, took)| format!("{label} {:.0}/{:.0}", took.p50, took.p99)).collect();
    println!("  answered p50/p99 ms, by when sent: {}", shown.join(", "));
    let mut by_code: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for outcome in &failed {
        let code = outcome.error.as_deref().unwrap_or_default();
        by_code.entry((Servers::name(outcome.server), code)).or_default().push(outcome.sent);
    }
    let mut errors = Vec::new();
    for ((server, code), sent) in &by_code {
        let first = sent.iter().copied().fold(f64::INFINITY, f64::min);
        let last = sent.iter().copied().fold(0.0, f64::max);
        println!("  failed through {server}: {code} x{} (sent from {first:.1} s to {last:.1} s)", sent.len());
        errors.push(json!({ "server": server, "code": code, "count": sent.len(), "first_s": first, "last_s": last }));
    }
    let windows: serde_json::Map<String, Value> =
        windows.iter().map(|(label, took)| (label.clone(), took.json())).collect();
    json!({
        "sent": outcomes.len(), "ok": ok.len(), "failed": failed.len(), "answer_ms": answer.json(),
        "answer_ms_by_10s_window": windows, "errors": errors,
    })
}

/// The answer times of successful sign-ins by the 10 s window they were sent in: whether
/// the servers keep up (steady) or fall behind (growing).
fn answer_windows(outcomes: &[Outcome]) -> Vec<(String, Summary)> {
    let mut windows: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for outcome in outcomes.iter().filter(|o| o.error.is_none()) {
        windows.entry(outcome.sent as u64 / 10).or_default().push(ms(outcome.took));
    }
    windows.into_iter().map(|(w, took)| (format!("{}-{}s", w * 10, w * 10 + 10), Summary::of(took))).collect()
}

fn print_notices(
    clients: &[Client],
    tallies: &[Tally],
    logs: &[MutexGuard<'_, Log>],
    outcomes: &[Outcome],
    timing: &Timing,
) -> Value {
    let sum = |count: fn(&Tally) -> usize| tallies.iter().map(count).sum::<usize>();
    let (expected, received) = (sum(|t| t.expected), sum(|t| t.received));
    let (missing, duplicated) = (sum(|t| t.missing.len()), sum(|t| t.duplicated));
    let (unexpected, out_of_order) = (sum(|t| t.unexpected.len()), sum(|t| t.out_of_order));
    let delays =
        Summary::of(logs.iter().flat_map(|log| log.notices.iter().map(|n| (n.arrived - n.at) as f64)).collect());
    let pushed = push_delays(logs, outcomes);
    let ok = missing == 0 && duplicated == 0 && unexpected == 0 && timing.settled.is_some();
    let per_second = received as f64 / timing.load_time.as_secs_f64();
    println!(
        "notices: expected {expected}, received {received}, missing {missing}, duplicated {duplicated}, \
         unexpected {unexpected}, out of order {out_of_order}: {}",
        if ok { "ok" } else { "FAILED" }
    );
    match timing.settled {
        Some(took) => println!("  every stream had all its notices {:.1} s after the last sign-in", took.as_secs_f64()),
        None => println!("  NOT every stream had all its notices before the deadline"),
    }
    println!(
        "delivered: {per_second:.0} notices/s; raised (notice.at) -> received: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        delays.p50, delays.p99, delays.max
    );
    println!("  (notice.at is the server's clock when the sign-in request came in, before its password hash)");
    println!(
        "sign-in answered (committed) -> notice received: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} notices; \
         negative: the notice came first)",
        pushed.p50, pushed.p99, pushed.max, pushed.count
    );
    for (client, tally) in clients.iter().zip(tallies) {
        if !tally.missing.is_empty() || tally.duplicated > 0 || !tally.unexpected.is_empty() {
            println!(
                "  {}: expected {}, received {}, missing {:?}, duplicated {}, unexpected {:?}",
                client.name(),
                tally.expected,
                tally.received,
                first_few(&tally.missing),
                tally.duplicated,
                first_few(&tally.unexpected)
            );
        }
    }
    json!({
        "expected": expected, "received": received, "missing": missing, "duplicated": duplicated,
        "unexpected": unexpected, "out_of_order": out_of_order, "ok": ok, "per_second": per_second,
        "raised_to_received_ms": delays.json(),
        "answered_to_received_ms": pushed.json(),
        "caught_up_after_s": timing.settled.map(|took| took.as_secs_f64()),
    })
}

/// For every notice about a paced sign-in that was answered: from the answer (the sign-in
/// had committed) until the notice arrived on a stream. The closest this side can see to
/// "committed -> received".
fn push_delays(logs: &[MutexGuard<'_, Log>], outcomes: &[Outcome]) -> Summary {
    let answered: HashMap<usize, i64> =
        outcomes.iter().filter(|o| o.error.is_none()).map(|o| (o.index, o.answered)).collect();
    let delays = logs
        .iter()
        .flat_map(|log| log.notices.iter().filter_map(|n| Some((n.arrived - answered.get(&n.sign_in?)?) as f64)));
    Summary::of(delays.collect())
}

/// Disconnections, outages, the longest silence, resyncs and endings, over the streams.
fn print_streams(clients: &[Client], logs: &[MutexGuard<'_, Log>], epoch: Instant, rate: f64) -> Value {
    let (mut during, mut before) = ([0usize; 2], 0usize);
    let mut affected = [0usize; 2];
    let mut codes = Vec::new();
    for (client, log) in clients.iter().zip(logs) {
        let (in_run, earlier): (Vec<_>, Vec<_>) = log.disconnects.iter().partition(|(at, _)| *at >= epoch);
        before += earlier.len();
        during[client.server] += in_run.len();
        affected[client.server] += usize::from(!in_run.is_empty());
        codes.extend(in_run.iter().map(|(_, code)| code.clone()));
    }
    let max_per_stream = logs.iter().map(|log| log.disconnects.len()).max().unwrap_or(0);
    let outages =
        Summary::of(logs.iter().filter(|l| !l.disconnects.is_empty()).map(|l| ms(l.longest_outage)).collect());
    println!(
        "stream errors (Disconnected): {} on A's streams ({} streams affected), {} on B's ({} affected), at most \
         {max_per_stream} per stream; {}",
        during[0],
        affected[0],
        during[1],
        affected[1],
        describe_codes(&codes)
    );
    if before > 0 {
        println!("  and {before} while the streams were opening, before the run");
    }
    let last_back = logs.iter().filter_map(|log| log.back_at).max().map(|at| at.duration_since(epoch).as_secs_f64());
    if let Some(last_back) = last_back {
        println!(
            "  disconnected -> reconnected, per affected stream: p50 {:.0} ms, max {:.0} ms; the last was back at {:.1} s",
            outages.p50, outages.max, last_back
        );
    }
    let (silence, whose) = longest_silence(clients, logs);
    println!(
        "longest silence between two notices on an admin's stream (~{rate}/s expected): {silence:.0} ms ({whose})"
    );
    let mut unexpected = Vec::new();
    for (client, log) in clients.iter().zip(logs) {
        let resyncs =
            log.resyncs.iter().map(|cursor| format!("RESYNC to cursor {cursor}: missed notices not replayed"));
        unexpected.extend(resyncs.chain(log.endings.iter().cloned()).map(|what| format!("{}: {what}", client.name())));
    }
    let resyncs: usize = logs.iter().map(|log| log.resyncs.len()).sum();
    let ended = logs.iter().filter(|log| !log.endings.is_empty()).count();
    let changed: u64 = logs.iter().map(|log| log.changed).sum();
    println!(
        "resyncs: {resyncs}; streams ended (session ended or locked, or closed): {ended}; changed events: {changed}"
    );
    for line in unexpected.iter().take(20) {
        println!("  UNEXPECTED {line}");
    }
    json!({
        "disconnections": { "a": during[0], "b": during[1], "streams_affected_a": affected[0],
                            "streams_affected_b": affected[1], "max_per_stream": max_per_stream,
                            "before_the_run": before, "codes": describe_codes(&codes) },
        "outage_ms": outages.json(),
        "last_back_at_s": last_back,
        "longest_admin_silence_ms": silence,
        "resyncs": resyncs,
        "streams_ended": ended,
        "changed_events": changed,
        "unexpected_events": unexpected,
    })
}

/// The longest time between two consecutive notices on one admin stream (admins hear of
/// every sign-in, so their streams should never be quiet for long), and whose.
fn longest_silence(clients: &[Client], logs: &[MutexGuard<'_, Log>]) -> (f64, String) {
    let mut longest = (0.0, String::from("-"));
    for (client, log) in clients.iter().zip(logs).filter(|(client, _)| client.user.admin) {
        for pair in log.notices.windows(2) {
            let gap = (pair[1].arrived - pair[0].arrived) as f64;
            if gap > longest.0 {
                longest = (gap, client.name());
            }
        }
    }
    longest
}

// ---- CPU and the servers' logs ----

/// CPU time so far, in ticks: the machine's, the servers', this benchmark's and every
/// PostgreSQL process's.
struct CpuSample {
    at: Instant,
    machine: Option<MachineTicks>,
    processes: Vec<(&'static str, Option<(u32, u64)>)>,
    postgres: HashMap<u32, u64>,
}

#[derive(Debug, Clone, Copy)]
struct MachineTicks {
    busy: u64,
    iowait: u64,
    steal: u64,
    total: u64,
}

/// Cores used over a run (e.g. 0.8 = 80% of one core), by whom.
struct CpuUsage(Vec<(String, Option<f64>)>);

impl CpuSample {
    fn take(pid_dir: Option<&Path>) -> Self {
        let pid = |name: &str| -> Option<u32> {
            std::fs::read_to_string(pid_dir?.join(format!("{name}.pid"))).ok()?.trim().parse().ok()
        };
        let process = |pid: Option<u32>| pid.and_then(|pid| Some((pid, process_ticks(pid)?.1)));
        CpuSample {
            at: Instant::now(),
            machine: machine_ticks(),
            processes: vec![
                ("server A", process(pid("a"))),
                ("server B", process(pid("b"))),
                ("bench client", process(Some(std::process::id()))),
            ],
            postgres: postgres_ticks(),
        }
    }

    fn usage(&self, after: &CpuSample) -> CpuUsage {
        let seconds = after.at.duration_since(self.at).as_secs_f64();
        let cores = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / seconds;
        let mut usage = Vec::new();
        for ((name, before), (_, later)) in self.processes.iter().zip(&after.processes) {
            // A restarted server counts from its restart; what the killed one used before is
            // in "the rest".
            match (before, later) {
                (Some((pid, t0)), Some((same, t1))) if pid == same => {
                    usage.push(((*name).to_owned(), Some(cores(t1 - t0))))
                }
                (_, Some((_, t1))) => usage.push((format!("{name} (its new process)"), Some(cores(*t1)))),
                _ => usage.push(((*name).to_owned(), None)),
            }
        }
        // Backends that started during the run count whole; those that ended are missed.
        let postgres: u64 =
            after.postgres.iter().map(|(pid, t1)| t1 - self.postgres.get(pid).copied().unwrap_or(0).min(*t1)).sum();
        usage.push(("PostgreSQL".to_owned(), Some(cores(postgres))));
        if let (Some(before), Some(later)) = (self.machine, after.machine) {
            let all = std::thread::available_parallelism().map_or(1, usize::from) as f64;
            let share = |ticks: u64| ticks as f64 / (later.total - before.total).max(1) as f64 * all;
            let busy = share(later.busy - before.busy);
            let known: f64 = usage.iter().filter_map(|(_, used)| *used).sum();
            usage.push((REST.to_owned(), Some((busy - known).max(0.0))));
            usage.push((format!("whole machine (of {all})"), Some(busy)));
            usage.push(("idle waiting for the disk".to_owned(), Some(share(later.iowait - before.iowait))));
            usage.push(("stolen by the hypervisor".to_owned(), Some(share(later.steal - before.steal))));
        }
        CpuUsage(usage)
    }
}

/// Everything else: Xvfb, dunst, the kernel, processes that exited, other people's builds.
const REST: &str = "the rest";

impl CpuUsage {
    /// Says so when something besides the benchmark kept the machine busy: the numbers are
    /// then not those of an otherwise idle machine.
    fn warn_if_busy(&self) {
        if let Some((_, Some(rest))) = self.0.iter().find(|(name, _)| name == REST)
            && *rest > 0.2
        {
            println!("NOTE: {rest:.2} cores went to other processes: the machine was not otherwise idle");
        }
    }

    fn print(&self) -> Value {
        let shown: Vec<String> = self
            .0
            .iter()
            .map(|(name, cores)| match cores {
                Some(cores) => format!("{name} {cores:.2}"),
                None => format!("{name} n/a"),
            })
            .collect();
        println!("CPU, cores busy over the run: {}", shown.join(", "));
        Value::Object(self.0.iter().map(|(name, cores)| (name.clone(), json!(cores))).collect())
    }
}

/// A process's command name and its utime + stime, in ticks.
fn process_ticks(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces; the fields follow it.
    let (head, rest) = stat.rsplit_once(')')?;
    let name = head.split_once('(')?.1.to_owned();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((name, fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?))
}

/// Every running PostgreSQL process (server, backends, writers) and its ticks.
fn postgres_ticks() -> HashMap<u32, u64> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return HashMap::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| match process_ticks(pid)? {
            (name, ticks) if name == "postgres" => Some((pid, ticks)),
            _ => None,
        })
        .collect()
}

/// The machine's ticks (all CPUs), from /proc/stat: user nice system idle iowait irq
/// softirq steal.
fn machine_ticks() -> Option<MachineTicks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let values: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
    let field = |i: usize| values.get(i).copied().unwrap_or(0);
    Some(MachineTicks {
        busy: field(0) + field(1) + field(2) + field(5) + field(6),
        iowait: field(4),
        steal: field(7),
        total: (0..8).map(field).sum(),
    })
}

/// What the servers wrote to their logs (`a.log`, `b.log` beside their pid files) since the
/// last look, for each run's report: warnings and errors are evidence.
struct ServerLogs {
    dir: Option<PathBuf>,
    read: [u64; 2],
}

impl ServerLogs {
    fn new(dir: Option<&Path>) -> Self {
        let mut logs = ServerLogs { dir: dir.map(Path::to_path_buf), read: [0; 2] };
        logs.take();
        logs
    }

    /// The new lines of each server's log.
    fn take(&mut self) -> [Vec<String>; 2] {
        let mut lines = [Vec::new(), Vec::new()];
        for (index, name) in ["a", "b"].into_iter().enumerate() {
            let Some(path) = self.dir.as_ref().map(|dir| dir.join(format!("{name}.log"))) else { continue };
            let Ok(bytes) = std::fs::read(&path) else { continue };
            // A restarted server appends to its log; the file never shrinks.
            let start = (self.read[index] as usize).min(bytes.len());
            lines[index] = String::from_utf8_lossy(&bytes[start..]).lines().map(plain).collect();
            self.read[index] = bytes.len() as u64;
        }
        lines
    }

    /// Prints the new lines, grouped (numbers blurred so that repeats group), most frequent first.
    fn print(&mut self) -> Value {
        let mut report = serde_json::Map::new();
        for (index, lines) in self.take().into_iter().enumerate() {
            let mut groups: HashMap<String, usize> = HashMap::new();
            for line in &lines {
                *groups.entry(blur_numbers(line.split_once(' ').map_or(line, |(_, rest)| rest.trim()))).or_default() +=
                    1;
            }
            let mut groups: Vec<(String, usize)> = groups.into_iter().collect();
            groups.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            let name = Servers::name(index);
            println!("server {name} logged {} lines{}", lines.len(), if lines.is_empty() { "" } else { ":" });
            for (line, count) in groups.iter().take(6) {
                println!("  {count:>4} x {}", line.chars().take(150).collect::<String>());
            }
            report.insert(
                name.to_owned(),
                json!(groups.iter().map(|(l, n)| json!({ "count": n, "line": l })).collect::<Vec<_>>()),
            );
        }
        Value::Object(report)
    }
}

/// The line without terminal colours.
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ … letter
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs of digits as "N".
fn blur_numbers(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('N') {
            out.push('N');
        }
    }
    out
}

// ---- Small helpers ----

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// `later - earlier` in ms, negative when `later` came first.
fn signed_ms(later: Instant, earlier: Instant) -> f64 {
    match later.checked_duration_since(earlier) {
        Some(after) => ms(after),
        None => -ms(earlier.duration_since(later)),
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as i64)
}

fn first_few(ids: &[i64]) -> &[i64] {
    &ids[..ids.len().min(10)]
}

/// "none", or "code x3, other x1".
fn describe_codes(codes: &[String]) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for code in codes {
        *counts.entry(code.as_str()).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".to_owned();
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    counts.iter().map(|(code, n)| format!("{code} x{n}")).collect::<Vec<_>>().join(", ")
}

/// p50, p99 and max of some measurements (ms); NaN without any.
#[derive(Debug, Clone, Copy)]
struct Summary {
    count: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

impl Summary {
    fn of(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        // The nearest-rank percentile: the smallest value with at least p% at or below it.
        let rank = |p: f64| {
            let index = ((p / 100.0) * values.len() as f64).ceil() as usize;
            values.get(index.clamp(1, values.len().max(1)) - 1).copied().unwrap_or(f64::NAN)
        };
        Summary {
            count: values.len(),
            p50: rank(50.0),
            p99: rank(99.0),
            max: values.last().copied().unwrap_or(f64::NAN),
        }
    }

    fn json(&self) -> Value {
        let number = |v: f64| if v.is_finite() { json!((v * 10.0).round() / 10.0) } else { Value::Null };
        json!({ "count": self.count, "p50": number(self.p50), "p99": number(self.p99), "max": number(self.max) })
    }
}
