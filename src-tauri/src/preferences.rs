//! The desktop app's own preferences on this computer, in `desktop.json` in the data folder
//! (readable only by the user). Starting at login is not kept here: the operating system's
//! autostart entry is the truth for it (see `commands::desktop`).

use std::path::{Path, PathBuf};

use gatehouse_api::ApiError;
use serde::{Deserialize, Serialize};

const FILE: &str = "desktop.json";

/// What `desktop.json` holds. A missing file or field means the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Preferences {
    /// Closing the window keeps the app running in the tray (on by default: alerts only
    /// arrive while Gatehouse runs).
    pub keep_in_tray: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences { keep_in_tray: true }
    }
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

fn io_error(what: &str, path: &Path, err: impl std::fmt::Display) -> ApiError {
    ApiError::new("desktop.preferences_file", format!("Could not {what} {}: {err}", path.display()))
}

/// The saved preferences, or the defaults when none were saved.
pub fn load(data_dir: &Path) -> Result<Preferences, ApiError> {
    let file = path(data_dir);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| io_error("read", &file, err)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Preferences::default()),
        Err(err) => Err(io_error("read", &file, err)),
    }
}

/// Saves `preferences`.
pub fn save(data_dir: &Path, preferences: &Preferences) -> Result<(), ApiError> {
    let file = path(data_dir);
    let json = serde_json::to_vec_pretty(preferences).map_err(|err| io_error("write", &file, err))?;
    crate::connection::write_private(data_dir, &file, &json).map_err(|err| io_error("write", &file, err))
}
