//! Copying a saved address: the address never passes through the web view.

use std::time::Duration;

use gatehouse_api::operations as ops;
use gatehouse_api::{ApiError, CopyResult};
use tauri::State;

use crate::desk::Desk;

/// How long a copied address stays on the clipboard.
const CLIPBOARD_SECONDS: u32 = 60;

/// Copies a saved address to the clipboard, reads it back to check nothing altered it, and
/// clears it after a minute if it still holds the address.
#[tauri::command]
pub async fn copy_address(desk: State<'_, Desk>, address_id: i64) -> Result<CopyResult, ApiError> {
    let address = desk.call(ops::GetAddress { address_id }).await?.address;
    let clipboard = desk.clipboard();
    clipboard.copy_verified(&address).map_err(|err| ApiError::new("desktop.clipboard", err.to_string()))?;
    let later = clipboard.clone();
    let copied = address.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(u64::from(CLIPBOARD_SECONDS))).await;
        if let Err(err) = later.clear_if_unchanged(&copied) {
            tracing::warn!("could not clear the clipboard: {err}");
        }
    });
    Ok(CopyResult::of(&address, CLIPBOARD_SECONDS))
}
