//! A session's events, whatever the connection: from a team server, its Server-Sent Events
//! stream (`GET /api/v1/events`), reconnecting with backoff and jitter and resuming from the
//! last cursor; standalone, the local database watched directly (its change versions every
//! quarter second, the session every second). Both yield the same [`StreamEvent`]s.

use std::time::Duration;

use futures_util::StreamExt as _;
use gatehouse_api::{ApiError, StreamEvent};
use gatehouse_core::{Caller, Clock, Error, Gatehouse, Missed, Reader, SessionToken, SystemClock, Topic, Wakeup};
use tokio::sync::mpsc;

use crate::remote::Remote;

/// The longest pause between reconnection attempts: short enough that an instance back
/// after a restart has its clients again within seconds (scripts/bench-events' kill run).
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// The first pause.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// A stream silent this long (the server sends a heartbeat every 15 s) is given up and
/// reconnected. Heartbeats are SSE comments, which the event parser drops, so silence is
/// measured on the bytes of the connection, not on its events.
const SILENCE: Duration = Duration::from_secs(40);
/// How often the local watcher checks the session (ended elsewhere, locked, expired).
const LOCAL_SESSION_CHECK: Duration = Duration::from_secs(1);

/// What an [`EventStream`] yields.
#[derive(Debug, Clone)]
pub enum ClientEvent {
    /// An event of the session's stream.
    Event(StreamEvent),
    /// The stream is (again) connected.
    Connected,
    /// The stream broke or could not connect; it tries again after `retry_in`.
    Disconnected {
        /// What went wrong.
        error: ApiError,
        /// The pause before the next attempt.
        retry_in: Duration,
    },
}

/// A session's events. Reconnects by itself; ends (`next` gives None) after the session
/// ended or locked. Dropping it stops it.
pub struct EventStream {
    events: mpsc::Receiver<ClientEvent>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventStream {
    /// The next event; None once the stream is over (session ended or locked).
    pub async fn next(&mut self) -> Option<ClientEvent> {
        self.events.recv().await
    }

    pub(crate) fn remote(remote: Remote, token: SessionToken, resume: Option<i64>) -> Self {
        let (sender, events) = mpsc::channel(256);
        let task = tokio::spawn(remote_events(remote, token, resume, sender));
        EventStream { events, task }
    }

    pub(crate) fn local(
        gate: Gatehouse,
        ip: Option<std::net::IpAddr>,
        token: SessionToken,
        resume: Option<i64>,
    ) -> Self {
        let (sender, events) = mpsc::channel(256);
        let task = tokio::spawn(local_events(gate, ip, token, resume, sender));
        EventStream { events, task }
    }
}

/// A pause that doubles up to [`MAX_BACKOFF`], drawn at random below it ("full jitter"), so
/// that clients dropped together don't all come back in the same instant.
struct Backoff {
    ceiling: Duration,
}

impl Backoff {
    fn new() -> Self {
        Backoff { ceiling: FIRST_BACKOFF }
    }

    fn next_pause(&mut self) -> Duration {
        let pause = self.ceiling.mul_f64(rand::random_range(0.5..=1.0));
        self.ceiling = (self.ceiling * 2).min(MAX_BACKOFF);
        pause
    }

    fn reset(&mut self) {
        self.ceiling = FIRST_BACKOFF;
    }
}

/// The server's stream, reconnected until the session ends or locks.
async fn remote_events(remote: Remote, token: SessionToken, mut cursor: Option<i64>, out: mpsc::Sender<ClientEvent>) {
    let mut backoff = Backoff::new();
    loop {
        let error = match remote.open_events(&token, cursor).await {
            Ok(response) => {
                backoff.reset();
                if out.send(ClientEvent::Connected).await.is_err() {
                    return;
                }
                match read_stream(response, SILENCE, &mut cursor, &out, remote.url()).await {
                    Ended::Finally | Ended::NobodyListens => return,
                    Ended::Broken(error) => error,
                }
            }
            Err(error) if error.needs_sign_in() => {
                let ended = StreamEvent::SessionEnded { reason: "signed_out".to_owned(), message: error.message };
                let _ = out.send(ClientEvent::Event(ended)).await;
                return;
            }
            Err(error) => error,
        };
        let retry_in = backoff.next_pause();
        if out.send(ClientEvent::Disconnected { error, retry_in }).await.is_err() {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}

/// Why reading a stream stopped.
enum Ended {
    /// The session ended or locked: no reconnecting.
    Finally,
    /// The receiver was dropped.
    NobodyListens,
    /// The connection broke: reconnect.
    Broken(ApiError),
}

async fn read_stream(
    response: reqwest::Response,
    silence: Duration,
    cursor: &mut Option<i64>,
    out: &mpsc::Sender<ClientEvent>,
    server: &str,
) -> Ended {
    use eventsource_stream::{EventStreamError, Eventsource as _};
    let broken = |what: String| Ended::Broken(ApiError::new("client.unreachable", what));
    let mut events = std::pin::pin!(bytes_until_silent(response, silence).eventsource());
    loop {
        let event = match events.next().await {
            None => return broken(format!("{server} closed the event stream; reconnecting.")),
            Some(Err(EventStreamError::Transport(err))) if err.kind() == std::io::ErrorKind::TimedOut => {
                return broken(format!("{server} went silent; reconnecting."));
            }
            Some(Err(err)) => {
                return broken(format!("The event stream from {server} broke ({err}); reconnecting."));
            }
            Some(Ok(event)) => event,
        };
        let Ok(event) = serde_json::from_str::<StreamEvent>(&event.data) else {
            // An event a newer server sends that this client doesn't know: skip it.
            continue;
        };
        if let Some(at) = event.cursor() {
            *cursor = Some(at);
        }
        let last = event.is_final();
        if out.send(ClientEvent::Event(event)).await.is_err() {
            return Ended::NobodyListens;
        }
        if last {
            return Ended::Finally;
        }
    }
}

/// The response's bytes, ending in a `TimedOut` error once none has come for `silence`
/// (heartbeats included).
fn bytes_until_silent(
    response: reqwest::Response,
    silence: Duration,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    let chunks = Box::pin(response.bytes_stream());
    futures_util::stream::unfold(Some(chunks), move |chunks| async move {
        let mut chunks = chunks?;
        match tokio::time::timeout(silence, chunks.next()).await {
            Ok(Some(chunk)) => Some((chunk.map_err(std::io::Error::other), Some(chunks))),
            Ok(None) => None,
            Err(_) => Some((Err(std::io::ErrorKind::TimedOut.into()), None)),
        }
    })
}

/// Standalone: the local database, watched directly.
async fn local_events(
    gate: Gatehouse,
    ip: Option<std::net::IpAddr>,
    token: SessionToken,
    resume: Option<i64>,
    out: mpsc::Sender<ClientEvent>,
) {
    let watch = LocalWatch { gate, ip, token, out };
    let mut backoff = Backoff::new();
    // Opening fails only when the database can't be read; try again like a server.
    let (mut reader, mut cursor, mut listener) = loop {
        match watch.open(resume).await {
            Ok(Some(opened)) => break opened,
            Ok(None) => return,
            Err(error) => {
                let retry_in = backoff.next_pause();
                if watch.out.send(ClientEvent::Disconnected { error: error.into(), retry_in }).await.is_err() {
                    return;
                }
                tokio::time::sleep(retry_in).await;
            }
        }
    };
    let mut session_check = tokio::time::interval(LOCAL_SESSION_CHECK);
    session_check.reset();
    loop {
        let keep_going = tokio::select! {
            heard = listener.next() => match heard {
                Ok(Wakeup::Changes(changes)) => {
                    let topics: Vec<Topic> =
                        changes.iter().filter(|change| change.concerns(&reader)).map(|change| change.topic).collect();
                    watch.changed(&reader, &mut cursor, topics).await
                }
                Ok(Wakeup::Reconnected) => watch.changed(&reader, &mut cursor, Topic::ALL.to_vec()).await,
                Err(_) => {
                    tokio::time::sleep(LOCAL_SESSION_CHECK).await;
                    true
                }
            },
            _ = session_check.tick() => match watch.check().await {
                Ok(Some(current)) => {
                    reader = current;
                    true
                }
                Ok(None) => false,
                Err(_) => true,
            },
        };
        if !keep_going {
            return;
        }
    }
}

struct LocalWatch {
    gate: Gatehouse,
    ip: Option<std::net::IpAddr>,
    token: SessionToken,
    out: mpsc::Sender<ClientEvent>,
}

impl LocalWatch {
    fn caller(&self) -> Caller<'_> {
        Caller { token: &self.token, ip: self.ip, now: SystemClock.now() }
    }

    async fn send(&self, event: StreamEvent) -> bool {
        self.out.send(ClientEvent::Event(event)).await.is_ok()
    }

    /// The reader, its cursor after the opening events, and the listener; None when the
    /// session can't stream (the closing event was sent).
    async fn open(&self, resume: Option<i64>) -> Result<Option<(Reader, i64, gatehouse_core::ChangeListener)>, Error> {
        let listener = self.gate.listen_for_changes().await?;
        let Some(reader) = self.check().await? else { return Ok(None) };
        let _ = self.out.send(ClientEvent::Connected).await;
        let newest = self.gate.notice_cursor().await?;
        let cursor = match resume {
            None => {
                self.send(StreamEvent::Ready { cursor: newest }).await;
                newest
            }
            Some(cursor) => match self.gate.missed_notices(&reader, cursor, SystemClock.now()).await? {
                Missed::Notices(missed) => {
                    let mut at = cursor;
                    for notice in &missed {
                        at = notice.id;
                        self.send(StreamEvent::notice(notice)).await;
                    }
                    at
                }
                Missed::TooOld => {
                    self.send(StreamEvent::Resync { cursor: newest }).await;
                    newest
                }
            },
        };
        Ok(Some((reader, cursor, listener)))
    }

    /// The session as it is now: its reader, or None after sending why it can't go on.
    async fn check(&self) -> Result<Option<Reader>, Error> {
        let caller = self.caller();
        match self.gate.stream_reader(caller).await {
            Ok(reader) => Ok(Some(reader)),
            Err(Error::Locked) => {
                self.send(StreamEvent::SessionLocked {}).await;
                Ok(None)
            }
            Err(err @ (Error::SignedOut | Error::SessionExpired)) => {
                let event = match self.gate.session_end(caller).await? {
                    Some(end) => StreamEvent::session_ended(&end),
                    None => StreamEvent::SessionEnded { reason: "signed_out".to_owned(), message: err.to_string() },
                };
                self.send(event).await;
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// New notices (when notices changed) and the changed topics; false when nobody listens.
    async fn changed(&self, reader: &Reader, cursor: &mut i64, topics: Vec<Topic>) -> bool {
        if topics.contains(&Topic::Notices) {
            match self.gate.missed_notices(reader, *cursor, SystemClock.now()).await {
                Ok(Missed::Notices(fresh)) => {
                    for notice in &fresh {
                        *cursor = notice.id;
                        if !self.send(StreamEvent::notice(notice)).await {
                            return false;
                        }
                    }
                }
                Ok(Missed::TooOld) => {
                    *cursor = self.gate.notice_cursor().await.unwrap_or(*cursor);
                    if !self.send(StreamEvent::Resync { cursor: *cursor }).await {
                        return false;
                    }
                }
                // Read again at the next change.
                Err(_) => {}
            }
        }
        topics.is_empty() || self.send(StreamEvent::changed(topics)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response whose body is `chunks`, each sent after its pause.
    fn response(chunks: Vec<(Duration, &'static str)>) -> reqwest::Response {
        let body = futures_util::stream::unfold(chunks.into_iter(), |mut chunks| async move {
            let (pause, text) = chunks.next()?;
            tokio::time::sleep(pause).await;
            Some((Ok::<_, std::io::Error>(text), chunks))
        });
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(body)))
    }

    const EVENT: &str = "event: ready\nid: 7\ndata: {\"type\":\"ready\",\"cursor\":7}\n\n";

    async fn read(chunks: Vec<(Duration, &'static str)>) -> (Ended, Option<i64>) {
        let (out, mut events) = mpsc::channel(8);
        let mut cursor = None;
        let ended = read_stream(response(chunks), Duration::from_millis(300), &mut cursor, &out, "server").await;
        drop(out);
        while events.recv().await.is_some() {}
        (ended, cursor)
    }

    fn why(ended: &Ended) -> String {
        match ended {
            Ended::Broken(error) => error.message.clone(),
            Ended::Finally => "finally".to_owned(),
            Ended::NobodyListens => "nobody listens".to_owned(),
        }
    }

    #[tokio::test]
    async fn heartbeats_keep_a_quiet_stream_open() {
        // Ten heartbeats 100 ms apart: a second of no events, never 300 ms of no bytes.
        let mut chunks = vec![(Duration::from_millis(100), ":\n\n"); 10];
        chunks.push((Duration::from_millis(100), EVENT));
        let (ended, cursor) = read(chunks).await;
        assert_eq!(cursor, Some(7), "the event after the heartbeats arrived ({})", why(&ended));
        assert_eq!(why(&ended), "server closed the event stream; reconnecting.");
    }

    #[tokio::test]
    async fn a_silent_stream_is_given_up() {
        let (ended, cursor) = read(vec![(Duration::from_millis(600), EVENT)]).await;
        assert_eq!(cursor, None);
        assert_eq!(why(&ended), "server went silent; reconnecting.");
    }
}
