//! Files the app saves for the user in the Downloads folder: backup codes it is showing,
//! and CSV exports (the operation answers the CSV; the file is written only once it did).

use std::io::Write;

use gatehouse_api::operations as ops;
use gatehouse_api::{ActivityQuery, ApiError, CsvExport, ExportResult};
use tauri::State;
use zeroize::Zeroizing;

use crate::desk::Desk;
use crate::downloads;

/// Saves backup codes the UI is showing to a text file in Downloads.
#[tauri::command]
pub async fn save_backup_codes(desk: State<'_, Desk>, codes: Vec<String>) -> Result<ExportResult, ApiError> {
    let codes: Vec<Zeroizing<String>> = codes.into_iter().map(Zeroizing::new).collect();
    let well_formed = !codes.is_empty()
        && codes.len() <= 10
        && codes.iter().all(|c| c.len() == 11 && c.chars().all(|ch| ch == '-' || ch.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(ApiError::new("invalid_input", "Backup codes: expected up to ten codes like K7QM3-XD9P0."));
    }
    let text = Zeroizing::new(format!(
        "Gatehouse backup codes\nEach code works once. Keep them somewhere safe.\n\n{}\n",
        codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("\n")
    ));
    let path = save(&desk, "gatehouse-backup-codes", "txt", text.as_bytes())?;
    Ok(ExportResult { path, rows: codes.len() as u64 })
}

/// Writes the matching sign-in attempts to `gatehouse-sign-in-activity-<time>.csv`.
#[tauri::command]
pub async fn export_activity(desk: State<'_, Desk>, query: ActivityQuery) -> Result<ExportResult, ApiError> {
    let export = desk.call(ops::ExportActivity { query }).await?;
    save_csv(&desk, "gatehouse-sign-in-activity", &export)
}

#[tauri::command]
pub async fn export_addresses(desk: State<'_, Desk>) -> Result<ExportResult, ApiError> {
    let export = desk.call(ops::ExportAddresses {}).await?;
    save_csv(&desk, "gatehouse-address-book", &export)
}

#[tauri::command]
pub async fn export_withdrawals(desk: State<'_, Desk>) -> Result<ExportResult, ApiError> {
    let export = desk.call(ops::ExportWithdrawals {}).await?;
    save_csv(&desk, "gatehouse-withdrawals", &export)
}

fn save_csv(desk: &Desk, stem: &str, export: &CsvExport) -> Result<ExportResult, ApiError> {
    let path = save(desk, stem, "csv", export.csv.as_bytes())?;
    Ok(ExportResult { path, rows: export.rows })
}

/// Writes `<Downloads>/<stem>-<local time>.<extension>`; returns its path.
fn save(desk: &Desk, stem: &str, extension: &str, content: &[u8]) -> Result<String, ApiError> {
    let (mut file, path) = downloads::create(stem, extension, desk.now())?;
    file.write_all(content)
        .and_then(|()| file.flush())
        .map_err(|err| ApiError::new("desktop.save_failed", format!("Could not write {}: {err}", path.display())))?;
    Ok(path.display().to_string())
}
