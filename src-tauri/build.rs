//! Builds the Tauri context and the app manifest: every command the UI may call is listed
//! here, and `capabilities/main.json` grants exactly these to the main window. The
//! operations of gatehouse-api's table all travel through `call`; gatehouse-api's `drift`
//! test checks this list against the handler, the capability and `backend.ts`.

const COMMANDS: &[&str] = &[
    "call",
    "app_state",
    "create_first_admin",
    "sign_in",
    "complete_sign_in",
    "cancel_sign_in",
    "sign_out",
    "lock",
    "unlock",
    "connection_info",
    "use_this_computer",
    "check_server",
    "connect_server",
    "change_connection",
    "save_backup_codes",
    "export_activity",
    "export_addresses",
    "export_withdrawals",
    "copy_address",
    "set_screen_capture_protection",
    "print_window",
    "desktop_preferences",
    "set_desktop_preferences",
    "remember_page",
    "restore_window",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
