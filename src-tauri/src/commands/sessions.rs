//! Sessions: list, end one, end all others.

use gatehouse_api::{ApiError, SessionView};
use gatehouse_core::{SessionId, UserId};
use tauri::State;

use crate::desk::Desk;

#[tauri::command]
pub async fn list_sessions(desk: State<'_, Desk>, user_id: Option<i64>) -> Result<Vec<SessionView>, ApiError> {
    let token = desk.token().await?;
    let sessions = desk.gate().await?.list_sessions(desk.caller(&token), user_id.map(UserId)).await?;
    Ok(sessions.iter().map(SessionView::from).collect())
}

#[tauri::command]
pub async fn end_session(desk: State<'_, Desk>, session_id: i64) -> Result<(), ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.end_session(desk.caller(&token), SessionId(session_id)).await?)
}

#[tauri::command]
pub async fn end_other_sessions(desk: State<'_, Desk>) -> Result<u64, ApiError> {
    let token = desk.token().await?;
    Ok(desk.gate().await?.end_other_sessions(desk.caller(&token)).await?)
}
