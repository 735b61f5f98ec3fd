//! Delivers new notices while the app runs. Every half second it asks for the current
//! session's notices newer than the last one it saw — including those raised by other
//! processes on the same database (the CLI, a second app instance) — tells the UI
//! (`notices-changed`), shows the native ones as desktop notifications and keeps the unread
//! count on the app icon where the platform shows badges. It asks through the same
//! operations as the UI, so in team mode it asks the server.

use std::time::Duration;

use gatehouse_api::operations as ops;
use gatehouse_api::{ApiError, NoticeView, OpenNoticeEvent};
use gatehouse_core::SessionToken;
use gatehouse_host::{AlertResponse, DesktopAlert};
use tauri::{AppHandle, Emitter, Manager};

use crate::desk::Desk;

/// How often the database is asked (the goal: events seen within 2 s).
const WATCH_INTERVAL: Duration = Duration::from_millis(500);
/// Tells the UI its notices changed (payload: the newest id).
const NOTICES_CHANGED: &str = "notices-changed";
/// Asks the UI to open what a notice is about (a native notification was used).
const OPEN_NOTICE: &str = "open-notice";
/// The native notification's "This wasn't me" action.
const NOT_ME: &str = "not-me";

/// Which session is watched and the newest notice it has seen.
struct Watched {
    token: SessionToken,
    last_seen: i64,
}

/// Starts watching (for the life of the app).
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut watched: Option<Watched> = None;
        let mut failure_logged = false;
        let mut badge: Option<u32> = None;
        loop {
            tokio::time::sleep(WATCH_INTERVAL).await;
            let desk = app.state::<Desk>();
            let Ok(Some(token)) = desk.maybe_token().await else {
                watched = None;
                show_badge(&app, &mut badge, 0);
                continue;
            };
            let fresh = match fresh_notices(&desk, &mut watched, token).await {
                Ok(fresh) => fresh,
                // Locked or ended: what arrives meanwhile is delivered after unlocking.
                Err(_) => continue,
            };
            if let Some(newest) = fresh.last() {
                let _ = app.emit(NOTICES_CHANGED, newest.id);
            }
            for notice in fresh.iter().filter(|notice| notice.native) {
                show_native(&app, notice, &mut failure_logged).await;
            }
            if let Ok(unread) = desk.call(ops::UnreadNotices {}).await {
                show_badge(&app, &mut badge, unread);
            }
        }
    });
}

/// The unread count on the app's dock or launcher icon, where the platform has one
/// (macOS; Linux desktops with the launcher API). Set only when it changes.
fn show_badge(app: &AppHandle, shown: &mut Option<u32>, unread: u32) {
    if *shown == Some(unread) {
        return;
    }
    *shown = Some(unread);
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_badge_count((unread > 0).then_some(i64::from(unread)));
    }
}

/// Notices newer than the last seen. A session seen for the first time starts after the
/// notices it already has (they are in the centre; only what comes next pops up).
async fn fresh_notices(
    desk: &Desk,
    watched: &mut Option<Watched>,
    token: SessionToken,
) -> Result<Vec<NoticeView>, ApiError> {
    let last_seen = match watched {
        Some(current) if current.token == token => current.last_seen,
        _ => {
            let latest = desk.call(ops::LatestNoticeId {}).await?;
            *watched = Some(Watched { token, last_seen: latest });
            return Ok(Vec::new());
        }
    };
    let fresh = desk.call(ops::NoticesAfter { after: last_seen }).await?;
    if let (Some(current), Some(newest)) = (watched.as_mut(), fresh.last()) {
        current.last_seen = newest.id;
    }
    Ok(fresh)
}

/// Shows one notice natively. Without a notification service it is logged once; the notice
/// is in the app's centre either way.
async fn show_native(app: &AppHandle, notice: &NoticeView, failure_logged: &mut bool) {
    let actions = if notice.disownable { vec![(NOT_ME.to_owned(), "This wasn't me".to_owned())] } else { Vec::new() };
    let alert = DesktopAlert { summary: notice.title.clone(), body: notice.body.clone(), actions };
    let (app_for_reply, id, subject) = (app.clone(), notice.id, notice.subject.clone());
    let shown = tauri::async_runtime::spawn_blocking(move || {
        gatehouse_host::show_alert(&alert, move |response| reply(app_for_reply, id, subject, response))
    })
    .await;
    match shown {
        Ok(Ok(())) => {}
        Ok(Err(err)) if !*failure_logged => {
            tracing::warn!("{err}; alerts stay in the app's notifications centre");
            *failure_logged = true;
        }
        Ok(Err(_)) => {}
        Err(err) => tracing::warn!("the notification thread failed: {err}"),
    }
}

/// What a click or an action on a native notification does: bring the app forward on the
/// item; for "This wasn't me", end that session first.
fn reply(app: AppHandle, notice_id: i64, subject: Option<String>, response: AlertResponse) {
    let disown = match response {
        AlertResponse::Clicked => false,
        AlertResponse::Action(action) if action == NOT_ME => true,
        AlertResponse::Action(_) | AlertResponse::Closed => return,
    };
    tauri::async_runtime::spawn(async move {
        let disowned = disown && disown_sign_in(&app, notice_id).await;
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
        let _ = app.emit(OPEN_NOTICE, OpenNoticeEvent { notice_id, subject, disowned, end_session: None });
    });
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
