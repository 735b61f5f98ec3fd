//! Files the app saves for the user (CSV exports, backup codes) go to the Downloads
//! folder (the home folder when there is none), like a browser download. No file-system
//! plugin and no path from the web view: the name is chosen here.

use std::fs::File;
use std::path::PathBuf;

use gatehouse_api::ApiError;
use gatehouse_core::Timestamp;

/// Creates `<Downloads>/<stem>-<local time>.<extension>`, readable only by the user.
pub fn create(stem: &str, extension: &str, now: Timestamp) -> Result<(File, PathBuf), ApiError> {
    create_file(stem, extension, now).map_err(|err| ApiError::new("desktop.save_failed", err.to_string()))
}

fn create_file(stem: &str, extension: &str, now: Timestamp) -> std::io::Result<(File, PathBuf)> {
    let folder = directories::UserDirs::new()
        .and_then(|dirs| dirs.download_dir().map(PathBuf::from).or_else(|| Some(dirs.home_dir().to_path_buf())))
        .unwrap_or_else(std::env::temp_dir);
    let stamp = jiff::Timestamp::from_millisecond(now.as_millis())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::system()).strftime("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|_| now.as_millis().to_string());
    let path = folder.join(format!("{stem}-{stamp}.{extension}"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|err| std::io::Error::new(err.kind(), format!("Could not create {}: {err}", path.display())))?;
    Ok((file, path))
}
