//! Devices: list, rename, remove.

use gatehouse_api::{ApiError, DeviceView};
use gatehouse_core::{DeviceId, UserId};
use tauri::State;

use crate::desk::Desk;

#[tauri::command]
pub async fn list_devices(desk: State<'_, Desk>, user_id: Option<i64>) -> Result<Vec<DeviceView>, ApiError> {
    let token = desk.token().await?;
    let devices = desk.gate().await?.list_devices(desk.caller(&token), user_id.map(UserId)).await?;
    Ok(devices.iter().map(DeviceView::from).collect())
}

#[tauri::command]
pub async fn rename_device(desk: State<'_, Desk>, device_id: i64, name: String) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.rename_device(desk.caller(&token), DeviceId(device_id), &name).await?)
}

#[tauri::command]
pub async fn remove_device(desk: State<'_, Desk>, device_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.remove_device(desk.caller(&token), DeviceId(device_id)).await?)
}
