//! The Tauri plugins the app uses (all of the 2.x line), each set up for the data folder it
//! runs on: one instance per data folder, the window's size and position remembered in it,
//! and the operating system's start-at-login entry.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Wry};
use tauri_plugin_window_state::StateFlags;

use crate::main_window;

/// The flag a start at login passes: Gatehouse starts in the tray, without a window.
pub const START_IN_TRAY: &str = "--tray";

/// What the window remembers: not its visibility (closing it to the tray is not a state
/// to come back to).
pub const WINDOW_STATE: StateFlags =
    StateFlags::SIZE.union(StateFlags::POSITION).union(StateFlags::MAXIMIZED).union(StateFlags::FULLSCREEN);

const APP_ID: &str = "app.gatehouse.desktop";
const WINDOW_STATE_FILE: &str = "window-state.json";

/// One app per data folder: a second launch hands over to the running one, which brings its
/// window forward (a second launch by start-at-login leaves it in the tray). The default
/// folder uses the app's id; another folder (`--data-dir`) is another app, with its own id.
pub fn single_instance(custom_data_dir: Option<&Path>) -> TauriPlugin<Wry> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(custom_data_dir))
        .callback(|app: &AppHandle, argv: Vec<String>, _cwd: String| {
            if !argv.iter().any(|arg| arg == START_IN_TRAY) {
                main_window::open(app);
            }
        })
        .build()
}

/// The D-Bus name (Linux) the running app holds for its data folder.
fn instance_id(custom_data_dir: Option<&Path>) -> String {
    let Some(dir) = custom_data_dir else { return APP_ID.to_owned() };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    // A D-Bus name's elements may not start with a digit.
    format!("{APP_ID}.folder{hex}")
}

/// The window's size and position, kept in the data folder beside the database.
pub fn window_state(data_dir: Option<&Path>) -> TauriPlugin<Wry> {
    let mut builder = tauri_plugin_window_state::Builder::new().with_state_flags(WINDOW_STATE);
    if let Some(dir) = data_dir {
        // The plugin joins this to the app's config folder; an absolute path replaces it.
        builder = builder.with_filename(dir.join(WINDOW_STATE_FILE).to_string_lossy());
    }
    builder.build()
}

/// Start at login: the entry starts this executable in the tray, on the same data folder.
pub fn autostart(custom_data_dir: Option<&Path>) -> TauriPlugin<Wry> {
    let mut args = vec![START_IN_TRAY.to_owned()];
    if let Some(dir) = custom_data_dir {
        let dir: PathBuf = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
        args.extend(["--data-dir".to_owned(), dir.to_string_lossy().into_owned()]);
    }
    tauri_plugin_autostart::Builder::new().app_name("Gatehouse").args(args).build()
}
