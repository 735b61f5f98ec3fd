//! The one window. It is made when needed and destroyed when closed: while Gatehouse sits in
//! the tray no web view (and no WebKit process) is alive — the watcher, notifications and
//! the session live in Rust. A window made again comes back where the person was: the
//! UI tells [`Memory`] which page it shows, and asks for it when it starts.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use gatehouse_api::{OpenNoticeEvent, WindowRestoreView};
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager, WebviewWindow, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_window_state::AppHandleExt;

use crate::desk::Desk;

/// The window's label (as in tauri.conf.json, where it is not made at start-up).
pub const LABEL: &str = "main";

/// How long a notice waits for the window made to show it (its UI loads in under a second;
/// the person may have to unlock first).
const PENDING_NOTICE_LIFETIME: Duration = Duration::from_secs(60);

/// What a window made again needs from the one before it.
#[derive(Default)]
pub struct Memory {
    /// The page shown last, and the session it was shown to.
    page: Mutex<Option<(i64, String)>>,
    /// A notice to open once the new window's UI is up (a notification was clicked while
    /// there was no window).
    pending_notice: Mutex<Option<(Instant, OpenNoticeEvent)>>,
}

impl Memory {
    /// Remembers the page the session's UI shows.
    pub fn remember_page(&self, session_id: i64, page: String) {
        if let Ok(mut slot) = self.page.lock() {
            *slot = Some((session_id, page));
        }
    }

    /// What the UI starting for `session_id` should show: its last page (if it was this
    /// session's) and a notice waiting to be opened.
    pub fn restore(&self, session_id: i64) -> WindowRestoreView {
        let page = self.page.lock().ok().and_then(|slot| match slot.as_ref() {
            Some((session, page)) if *session == session_id => Some(page.clone()),
            _ => None,
        });
        let open_notice = self
            .pending_notice
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .filter(|(since, _)| since.elapsed() < PENDING_NOTICE_LIFETIME)
            .map(|(_, event)| event);
        WindowRestoreView { page, open_notice }
    }

    fn hold_notice(&self, event: OpenNoticeEvent) {
        if let Ok(mut slot) = self.pending_notice.lock() {
            *slot = Some((Instant::now(), event));
        }
    }
}

/// Brings the window forward, making it if there is none.
pub fn open(app: &AppHandle) {
    if let Err(err) = show_or_make(app) {
        tracing::error!("could not open the window: {err}");
    }
}

/// Opens the window on a notice: the open window's UI is told at once; a window made for it
/// asks for it when its UI starts.
pub fn open_on_notice(app: &AppHandle, event: OpenNoticeEvent) {
    if let Some(window) = app.get_webview_window(LABEL) {
        bring_forward(&window);
        let _ = app.emit(crate::watcher::OPEN_NOTICE, event);
        return;
    }
    app.state::<Memory>().hold_notice(event);
    open(app);
}

fn show_or_make(app: &AppHandle) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(LABEL) {
        bring_forward(&window);
        return Ok(());
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|window| window.label == LABEL)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(dir) = crate::footprint::web_extensions_dir() {
        // WebKit loads the extension into the web process: it hands back start-up's pages.
        builder = builder.extensions_path(dir);
    }
    let window = builder
        // The page's title names the window (in the taskbar and the window switcher).
        .on_document_title_changed(|window, title| {
            let _ = window.set_title(&title);
        })
        .visible(false)
        .on_page_load(|window, payload| {
            if payload.event() == PageLoadEvent::Finished {
                show_loaded(&window);
            }
        })
        .build()?;
    crate::tray::badge_new_window(app, &window);
    tracing::info!("window made");
    // A page that never reports having loaded is shown anyway.
    with_window_after(app, SHOW_AT_THE_LATEST, |window| show_loaded(&window));
    with_window_after(app, START_UP, |_| crate::footprint::release_file_pages());
    Ok(())
}

/// The window is shown once its page has loaded, not before. Drawn while the page is still
/// loading, WebKit (without its DMA-BUF renderer, see footprint.rs) blocks the main thread
/// for up to 500 ms waiting for a picture the page can't paint yet, since the page's files
/// are served from that same thread. That happened in one launch in three, and took launch
/// to the sign-in screen from about 320 to 810 ms. It also spares a blank white frame.
fn show_loaded(window: &WebviewWindow) {
    if window.is_visible().unwrap_or(false) {
        return;
    }
    let _ = window.show();
    let elapsed_ms = window.app_handle().state::<Desk>().elapsed_ms();
    // scripts/bench-startup reads this line.
    tracing::info!(elapsed_ms, "window shown");
}

/// When a window whose page hasn't reported having loaded is shown anyway.
const SHOW_AT_THE_LATEST: Duration = Duration::from_secs(3);

/// How long after a window is made its start-up is over (the page has loaded and drawn, the
/// database is open) and the file pages only start-up used are handed back: most of this
/// binary (start-up code, the UI files it served the page) and the parts of WebKit the web
/// process doesn't share. Measured with the window open on the sign-in screen: the app went
/// from 89 to 71 MiB and stayed there (to 60 s). Pages still in use come back on their
/// next touch; the kernel never takes a page another process maps.
const START_UP: Duration = Duration::from_secs(10);

/// Runs `then` on the window after `delay`, if there is a window then.
fn with_window_after(app: &AppHandle, delay: Duration, then: impl FnOnce(WebviewWindow) + Send + 'static) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(window) = app.get_webview_window(LABEL) {
            then(window);
        }
    });
}

fn bring_forward(window: &WebviewWindow) {
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

/// Closing the window: with "keep running in the tray" on (and a tray to keep running in),
/// it is destroyed and the app stays (see [`keep_running`]); otherwise Gatehouse quits.
/// Its size and position are saved as it goes.
pub fn on_window_event(window: &tauri::Window, event: &WindowEvent) {
    if window.label() != LABEL {
        return;
    }
    let app = window.app_handle();
    match event {
        WindowEvent::CloseRequested { .. } if !keeps_running_in_tray(app) => app.exit(0),
        WindowEvent::Destroyed => {
            if let Err(err) = app.save_window_state(crate::plugins::WINDOW_STATE) {
                tracing::warn!("could not save the window's size and position: {err}");
            }
            tracing::info!("window closed; Gatehouse keeps running in the tray");
            settle_in_tray(app);
            if keeps_running_in_tray(app) {
                crate::tray::tell_if_unseen(app);
            }
        }
        _ => {}
    }
}

/// Time for WebKit to wind the web process down and write out storage first.
const SETTLE: Duration = Duration::from_secs(2);

/// When to hand pages back a second time. WebKit's own teardown in this process goes on
/// for a few seconds after the first time (freeing the page's objects, its allocator's
/// scavenger), and the kernel maps in 64 KiB around each page it touches: measured, the
/// app grew from 57 to 63 MiB by 20 s after the window closed, and then stayed there. A
/// second page-out at 30 s brought it to 56 MiB, where it stayed (measured to 150 s).
const SETTLE_AGAIN: Duration = Duration::from_secs(30);

/// Once the app has had no window for [`SETTLE`] (closed, or started in the tray): ends
/// WebKit's network process and hands the pages the window used back to the kernel, and
/// hands them back once more at [`SETTLE_AGAIN`] if there is still no window.
pub fn settle_in_tray(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if app.get_webview_window(LABEL).is_none() {
            crate::webkit_processes::stop_network_processes();
            crate::footprint::release_file_pages();
        }
        tokio::time::sleep(SETTLE_AGAIN - SETTLE).await;
        if app.get_webview_window(LABEL).is_none() {
            crate::footprint::release_file_pages();
        }
    });
}

fn keeps_running_in_tray(app: &AppHandle) -> bool {
    if app.try_state::<crate::tray::Tray>().is_none() {
        return false;
    }
    app.state::<Desk>().preferences().map(|saved| saved.keep_in_tray).unwrap_or_else(|err| {
        tracing::warn!(code = %err.code, "{err}; keeping Gatehouse in the tray");
        true
    })
}

/// Whether an exit the app didn't ask for (its last window closed) is refused: Gatehouse
/// quits through Quit, or when its window closes with "keep running in the tray" off.
pub fn keep_running(code: Option<i32>) -> bool {
    code.is_none()
}
