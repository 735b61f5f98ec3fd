//! The app's remembered choice of where it runs — this computer's database or a team
//! server — in `connection.json` in the data folder (readable only by the user). No file:
//! an existing standalone installation (its database is there) keeps running on it; a new
//! one asks.

use std::path::{Path, PathBuf};

use gatehouse_api::{ApiError, ConnectionView, TrustView};
use gatehouse_client::{Fingerprint, Trust};

const FILE: &str = "connection.json";

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

fn io_error(what: &str, path: &Path, err: impl std::fmt::Display) -> ApiError {
    ApiError::new("desktop.connection_file", format!("Could not {what} {}: {err}", path.display()))
}

/// The saved choice; `Unchosen` when there is none and nothing to keep running.
pub fn load(data_dir: &Path) -> Result<ConnectionView, ApiError> {
    let file = path(data_dir);
    match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| io_error("read", &file, err)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let existing = data_dir.join(gatehouse_core::DATABASE_FILE).is_file();
            Ok(if existing { ConnectionView::ThisComputer } else { ConnectionView::Unchosen })
        }
        Err(err) => Err(io_error("read", &file, err)),
    }
}

/// Remembers `choice`.
pub fn save(data_dir: &Path, choice: &ConnectionView) -> Result<(), ApiError> {
    let file = path(data_dir);
    let json = serde_json::to_vec_pretty(choice).map_err(|err| io_error("write", &file, err))?;
    write_private(data_dir, &file, &json).map_err(|err| io_error("write", &file, err))
}

/// Writes `bytes` to `file` in `data_dir` (made if missing), readable only by the user.
pub fn write_private(data_dir: &Path, file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(data_dir)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(file)?;
    std::io::Write::write_all(&mut out, bytes)
}

/// The client's trust for a saved or requested one.
pub fn trust(view: &TrustView) -> Result<Trust, ApiError> {
    Ok(match view {
        TrustView::SystemRoots => Trust::SystemRoots,
        TrustView::CaFile { path } => Trust::CaFile(PathBuf::from(path)),
        TrustView::Pinned { fingerprint } => Trust::Pinned(Fingerprint::parse(fingerprint)?),
    })
}
