//! Where Gatehouse keeps its data by default, per OS convention:
//! Linux `~/.local/share/gatehouse`, macOS `~/Library/Application Support/app.gatehouse.Gatehouse`,
//! Windows `%APPDATA%\gatehouse\Gatehouse\data`.

use std::path::PathBuf;

/// The default data folder, or `None` when the OS gives no home folder.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "gatehouse", "Gatehouse").map(|dirs| dirs.data_dir().to_path_buf())
}
