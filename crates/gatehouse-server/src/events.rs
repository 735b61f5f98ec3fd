//! Pushing notices and changes to connected clients: `GET /api/v1/events`, one Server-Sent
//! Events stream per session. Each instance holds one [`Hub`]: one listening connection to
//! the database (PostgreSQL `NOTIFY` from the change triggers, delivered at commit), one
//! reader of new notices by cursor — after every wake-up, after the listener reconnects
//! and every two seconds as a safety net — and an in-process fan-out to its streams.
//!
//! Why SSE rather than a WebSocket: the stream only flows from server to client (actions are
//! ordinary POSTs), so SSE is plain HTTP through the same TLS, layers and bearer token, its
//! `Last-Event-ID` is the resume cursor the protocol already defines, and proxies pass it.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use gatehouse_api::{ApiError, StreamEvent};
use gatehouse_core::{
    Caller, Change, Clock, Error, Gatehouse, Missed, NoticeRecord, Reader, SessionToken, Topic, Wakeup,
};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use crate::routes::{Shared, bearer_token};
use crate::status::ErrorResponse;

/// A comment line on an idle stream this often, so clients and proxies know it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// How often the hub reads new notices even without a wake-up (a lost `NOTIFY`).
const SAFETY_NET: Duration = Duration::from_secs(2);
/// How often each stream checks its session (expiry, idle lock) without being told.
const SESSION_CHECK: Duration = Duration::from_secs(5);
/// Events a stream may have waiting; a client slower than this is dropped (it reconnects
/// and catches up from its cursor, losing nothing).
const STREAM_BUFFER: usize = 1024;
/// Notices read per query when catching up.
const CATCH_UP_PAGE: u32 = 1000;

/// What the hub hands one stream.
#[derive(Debug, Clone)]
enum HubEvent {
    Notice(Arc<NoticeRecord>),
    Changed(Topic),
    /// Something about this stream's session or user changed: check it now.
    CheckSession,
}

struct Subscriber {
    reader: Reader,
    events: mpsc::Sender<HubEvent>,
}

/// One instance's fan-out of notices and changes to its connected streams.
pub(crate) struct Hub {
    subscribers: Mutex<HashMap<u64, Subscriber>>,
    next_id: AtomicU64,
    /// Flips to true when the server shuts down: every stream ends.
    closing: watch::Sender<bool>,
    /// Flips to true once the hub knows where it starts reading: a stream opened before
    /// that could miss what commits in between, so it waits.
    reading: watch::Sender<bool>,
}

/// A stream's place in the hub; leaving it (drop) unsubscribes.
struct Subscription {
    hub: Arc<Hub>,
    id: u64,
    events: mpsc::Receiver<HubEvent>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.lock().remove(&self.id);
    }
}

impl Hub {
    /// Starts the hub's reader for `gate` (for the life of the process).
    pub(crate) fn start(gate: Gatehouse) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            subscribers: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            closing: watch::channel(false).0,
            reading: watch::channel(false).0,
        });
        tokio::spawn(read_and_fan_out(gate, Arc::clone(&hub)));
        hub
    }

    /// Ends every stream (the server is shutting down; clients reconnect elsewhere).
    pub(crate) fn close(&self) {
        self.closing.send_replace(true);
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Subscriber>> {
        self.subscribers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits (up to ten seconds) until the hub reads notices; false if it still doesn't (its
    /// database is unreachable).
    async fn wait_until_reading(&self) -> bool {
        let mut reading = self.reading.subscribe();
        tokio::time::timeout(Duration::from_secs(10), reading.wait_for(|reading| *reading))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    fn subscribe(self: &Arc<Self>, reader: Reader) -> Subscription {
        let (sender, events) = mpsc::channel(STREAM_BUFFER);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Subscriber { reader, events: sender });
        Subscription { hub: Arc::clone(self), id, events }
    }

    /// Hands `event` to the streams `wanted` picks; a stream whose buffer is full is dropped.
    fn send(&self, wanted: impl Fn(&Reader) -> Option<HubEvent>) {
        self.lock().retain(|_, subscriber| match wanted(&subscriber.reader) {
            Some(event) => subscriber.events.try_send(event).is_ok(),
            None => !subscriber.events.is_closed(),
        });
    }

    fn notice(&self, record: NoticeRecord) {
        let record = Arc::new(record);
        self.send(|reader| (reader.user == record.recipient).then(|| HubEvent::Notice(Arc::clone(&record))));
    }

    fn changed(&self, change: Change) {
        self.send(|reader| change.concerns(reader).then_some(HubEvent::Changed(change.topic)));
        if matches!(change.topic, Topic::Sessions | Topic::Users) {
            let user = change.user;
            self.send(|reader| user.is_none_or(|user| user == reader.user).then_some(HubEvent::CheckSession));
        }
    }

    /// After a gap in listening: every stream checks its session and refreshes everything.
    fn everything_changed(&self) {
        for topic in Topic::ALL {
            self.send(|_| Some(HubEvent::Changed(topic)));
        }
        self.send(|_| Some(HubEvent::CheckSession));
    }
}

/// The hub's one reader: wake-ups from the listener, then new notices by cursor.
async fn read_and_fan_out(gate: Gatehouse, hub: Arc<Hub>) {
    let mut cursor = loop {
        match gate.notice_cursor().await {
            Ok(cursor) => break cursor,
            Err(err) => {
                tracing::warn!(code = err.code(), "event hub: cannot read the notice cursor yet: {err}");
                tokio::time::sleep(SAFETY_NET).await;
            }
        }
    };
    hub.reading.send_replace(true);
    let (wakeups, mut heard) = mpsc::channel(64);
    tokio::spawn(listen(gate.clone(), wakeups));
    let mut safety_net = tokio::time::interval(SAFETY_NET);
    let mut closing = hub.closing.subscribe();
    loop {
        let wakeup = tokio::select! {
            wakeup = heard.recv() => wakeup,
            _ = safety_net.tick() => None,
            _ = closing.changed() => return,
        };
        cursor = catch_up(&gate, &hub, cursor).await;
        match wakeup {
            Some(Wakeup::Changes(changes)) => changes.into_iter().for_each(|change| hub.changed(change)),
            Some(Wakeup::Reconnected) => hub.everything_changed(),
            None => {}
        }
    }
}

/// Hands every notice committed after `cursor` to its recipient's streams; returns the
/// new cursor. Cursors grow in commit order, so reading "after the last seen" skips nothing.
async fn catch_up(gate: &Gatehouse, hub: &Hub, mut cursor: i64) -> i64 {
    loop {
        let page = match gate.notices_since(cursor, CATCH_UP_PAGE).await {
            Ok(page) => page,
            Err(err) => {
                tracing::warn!(code = err.code(), "event hub: cannot read new notices: {err}");
                return cursor;
            }
        };
        let full = page.len() == CATCH_UP_PAGE as usize;
        for record in page {
            cursor = cursor.max(record.cursor());
            hub.notice(record);
        }
        if !full {
            return cursor;
        }
    }
}

/// The listening connection: forwards what it hears; when the database is away, tries again
/// with a growing pause (up to five seconds) and reports `Reconnected` once it is back.
async fn listen(gate: Gatehouse, wakeups: mpsc::Sender<Wakeup>) {
    let mut pause = Duration::from_millis(100);
    let mut listener = loop {
        match gate.listen_for_changes().await {
            Ok(listener) => break listener,
            Err(err) => {
                tracing::warn!(code = err.code(), "event hub: cannot listen yet: {err}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    };
    loop {
        match listener.next().await {
            Ok(wakeup) => {
                pause = Duration::from_millis(100);
                if wakeups.send(wakeup).await.is_err() {
                    return;
                }
            }
            Err(err) => {
                tracing::warn!(code = err.code(), "event hub: lost the database; listening again: {err}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// `GET /api/v1/events`: the session's stream. Authenticates like any call (without
/// counting as use); `Last-Event-ID` resumes after that cursor. A session that already ended
/// or locked gets that one event rather than an error, so its app can say why.
pub(crate) async fn stream(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ErrorResponse> {
    let token = bearer_token(&headers)?.ok_or_else(|| ApiError::from(Error::SignedOut))?;
    let ip = Some(shared.proxies.client_ip(peer.ip(), &headers));
    let caller = Caller { token: &token, ip, now: shared.clock.now() };
    let reader = match shared.gate.stream_reader(caller).await {
        Ok(reader) => reader,
        Err(err) => return Ok(sse(stream_of(vec![closing_event(&shared.gate, caller, err).await?]))),
    };
    let resume = last_event_id(&headers);
    if !shared.hub.wait_until_reading().await {
        return Err(ApiError::from(Error::Internal("the event hub cannot read the database yet".to_owned())).into());
    }
    let subscription = shared.hub.subscribe(reader.clone());
    let opening = opening_events(&shared.gate, &reader, resume, caller.now).await.map_err(ApiError::from)?;
    let (sender, receiver) = mpsc::channel(STREAM_BUFFER);
    let session = Session { shared: Arc::clone(&shared), token, ip, reader };
    tokio::spawn(session.forward(subscription, opening, resume.unwrap_or(0), sender));
    Ok(sse(ReceiverStream::new(receiver)))
}

/// Where a stream starts: the newest cursor, or what the reader missed after `resume` (a
/// resync when that is too far back).
async fn opening_events(
    gate: &Gatehouse,
    reader: &Reader,
    resume: Option<i64>,
    now: gatehouse_core::Timestamp,
) -> gatehouse_core::Result<Vec<StreamEvent>> {
    Ok(match resume {
        Some(cursor) => match gate.missed_notices(reader, cursor, now).await? {
            Missed::Notices(missed) => missed.iter().map(StreamEvent::notice).collect(),
            Missed::TooOld => vec![StreamEvent::Resync { cursor: gate.notice_cursor().await? }],
        },
        None => vec![StreamEvent::Ready { cursor: gate.notice_cursor().await? }],
    })
}

/// The answer for a session that can't stream: how it ended, or that it is locked; a token
/// no session ever had is refused like any call.
async fn closing_event(gate: &Gatehouse, caller: Caller<'_>, err: Error) -> Result<StreamEvent, ApiError> {
    match err {
        Error::Locked => Ok(StreamEvent::SessionLocked {}),
        Error::SignedOut | Error::SessionExpired => match gate.session_end(caller).await? {
            Some(end) => Ok(StreamEvent::session_ended(&end)),
            None => Err(err.into()),
        },
        other => Err(other.into()),
    }
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    // An unreadable cursor is one this server never sent: -1 makes it a resync.
    headers
        .get("last-event-id")
        .map(|value| value.to_str().ok().and_then(|text| text.trim().parse().ok()).unwrap_or(-1))
}

type SseItem = Result<Event, Infallible>;

fn sse(events: impl tokio_stream::Stream<Item = SseItem> + Send + 'static) -> Response {
    Sse::new(events).keep_alive(KeepAlive::new().interval(HEARTBEAT)).into_response()
}

fn stream_of(events: Vec<StreamEvent>) -> impl tokio_stream::Stream<Item = SseItem> {
    tokio_stream::iter(events.into_iter().map(|event| Ok(to_sse(&event))))
}

/// `event: <name>`, `id: <cursor>` when it has one, `data: <the event as JSON>`.
fn to_sse(event: &StreamEvent) -> Event {
    let sse = Event::default().event(event.name());
    let sse = match event.cursor() {
        Some(cursor) => sse.id(cursor.to_string()),
        None => sse,
    };
    sse.json_data(event).unwrap_or_else(|_| Event::default().comment("unencodable event"))
}

/// One connected stream's session.
struct Session {
    shared: Arc<Shared>,
    token: SessionToken,
    ip: Option<std::net::IpAddr>,
    reader: Reader,
}

impl Session {
    /// Sends the opening events, then what the hub hands over, until the client leaves, the
    /// session ends or locks, or the server shuts down.
    async fn forward(
        mut self,
        mut subscription: Subscription,
        opening: Vec<StreamEvent>,
        mut sent_up_to: i64,
        out: mpsc::Sender<SseItem>,
    ) {
        for event in opening {
            sent_up_to = sent_up_to.max(event.cursor().unwrap_or(0));
            if out.send(Ok(to_sse(&event))).await.is_err() {
                return;
            }
        }
        let mut check = tokio::time::interval(SESSION_CHECK);
        check.reset();
        let mut closing = self.shared.hub.closing.subscribe();
        // Events taken off the queue while gathering changes, handled next.
        let mut pending = VecDeque::new();
        loop {
            let event = match pending.pop_front() {
                Some(event) => Some(event),
                None => tokio::select! {
                    event = subscription.events.recv() => event,
                    _ = check.tick() => Some(HubEvent::CheckSession),
                    () = out.closed() => return,
                    _ = closing.changed() => return,
                },
            };
            let Some(event) = event else { return };
            let outgoing = match event {
                HubEvent::Notice(record) => {
                    // Already replayed, or raised by this very session: nothing to tell.
                    if record.cursor() <= sent_up_to || record.raised_by(&self.reader) {
                        continue;
                    }
                    sent_up_to = record.cursor();
                    StreamEvent::notice(&record.for_reader(&self.reader))
                }
                HubEvent::Changed(topic) => {
                    // The changes already waiting become one event.
                    let mut topics = BTreeSet::from([topic]);
                    while let Ok(next) = subscription.events.try_recv() {
                        match next {
                            HubEvent::Changed(more) => {
                                topics.insert(more);
                            }
                            other => pending.push_back(other),
                        }
                    }
                    StreamEvent::changed(topics)
                }
                HubEvent::CheckSession => match self.check().await {
                    Some(last) => last,
                    None => continue,
                },
            };
            let last = outgoing.is_final();
            if out.send(Ok(to_sse(&outgoing))).await.is_err() || last {
                return;
            }
        }
    }

    /// Checks the session without counting as use: None while it may go on; otherwise the
    /// event that closes the stream. A database that can't answer leaves the stream open.
    async fn check(&mut self) -> Option<StreamEvent> {
        let caller = Caller { token: &self.token, ip: self.ip, now: self.shared.clock.now() };
        match self.shared.gate.stream_reader(caller).await {
            Ok(reader) => {
                self.reader = reader;
                None
            }
            Err(err @ (Error::Locked | Error::SignedOut | Error::SessionExpired)) => {
                closing_event(&self.shared.gate, caller, err).await.ok()
            }
            Err(_) => None,
        }
    }
}
