//! The address book, withdrawals and in-app notices.

use std::time::Duration;

use gatehouse_api::{
    AddressChangesRequest, AddressCheckView, AddressQueryRequest, ApiError, CopyResult, ExportResult, LookAlikeView,
    NetworkView, NewAddressRequest, NewWithdrawalRequest, NoticeView, SavedAddressResult, SavedAddressView,
    WithdrawalView,
};
use gatehouse_core::{AddressId, WithdrawalId, WithdrawalQuery, WithdrawalStatus};
use tauri::State;

use crate::desk::Desk;
use crate::downloads::Download;

/// How long a copied address stays on the clipboard.
const CLIPBOARD_SECONDS: u32 = 60;

fn saved(result: (gatehouse_core::SavedAddress, Vec<String>)) -> SavedAddressResult {
    SavedAddressResult { address: SavedAddressView::from(&result.0), notes: result.1 }
}

#[tauri::command]
pub fn list_networks() -> Vec<NetworkView> {
    gatehouse_api::networks()
}

#[tauri::command]
pub fn check_address(network: String, address: String, memo: Option<String>) -> Result<AddressCheckView, ApiError> {
    let (address, notes) = gatehouse_core::check_address(&network, &address, memo.as_deref())?;
    Ok(AddressCheckView { address, notes })
}

#[tauri::command]
pub async fn list_addresses(
    desk: State<'_, Desk>,
    query: AddressQueryRequest,
) -> Result<Vec<SavedAddressView>, ApiError> {
    let token = desk.token().await?;
    let list = desk.gate().await?.list_addresses(desk.caller(&token), &query.into()).await?;
    Ok(list.iter().map(SavedAddressView::from).collect())
}

#[tauri::command]
pub async fn find_lookalikes(
    desk: State<'_, Desk>,
    network: String,
    address: String,
) -> Result<Vec<LookAlikeView>, ApiError> {
    let token = desk.token().await?;
    let matches = desk.gate().await?.find_lookalikes(desk.caller(&token), &network, &address).await?;
    Ok(matches.iter().map(LookAlikeView::from).collect())
}

#[tauri::command]
pub async fn add_address(desk: State<'_, Desk>, request: NewAddressRequest) -> Result<SavedAddressResult, ApiError> {
    let token = desk.token().await?;
    Ok(saved(desk.gate().await?.add_address(desk.caller(&token), request.into_core()?).await?))
}

#[tauri::command]
pub async fn edit_address(
    desk: State<'_, Desk>,
    address_id: i64,
    changes: AddressChangesRequest,
) -> Result<SavedAddressResult, ApiError> {
    let token = desk.token().await?;
    Ok(saved(desk.gate().await?.edit_address(desk.caller(&token), AddressId(address_id), changes.into()).await?))
}

#[tauri::command]
pub async fn delete_address(desk: State<'_, Desk>, address_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.delete_address(desk.caller(&token), AddressId(address_id)).await?)
}

#[tauri::command]
pub async fn export_addresses(desk: State<'_, Desk>) -> Result<ExportResult, ApiError> {
    let token = desk.token().await?;
    let mut download = Download::csv("gatehouse-address-book", desk.now());
    let rows = desk.gate().await?.export_addresses_csv(desk.caller(&token), || download.open()).await?;
    Ok(download.result(rows))
}

/// Copies a saved address to the clipboard, reads it back to check nothing altered it, and
/// clears it after a minute if it still holds the address. The address never passes
/// through the web view.
#[tauri::command]
pub async fn copy_address(desk: State<'_, Desk>, address_id: i64) -> Result<CopyResult, ApiError> {
    let token = desk.token().await?;
    let address = desk.gate().await?.saved_address(desk.caller(&token), AddressId(address_id)).await?.address;
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

#[tauri::command]
pub async fn create_withdrawal(
    desk: State<'_, Desk>,
    request: NewWithdrawalRequest,
) -> Result<WithdrawalView, ApiError> {
    let token = desk.token().await?;
    Ok(WithdrawalView::from(&desk.gate().await?.create_withdrawal(desk.caller(&token), request.into()).await?))
}

#[tauri::command]
pub async fn list_withdrawals(
    desk: State<'_, Desk>,
    status: Option<String>,
    mine_only: bool,
) -> Result<Vec<WithdrawalView>, ApiError> {
    let token = desk.token().await?;
    let status = status.as_deref().map(WithdrawalStatus::parse).transpose()?;
    let list = desk.gate().await?.list_withdrawals(desk.caller(&token), &WithdrawalQuery { status, mine_only }).await?;
    Ok(list.iter().map(WithdrawalView::from).collect())
}

#[tauri::command]
pub async fn decide_withdrawal(
    desk: State<'_, Desk>,
    withdrawal_id: i64,
    approve: bool,
    note: String,
) -> Result<WithdrawalView, ApiError> {
    let token = desk.token().await?;
    let gate = desk.gate().await?;
    Ok(WithdrawalView::from(
        &gate.decide_withdrawal(desk.caller(&token), WithdrawalId(withdrawal_id), approve, &note).await?,
    ))
}

#[tauri::command]
pub async fn export_withdrawals(desk: State<'_, Desk>) -> Result<ExportResult, ApiError> {
    let token = desk.token().await?;
    let mut download = Download::csv("gatehouse-withdrawals", desk.now());
    let query = WithdrawalQuery::default();
    let rows = desk.gate().await?.export_withdrawals_csv(desk.caller(&token), &query, || download.open()).await?;
    Ok(download.result(rows))
}

#[tauri::command]
pub async fn list_notices(desk: State<'_, Desk>) -> Result<Vec<NoticeView>, ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.list_notices(desk.caller(&token), 100).await?.iter().map(NoticeView::from).collect())
}

#[tauri::command]
pub async fn unread_notices(desk: State<'_, Desk>) -> Result<u32, ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.unread_notices(desk.caller(&token)).await?)
}

#[tauri::command]
pub async fn mark_notices_read(desk: State<'_, Desk>, notice_id: Option<i64>) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.mark_notices_read(desk.caller(&token), notice_id).await?)
}
