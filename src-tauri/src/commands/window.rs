//! The window: keeping secret screens out of screenshots, printing.

use gatehouse_api::ApiError;
use tauri::WebviewWindow;

/// Keeps the window out of screenshots and screen sharing while secrets are on screen
/// (Windows and macOS; Linux has no such facility and this does nothing there).
#[tauri::command]
pub fn set_screen_capture_protection(window: WebviewWindow, protected: bool) -> Result<(), ApiError> {
    window
        .set_content_protected(protected)
        .map_err(|err| ApiError::new("desktop.window", format!("Could not change screen-capture protection: {err}")))
}

/// Opens the system print dialog for the window (WebKitGTK ignores `window.print()` in an
/// embedded web view); the UI's print stylesheet prints only the backup codes.
#[tauri::command]
pub fn print_window(window: WebviewWindow) -> Result<(), ApiError> {
    window.print().map_err(|err| ApiError::new("desktop.print", format!("Could not open the print dialog: {err}")))
}
