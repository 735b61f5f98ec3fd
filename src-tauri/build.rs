//! Builds the Tauri context and the app manifest: every command the UI may call is listed
//! here, and `capabilities/main.json` grants exactly these to the main window.

const COMMANDS: &[&str] = &[
    "app_state",
    "create_first_admin",
    "sign_in",
    "complete_sign_in",
    "cancel_sign_in",
    "sign_out",
    "lock",
    "unlock",
    "change_password",
    "get_policy",
    "set_policy",
    "pending_policy_changes",
    "confirm_policy_change",
    "cancel_policy_change",
    "list_sessions",
    "end_session",
    "end_other_sessions",
    "list_devices",
    "rename_device",
    "remove_device",
    "list_activity",
    "export_activity",
    "list_users",
    "create_user",
    "set_user_disabled",
    "reset_user_password",
    "unlock_user",
    "begin_two_factor_enrollment",
    "confirm_two_factor_enrollment",
    "two_factor_status",
    "regenerate_backup_codes",
    "disable_two_factor",
    "reset_two_factor",
    "step_up",
    "save_backup_codes",
    "set_screen_capture_protection",
    "print_window",
    "list_networks",
    "check_address",
    "list_addresses",
    "find_lookalikes",
    "add_address",
    "edit_address",
    "delete_address",
    "export_addresses",
    "copy_address",
    "create_withdrawal",
    "list_withdrawals",
    "decide_withdrawal",
    "export_withdrawals",
    "list_notices",
    "unread_notices",
    "mark_notices_read",
    "alert_settings",
    "set_alert_setting",
    "disown_sign_in",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(err) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {err:#}");
        std::process::exit(1);
    }
}
