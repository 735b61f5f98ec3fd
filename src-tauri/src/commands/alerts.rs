//! Alert settings and "This wasn't me". (The notices themselves are listed by the
//! address-book module's notice commands; the watcher in `watcher.rs` delivers new ones.)

use gatehouse_api::{AlertSettingView, ApiError};
use gatehouse_core::{AlertKind, Delivery};
use tauri::State;

use crate::desk::Desk;

#[tauri::command]
pub async fn alert_settings(desk: State<'_, Desk>) -> Result<Vec<AlertSettingView>, ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.alert_settings(desk.caller(&token)).await?.iter().map(AlertSettingView::from).collect())
}

#[tauri::command]
pub async fn set_alert_setting(desk: State<'_, Desk>, kind: String, delivery: String) -> Result<(), ApiError> {
    let (kind, delivery) = (AlertKind::parse(&kind)?, Delivery::parse(&delivery)?);
    let token = desk.token().await?;
    Ok(desk.gate().await?.set_alert_setting(desk.caller(&token), kind, delivery).await?)
}

#[tauri::command]
pub async fn disown_sign_in(desk: State<'_, Desk>, notice_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.disown_sign_in(desk.caller(&token), notice_id).await?)
}
