//! Two-factor authentication: enrolment (with the QR code drawn here), backup codes,
//! status, turning off, an admin's reset, step-up, and keeping secret screens out of
//! screenshots.

use std::io::Write;

use gatehouse_api::{ApiError, BackupCodesView, EnrollmentView, ExportResult, TwoFactorStatusView};
use gatehouse_core::UserId;
use tauri::{State, WebviewWindow};
use zeroize::Zeroizing;

use crate::desk::Desk;
use crate::downloads;

#[tauri::command]
pub async fn begin_two_factor_enrollment(desk: State<'_, Desk>) -> Result<EnrollmentView, ApiError> {
    let token = desk.token().await?;
    EnrollmentView::new(&desk.gate().await?.begin_two_factor_enrollment(desk.caller(&token)).await?)
}

#[tauri::command]
pub async fn confirm_two_factor_enrollment(desk: State<'_, Desk>, code: String) -> Result<BackupCodesView, ApiError> {
    let token = desk.token().await?;
    let codes = desk.gate().await?.confirm_two_factor_enrollment(desk.caller(&token), &code).await?;
    Ok(BackupCodesView::from(&codes))
}

#[tauri::command]
pub async fn two_factor_status(desk: State<'_, Desk>, user_id: Option<i64>) -> Result<TwoFactorStatusView, ApiError> {
    let token = desk.token().await?;
    let status = desk.gate().await?.two_factor_status(desk.caller(&token), user_id.map(UserId)).await?;
    Ok(TwoFactorStatusView::from(&status))
}

#[tauri::command]
pub async fn regenerate_backup_codes(desk: State<'_, Desk>) -> Result<BackupCodesView, ApiError> {
    let token = desk.token().await?;
    Ok(BackupCodesView::from(&desk.gate().await?.regenerate_backup_codes(desk.caller(&token)).await?))
}

#[tauri::command]
pub async fn disable_two_factor(desk: State<'_, Desk>, password: String, code: String) -> Result<(), ApiError> {
    let password = Zeroizing::new(password);
    let token = desk.token().await?;
    Ok(desk.gate().await?.disable_two_factor(desk.caller(&token), &password, &code).await?)
}

#[tauri::command]
pub async fn reset_two_factor(desk: State<'_, Desk>, user_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.reset_two_factor(desk.caller(&token), UserId(user_id)).await?)
}

/// Confirms it's the user (a code, or the password without 2FA) before sensitive changes.
#[tauri::command]
pub async fn step_up(desk: State<'_, Desk>, answer: String) -> Result<(), ApiError> {
    let answer = Zeroizing::new(answer);
    let token = desk.token().await?;
    Ok(desk.gate().await?.step_up(desk.caller(&token), &answer).await?)
}

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
    let (mut file, path) = downloads::create("gatehouse-backup-codes", "txt", desk.now())?;
    let text = Zeroizing::new(format!(
        "Gatehouse backup codes\nEach code works once. Keep them somewhere safe.\n\n{}\n",
        codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("\n")
    ));
    file.write_all(text.as_bytes())
        .map_err(|err| ApiError::new("desktop.save_failed", format!("Could not write {}: {err}", path.display())))?;
    Ok(ExportResult { path: path.display().to_string(), rows: codes.len() as u64 })
}

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
