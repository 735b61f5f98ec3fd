//! Users (admins): list, create, disable/enable, reset password, lift a lockout.

use gatehouse_api::{ApiError, NewUserRequest, UserView};
use gatehouse_core::UserId;
use tauri::State;
use zeroize::Zeroizing;

use crate::desk::Desk;

#[tauri::command]
pub async fn list_users(desk: State<'_, Desk>) -> Result<Vec<UserView>, ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.list_users(desk.caller(&token)).await?.iter().map(UserView::from).collect())
}

#[tauri::command]
pub async fn create_user(desk: State<'_, Desk>, request: NewUserRequest) -> Result<UserView, ApiError> {
    let token = desk.token().await?;
    let new = request.into_new_user()?;
    Ok(UserView::from(&desk.gate().await?.create_user(desk.caller(&token), new).await?))
}

#[tauri::command]
pub async fn set_user_disabled(desk: State<'_, Desk>, user_id: i64, disabled: bool) -> Result<UserView, ApiError> {
    let token = desk.token().await?;
    Ok(UserView::from(&desk.gate().await?.set_user_disabled(desk.caller(&token), UserId(user_id), disabled).await?))
}

#[tauri::command]
pub async fn reset_user_password(desk: State<'_, Desk>, user_id: i64, password: String) -> Result<(), ApiError> {
    let password = Zeroizing::new(password);
    let token = desk.token().await?;
    Ok(desk.gate().await?.reset_user_password(desk.caller(&token), UserId(user_id), &password).await?)
}

#[tauri::command]
pub async fn unlock_user(desk: State<'_, Desk>, user_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.unlock_user(desk.caller(&token), UserId(user_id)).await?)
}
