//! Delivers what happens elsewhere while the app runs. It follows the current session's
//! event stream (gatehouse-client's `EventStream`: the team server's Server-Sent Events, or
//! this computer's database watched directly in standalone mode) and turns each event into
//! what the person sees: native notifications with Review / "This wasn't me" (or, for an
//! admin, "End this session"), `notices-changed` and `data-changed` for open pages, the
//! unread badge, `session-ended` (the sign-in screen says why) and `session-locked`, and
//! `connection-status` while the server can't be reached (the stream keeps trying and
//! resumes from its last cursor, so nothing is lost).

use std::time::Duration;

use gatehouse_api::operations as ops;
use gatehouse_api::{
    ConnectionStatusEvent, DataChangedEvent, NoticeView, OpenNoticeEvent, SessionEndedEvent, StreamEvent,
};
use gatehouse_client::{ClientEvent, EventStream};
use gatehouse_core::{SessionToken, Topic};
use gatehouse_host::{AlertResponse, DesktopAlert};
use tauri::{AppHandle, Emitter, Manager};

use crate::desk::Desk;
use crate::{main_window, tray};

/// How often the watcher looks whether the session it follows is still the app's.
const TOKEN_CHECK: Duration = Duration::from_millis(250);
/// How often a locked session is asked whether it was unlocked.
const LOCKED_CHECK: Duration = Duration::from_secs(1);
/// Tells the UI its notices changed (payload: the newest id).
const NOTICES_CHANGED: &str = "notices-changed";
/// Tells the UI which topics changed elsewhere.
const DATA_CHANGED: &str = "data-changed";
/// Tells the UI the session ended elsewhere, and why.
pub const SESSION_ENDED: &str = "session-ended";
/// Tells the UI the session locked.
pub const SESSION_LOCKED: &str = "session-locked";
/// Tells the UI whether the server's event stream is up.
const CONNECTION_STATUS: &str = "connection-status";
/// Asks the UI to open what a notice is about (a native notification was used).
pub const OPEN_NOTICE: &str = "open-notice";
/// The native notification's "This wasn't me" action.
const NOT_ME: &str = "not-me";
/// An admin's "End this session" action on someone else's sign-in.
const END_SESSION: &str = "end-session";
/// Refusals that wait for the person (see `Actor::obligation`), not for the network.
const OBLIGATIONS: [&str; 2] = ["password.change_required", "2fa.enrollment_required"];

/// Starts watching (for the life of the app).
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut failure_logged = false;
        loop {
            let token = wait_for_session(&app).await;
            tray::show_signed_in(&app, true);
            let mut watch = Watch { app: &app, token, cursor: None, failure_logged: &mut failure_logged };
            watch.follow().await;
        }
    });
}

/// Waits until the app holds a session; the tray shows none meanwhile.
async fn wait_for_session(app: &AppHandle) -> SessionToken {
    loop {
        if let Ok(Some(token)) = app.state::<Desk>().maybe_token().await {
            return token;
        }
        tray::show_signed_in(app, false);
        tray::show_unread(app, 0);
        tokio::time::sleep(TOKEN_CHECK).await;
    }
}

/// One session followed, across locks and reconnections.
struct Watch<'a> {
    app: &'a AppHandle,
    token: SessionToken,
    /// The newest notice seen: a stream reopened after a lock resumes there, so what came
    /// meanwhile is delivered after unlocking.
    cursor: Option<i64>,
    failure_logged: &'a mut bool,
}

/// Why following a stream stopped.
enum Stop {
    /// The app holds another session now, or none.
    SessionChanged,
    /// The session ended.
    Ended,
    /// The session locked: follow again once it is unlocked.
    Locked,
    /// The app has no connection chosen (or it could not be opened).
    NoConnection,
}

impl Watch<'_> {
    fn desk(&self) -> tauri::State<'_, Desk> {
        self.app.state::<Desk>()
    }

    /// Follows the session until it ends or the app moves to another.
    async fn follow(&mut self) {
        loop {
            let stream = match self.desk().events(self.token.clone(), self.cursor).await {
                Ok(stream) => stream,
                Err(_) => return tokio::time::sleep(TOKEN_CHECK).await,
            };
            match self.read(stream).await {
                Stop::SessionChanged | Stop::Ended => return,
                Stop::NoConnection => return tokio::time::sleep(TOKEN_CHECK).await,
                Stop::Locked => {
                    if !self.wait_until_unlocked().await {
                        return;
                    }
                }
            }
        }
    }

    /// Handles the stream's events until it stops.
    async fn read(&mut self, mut stream: EventStream) -> Stop {
        let mut token_check = tokio::time::interval(TOKEN_CHECK);
        loop {
            let event = tokio::select! {
                event = stream.next() => event,
                _ = token_check.tick() => {
                    if self.still_current().await { continue } else { return Stop::SessionChanged }
                }
            };
            let Some(event) = event else { return Stop::NoConnection };
            if let Some(stop) = self.handle(event).await {
                return stop;
            }
        }
    }

    async fn still_current(&self) -> bool {
        matches!(self.desk().maybe_token().await, Ok(Some(held)) if held == self.token)
    }

    /// While locked: true once unlocked, false when the app moved to another session.
    async fn wait_until_unlocked(&self) -> bool {
        loop {
            tokio::time::sleep(LOCKED_CHECK).await;
            if !self.still_current().await {
                return false;
            }
            // A background read: it doesn't keep the locked session alive.
            match self.desk().call(ops::UnreadNotices {}).await {
                Ok(_) => return true,
                Err(err) if err.needs_sign_in() => return false,
                Err(_) => {}
            }
        }
    }

    async fn handle(&mut self, event: ClientEvent) -> Option<Stop> {
        match event {
            ClientEvent::Connected => {
                self.status(true, None);
                self.refresh_badge().await;
            }
            // A password to choose or an authenticator to enrol first: the app shows that
            // screen, and the stream connects once it is done (not a connection problem).
            ClientEvent::Disconnected { error, .. } if OBLIGATIONS.contains(&error.code.as_str()) => {}
            ClientEvent::Disconnected { error, retry_in } => {
                let seconds = retry_in.as_secs_f32().ceil();
                self.status(false, Some(format!("{} Trying again in {seconds} s.", error.message)));
            }
            ClientEvent::Event(event) => return self.handle_stream_event(event).await,
        }
        None
    }

    async fn handle_stream_event(&mut self, event: StreamEvent) -> Option<Stop> {
        if let Some(cursor) = event.cursor() {
            self.cursor = Some(cursor);
        }
        match event {
            StreamEvent::Ready { .. } => {}
            StreamEvent::Notice { notice, .. } => {
                let _ = self.app.emit(NOTICES_CHANGED, notice.id);
                if notice.native {
                    show_native(self.app, &notice, self.failure_logged).await;
                }
                self.refresh_badge().await;
            }
            StreamEvent::Changed { topics } => {
                if topics.iter().any(|topic| topic == Topic::Notices.as_str()) {
                    self.refresh_badge().await;
                }
                let _ = self.app.emit(DATA_CHANGED, DataChangedEvent { topics });
            }
            StreamEvent::Resync { cursor } => {
                let topics = Topic::ALL.iter().map(|topic| topic.as_str().to_owned()).collect();
                let _ = self.app.emit(DATA_CHANGED, DataChangedEvent { topics });
                let _ = self.app.emit(NOTICES_CHANGED, cursor);
                self.refresh_badge().await;
            }
            StreamEvent::SessionEnded { reason, mut message } => {
                // Signing out is this app's own doing (its command forgets the token as the
                // stream reports it): nothing to explain on the sign-in screen.
                if reason == "signed_out" {
                    message.clear();
                }
                if let Err(err) = self.desk().forget_ended_token(&self.token).await {
                    tracing::warn!(code = %err.code, "could not forget the ended session: {err}");
                }
                tray::show_unread(self.app, 0);
                let _ = self.app.emit(SESSION_ENDED, SessionEndedEvent { reason, message });
                return Some(Stop::Ended);
            }
            StreamEvent::SessionLocked {} => {
                let _ = self.app.emit(SESSION_LOCKED, ());
                return Some(Stop::Locked);
            }
        }
        None
    }

    fn status(&self, connected: bool, message: Option<String>) {
        let _ = self.app.emit(CONNECTION_STATUS, ConnectionStatusEvent { connected, message });
    }

    async fn refresh_badge(&mut self) {
        if let Ok(unread) = self.desk().call(ops::UnreadNotices {}).await {
            tray::show_unread(self.app, unread);
        }
    }
}

/// Shows one notice natively. Without a notification service it is logged once; the notice
/// is in the app's centre either way.
async fn show_native(app: &AppHandle, notice: &NoticeView, failure_logged: &mut bool) {
    let mut actions = Vec::new();
    if notice.disownable {
        actions.push((NOT_ME.to_owned(), "This wasn't me".to_owned()));
    }
    if notice.session_endable {
        actions.push((END_SESSION.to_owned(), "End this session".to_owned()));
    }
    let alert = DesktopAlert { summary: notice.title.clone(), body: notice.body.clone(), actions };
    let target = Target {
        notice_id: notice.id,
        subject: notice.subject.clone(),
        session: notice.session_id.filter(|_| notice.session_endable),
    };
    let (app_for_reply, id) = (app.clone(), notice.id);
    let shown = tauri::async_runtime::spawn_blocking(move || {
        gatehouse_host::show_alert(&alert, move |response| reply(app_for_reply, target, response))
    })
    .await;
    match shown {
        Ok(Ok(())) => tracing::debug!(notice = id, "native notification shown"),
        Ok(Err(err)) if !*failure_logged => {
            tracing::warn!("{err}; alerts stay in the app's notifications centre");
            *failure_logged = true;
        }
        Ok(Err(_)) => {}
        Err(err) => tracing::warn!("the notification thread failed: {err}"),
    }
}

/// What a click or an action on a native notification does: bring the window forward (made
/// again if it was closed to the tray) on the item; for "This wasn't me", end that session first; for "End this session", let the UI
/// end it (an admin ending someone else's session confirms it's them first).
fn reply(app: AppHandle, target: Target, response: AlertResponse) {
    let action = match response {
        AlertResponse::Clicked => None,
        AlertResponse::Action(action) if action == NOT_ME || action == END_SESSION => Some(action),
        AlertResponse::Action(_) | AlertResponse::Closed => return,
    };
    tauri::async_runtime::spawn(async move {
        let Target { notice_id, subject, session } = target;
        let disowned = action.as_deref() == Some(NOT_ME) && disown_sign_in(&app, notice_id).await;
        let end_session = session.filter(|_| action.as_deref() == Some(END_SESSION));
        main_window::open_on_notice(&app, OpenNoticeEvent { notice_id, subject, disowned, end_session });
    });
}

/// What a native notification is about, for its reply.
struct Target {
    notice_id: i64,
    subject: Option<String>,
    /// The session an admin may end from it.
    session: Option<i64>,
}

async fn disown_sign_in(app: &AppHandle, notice_id: i64) -> bool {
    let desk = app.state::<Desk>();
    match desk.call(ops::DisownSignIn { notice_id }).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(code = %err.code, "could not end the reported session: {err}");
            false
        }
    }
}
