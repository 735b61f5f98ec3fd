//! The desktop app's own settings on this computer (keep running in the tray, start at
//! login) and what a window made again needs (the page it showed, a notice to open).

use gatehouse_api::{ApiError, DesktopPreferencesView, WindowRestoreView};
use tauri::{AppHandle, State};
use tauri_plugin_autostart::ManagerExt;

use crate::desk::Desk;
use crate::main_window::Memory;
use crate::preferences::Preferences;

/// The longest page name the UI uses, with room to spare.
const MAX_PAGE_NAME: usize = 32;

fn autostart_error(err: impl std::fmt::Display) -> ApiError {
    ApiError::new("desktop.autostart", format!("Could not change starting at login: {err}"))
}

/// This computer's preferences.
#[tauri::command]
pub fn desktop_preferences(app: AppHandle, desk: State<'_, Desk>) -> Result<DesktopPreferencesView, ApiError> {
    let saved = desk.preferences()?;
    let start_at_login = app.autolaunch().is_enabled().map_err(autostart_error)?;
    Ok(DesktopPreferencesView { keep_in_tray: saved.keep_in_tray, start_at_login })
}

/// Saves this computer's preferences; starting at login adds or removes the operating
/// system's autostart entry (it starts Gatehouse in the tray).
#[tauri::command]
pub fn set_desktop_preferences(
    app: AppHandle,
    desk: State<'_, Desk>,
    preferences: DesktopPreferencesView,
) -> Result<DesktopPreferencesView, ApiError> {
    let autostart = app.autolaunch();
    if autostart.is_enabled().map_err(autostart_error)? != preferences.start_at_login {
        let changed = if preferences.start_at_login { autostart.enable() } else { autostart.disable() };
        changed.map_err(autostart_error)?;
    }
    desk.save_preferences(&Preferences { keep_in_tray: preferences.keep_in_tray })?;
    desktop_preferences(app, desk)
}

/// Remembers the page the UI shows to `session_id`, for a window made again.
#[tauri::command]
pub fn remember_page(memory: State<'_, Memory>, session_id: i64, page: String) -> Result<(), ApiError> {
    let well_formed =
        !page.is_empty() && page.len() <= MAX_PAGE_NAME && page.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if !well_formed {
        return Err(ApiError::new("desktop.bad_page", "A page name is a few lowercase letters."));
    }
    memory.remember_page(session_id, page);
    Ok(())
}

/// What the UI starting for `session_id` should show first.
#[tauri::command]
pub fn restore_window(memory: State<'_, Memory>, session_id: i64) -> WindowRestoreView {
    memory.restore(session_id)
}
