//! Where the app runs: the first run's choice — Gatehouse on this computer only, or the
//! team's server — and changing it from the sign-in screen. A server is looked at before
//! connecting: it must answer as a Gatehouse, over a certificate the system trusts, one
//! signed by a CA file the user names, or one whose fingerprint the user confirmed (pinned
//! from then on).

use gatehouse_api::{ApiError, AppState, ConnectionView, ServerCheckView, TrustView};
use gatehouse_client::Remote;
use tauri::State;

use crate::commands::account::app_state;
use crate::connection;
use crate::desk::Desk;

/// How the app reaches Gatehouse now (the sign-in screen shows it).
#[tauri::command]
pub async fn connection_info(desk: State<'_, Desk>) -> Result<ConnectionView, ApiError> {
    desk.choice().await
}

/// Gatehouse on this computer only: its own database.
#[tauri::command]
pub async fn use_this_computer(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.switch_to(ConnectionView::ThisComputer, true).await?;
    app_state(desk).await
}

/// Looks at a server before connecting: trusted at once, or its certificate's fingerprint
/// to confirm (see `gatehouse_client::check_server`).
#[tauri::command]
pub async fn check_server(url: String) -> Result<ServerCheckView, ApiError> {
    gatehouse_client::check_server(&url).await
}

/// Connects to the server, its certificate checked as `trust` says; remembered from now on.
#[tauri::command]
pub async fn connect_server(desk: State<'_, Desk>, url: String, trust: TrustView) -> Result<AppState, ApiError> {
    let server = Remote::new(&url, &connection::trust(&trust)?)?;
    // A Gatehouse, reachable, over the certificate the user accepted.
    server.server_info().await?;
    desk.switch_to(ConnectionView::TeamServer { url: server.url().to_owned(), trust }, true).await?;
    app_state(desk).await
}

/// Back to the choice (from the sign-in screen, or when the server can't be reached). The
/// saved choice stays until another is made.
#[tauri::command]
pub async fn change_connection(desk: State<'_, Desk>) -> Result<AppState, ApiError> {
    desk.switch_to(ConnectionView::Unchosen, false).await?;
    app_state(desk).await
}
