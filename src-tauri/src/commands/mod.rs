//! The commands the UI calls (through `ui/src/lib/backend.ts`).
//!
//! Every operation of gatehouse-api's table goes through one command, [`call`], which runs
//! it as the current session — on this computer's database or on the team server — so no
//! operation is listed here. The other commands are what only the desktop shell does: hold
//! the session token and the sign-in challenge (never in the web view), save files, copy to
//! the clipboard, the window, and the app's own settings on this computer. They are listed three times — here, in `build.rs` and in
//! `capabilities/main.json` — and gatehouse-api's `drift` test fails when those lists (or
//! `backend.ts`) disagree.

pub mod account;
mod clipboard;
mod connection;
mod desktop;
mod files;
mod window;

use gatehouse_api::ApiError;
use tauri::State;

use crate::desk::Desk;

/// Operations whose answers carry a token or whose effect includes forgetting one: the
/// shell's own commands run them, [`call`] refuses them.
const HELD_BY_THE_SHELL: &[&str] = &["sign_in", "complete_sign_in", "sign_out"];

/// The invoke handler with every command.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        call,
        account::app_state,
        account::create_first_admin,
        account::sign_in,
        account::complete_sign_in,
        account::cancel_sign_in,
        account::sign_out,
        account::lock,
        account::unlock,
        connection::connection_info,
        connection::use_this_computer,
        connection::check_server,
        connection::connect_server,
        connection::change_connection,
        files::save_backup_codes,
        files::export_activity,
        files::export_addresses,
        files::export_withdrawals,
        clipboard::copy_address,
        window::set_screen_capture_protection,
        window::print_window,
        desktop::desktop_preferences,
        desktop::set_desktop_preferences,
        desktop::remember_page,
        desktop::restore_window,
    ]
}

/// Runs one operation of the table, named by the UI, with its JSON arguments.
#[tauri::command]
pub async fn call(
    desk: State<'_, Desk>,
    operation: String,
    args: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    if HELD_BY_THE_SHELL.contains(&operation.as_str()) {
        return Err(gatehouse_api::operations::unknown_operation(&operation));
    }
    desk.call_json(&operation, args).await
}
