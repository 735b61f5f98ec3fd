//! Sign-in activity: list a page, export CSV to the Downloads folder.

use std::io::BufWriter;
use std::path::PathBuf;

use gatehouse_api::{ActivityQuery, ApiError, AttemptView, ExportResult};
use tauri::State;

use crate::desk::Desk;

#[tauri::command]
pub async fn list_activity(desk: State<'_, Desk>, query: ActivityQuery) -> Result<Vec<AttemptView>, ApiError> {
    let token = desk.token().await?;
    let attempts = desk
        .gate()
        .await?
        .list_activity(desk.caller(&token), &query.to_filter())
        .await?;
    Ok(attempts.iter().map(AttemptView::from).collect())
}

/// Writes the matching attempts to `gatehouse-sign-in-activity-<time>.csv` in the user's
/// Downloads folder (home folder when there is none), like a browser download.
#[tauri::command]
pub async fn export_activity(desk: State<'_, Desk>, query: ActivityQuery) -> Result<ExportResult, ApiError> {
    let token = desk.token().await?;
    let path = export_path(desk.now().as_millis());
    let file = std::fs::File::create(&path)
        .map_err(|err| ApiError::new("desktop.export", format!("Could not create {}: {err}", path.display())))?;
    let rows = desk
        .gate()
        .await?
        .export_activity_csv(desk.caller(&token), &query.to_filter(), BufWriter::new(file))
        .await?;
    Ok(ExportResult {
        path: path.display().to_string(),
        rows,
    })
}

fn export_path(now_millis: i64) -> PathBuf {
    let folder = directories::UserDirs::new()
        .and_then(|dirs| {
            dirs.download_dir()
                .map(PathBuf::from)
                .or_else(|| Some(dirs.home_dir().to_path_buf()))
        })
        .unwrap_or_else(std::env::temp_dir);
    let stamp = jiff::Timestamp::from_millisecond(now_millis)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y%m%d-%H%M%S")
                .to_string()
        })
        .unwrap_or_else(|_| now_millis.to_string());
    folder.join(format!("gatehouse-sign-in-activity-{stamp}.csv"))
}
