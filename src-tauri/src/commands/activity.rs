//! Sign-in activity: list a page, export CSV to the Downloads folder.

use gatehouse_api::{ActivityQuery, ApiError, AttemptView, ExportResult};
use tauri::State;

use crate::desk::Desk;
use crate::downloads::Download;

#[tauri::command]
pub async fn list_activity(desk: State<'_, Desk>, query: ActivityQuery) -> Result<Vec<AttemptView>, ApiError> {
    let token = desk.token().await?;
    let attempts = desk.gate().await?.list_activity(desk.caller(&token), &query.to_filter()).await?;
    Ok(attempts.iter().map(AttemptView::from).collect())
}

/// Writes the matching attempts to `gatehouse-sign-in-activity-<time>.csv` in the user's
/// Downloads folder.
#[tauri::command]
pub async fn export_activity(desk: State<'_, Desk>, query: ActivityQuery) -> Result<ExportResult, ApiError> {
    let token = desk.token().await?;
    let mut download = Download::csv("gatehouse-sign-in-activity", desk.now());
    let filter = query.to_filter();
    let rows = desk.gate().await?.export_activity_csv(desk.caller(&token), &filter, || download.open()).await?;
    Ok(download.result(rows))
}
