//! The tray icon, which stays while the window is closed: the unread count (a dot on the
//! icon, the number beside it where the desktop shows tray labels, and the menu's first
//! line), and Open, Lock, Sign out and Quit. On Linux it is an AppIndicator
//! (libayatana-appindicator), whose menu is the only way in; elsewhere a click opens the
//! window.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gatehouse_api::SessionEndedEvent;
use gatehouse_api::operations as ops;
use gatehouse_host::{AlertResponse, DesktopAlert};
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Wry};

use crate::desk::Desk;
use crate::main_window;

const OPEN: &str = "open";
const UNREAD: &str = "unread";
const LOCK: &str = "lock";
const SIGN_OUT: &str = "sign-out";
const QUIT: &str = "quit";

const ICON: Image<'static> = tauri::include_image!("icons/tray/tray.png");
const ICON_UNREAD: Image<'static> = tauri::include_image!("icons/tray/tray-unread.png");

/// The tray icon and the menu items that change.
pub struct Tray {
    icon: TrayIcon,
    unread_item: MenuItem<Wry>,
    lock_item: MenuItem<Wry>,
    sign_out_item: MenuItem<Wry>,
    /// What is shown, so nothing is redrawn when it didn't change.
    shown: Mutex<Shown>,
    /// This run has said that Gatehouse keeps running with no tray icon to be seen.
    told_unseen: AtomicBool,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
struct Shown {
    unread: Option<u32>,
    signed_in: Option<bool>,
}

/// Puts the icon in the tray (for the life of the app).
pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let unread_item = MenuItem::with_id(app, UNREAD, "No unread alerts", true, None::<&str>)?;
    let open_item = MenuItem::with_id(app, OPEN, "Open Gatehouse", true, None::<&str>)?;
    let lock_item = MenuItem::with_id(app, LOCK, "Lock", false, None::<&str>)?;
    let sign_out_item = MenuItem::with_id(app, SIGN_OUT, "Sign out", false, None::<&str>)?;
    let quit_item = MenuItem::with_id(app, QUIT, "Quit Gatehouse", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &unread_item,
            &PredefinedMenuItem::separator(app)?,
            &open_item,
            &lock_item,
            &sign_out_item,
            &PredefinedMenuItem::separator(app)?,
            &quit_item,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("gatehouse")
        .icon(ICON)
        .tooltip("Gatehouse")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu_event)
        .on_tray_icon_event(on_icon_event)
        .build(app)?;
    let told_unseen = AtomicBool::new(false);
    app.manage(Tray { icon, unread_item, lock_item, sign_out_item, shown: Mutex::default(), told_unseen });
    Ok(())
}

/// Shows the unread count on the tray icon and on the window's launcher badge.
pub fn show_unread(app: &AppHandle, unread: u32) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    if !tray.changed(|shown| shown.unread.replace(unread) != Some(unread)) {
        return;
    }
    let label = match unread {
        0 => "No unread alerts".to_owned(),
        1 => "1 unread alert".to_owned(),
        n => format!("{n} unread alerts"),
    };
    let _ = tray.icon.set_icon(Some(if unread > 0 { ICON_UNREAD } else { ICON }));
    let _ = tray.icon.set_title((unread > 0).then(|| unread.to_string()));
    let _ = tray.icon.set_tooltip(Some(format!("Gatehouse — {label}")));
    let _ = tray.unread_item.set_text(label);
    if let Some(window) = app.get_webview_window(main_window::LABEL) {
        badge(&window, unread);
    }
}

/// Lock and Sign out are offered only while a session is held.
pub fn show_signed_in(app: &AppHandle, signed_in: bool) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    if tray.changed(|shown| shown.signed_in.replace(signed_in) != Some(signed_in)) {
        let _ = tray.lock_item.set_enabled(signed_in);
        let _ = tray.sign_out_item.set_enabled(signed_in);
    }
}

/// Puts the current unread count on a window just made.
pub fn badge_new_window(app: &AppHandle, window: &tauri::WebviewWindow) {
    let unread = app.try_state::<Tray>().and_then(|tray| tray.shown.lock().ok()?.unread);
    badge(window, unread.unwrap_or(0));
}

/// The unread count on the app's dock or launcher icon, where the platform has one.
fn badge(window: &tauri::WebviewWindow, unread: u32) {
    let _ = window.set_badge_count((unread > 0).then_some(i64::from(unread)));
}

impl Tray {
    /// Applies `update` to what is shown; true when it changed something.
    fn changed(&self, update: impl FnOnce(&mut Shown) -> bool) -> bool {
        self.shown.lock().map(|mut shown| update(&mut shown)).unwrap_or(false)
    }
}

/// How long after its window closed Gatehouse looks for a panel showing its icon (an app
/// that was quitting is gone by then).
const LOOK_AFTER_CLOSE: Duration = Duration::from_secs(1);

/// The window closed and Gatehouse keeps running. On a desktop that shows no tray icons
/// (GNOME without its AppIndicator extension) nothing would show that it runs: say so once
/// per run, natively — alerts keep coming, and launching Gatehouse (or clicking this) brings
/// the window back.
pub fn tell_if_unseen(app: &AppHandle) {
    if app.try_state::<Tray>().is_none_or(|tray| tray.told_unseen.load(Ordering::Relaxed)) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(LOOK_AFTER_CLOSE).await;
        let reopened = app.get_webview_window(main_window::LABEL).is_some();
        if reopened || gatehouse_host::tray_is_shown().await {
            return;
        }
        // Two closes a moment apart both get here: the first one tells.
        if app.try_state::<Tray>().is_none_or(|tray| tray.told_unseen.swap(true, Ordering::Relaxed)) {
            return;
        }
        let alert = DesktopAlert {
            summary: "Gatehouse is still running".to_owned(),
            body: "New-sign-in alerts keep arriving while it runs, but this desktop shows no tray icon for it. \
                   Open Gatehouse from your applications to see it again. To quit when the window closes, turn off \
                   \"Keep running in the tray\" under Account → This computer."
                .to_owned(),
            actions: Vec::new(),
        };
        let on_response = move |response| {
            if response == AlertResponse::Clicked {
                tauri::async_runtime::spawn(async move { main_window::open(&app) });
            }
        };
        match tauri::async_runtime::spawn_blocking(move || gatehouse_host::show_alert(&alert, on_response)).await {
            Ok(Ok(())) => tracing::info!("no tray icon can be seen: said that Gatehouse keeps running"),
            Ok(Err(err)) => tracing::warn!("{err}"),
            Err(err) => tracing::warn!("the notification thread failed: {err}"),
        }
    });
}

fn on_icon_event(tray: &TrayIcon, event: TrayIconEvent) {
    if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
        main_window::open(tray.app_handle());
    }
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN | UNREAD => main_window::open(app),
        LOCK => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move { lock(&app).await });
        }
        SIGN_OUT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move { sign_out(&app).await });
        }
        QUIT => app.exit(0),
        _ => {}
    }
}

/// Locks the session; an open window shows the lock screen.
async fn lock(app: &AppHandle) {
    match app.state::<Desk>().call(ops::Lock {}).await {
        Ok(_) => {
            let _ = app.emit(crate::watcher::SESSION_LOCKED, ());
        }
        Err(err) => tracing::warn!(code = %err.code, "could not lock from the tray: {err}"),
    }
}

/// Signs out; an open window shows the sign-in screen.
async fn sign_out(app: &AppHandle) {
    match app.state::<Desk>().sign_out().await {
        Ok(()) => {
            show_signed_in(app, false);
            show_unread(app, 0);
            let ended = SessionEndedEvent { reason: "signed_out".to_owned(), message: String::new() };
            let _ = app.emit(crate::watcher::SESSION_ENDED, ended);
        }
        Err(err) => tracing::warn!(code = %err.code, "could not sign out from the tray: {err}"),
    }
}
