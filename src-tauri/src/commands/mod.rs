//! The commands the UI calls (through `ui/src/lib/backend.ts`). Each validates its input,
//! calls one core operation and maps the result to a `gatehouse-api` view or error.
//! The list here must match `COMMANDS` in build.rs and the capability file.

mod account;
mod activity;
mod address_book;
mod alerts;
mod devices;
mod sessions;
mod two_factor;
mod users;

/// The invoke handler with every command.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        account::app_state,
        account::create_first_admin,
        account::sign_in,
        account::complete_sign_in,
        account::cancel_sign_in,
        account::sign_out,
        account::lock,
        account::unlock,
        account::change_password,
        account::get_policy,
        account::set_policy,
        account::pending_policy_changes,
        account::confirm_policy_change,
        account::cancel_policy_change,
        sessions::list_sessions,
        sessions::end_session,
        sessions::end_other_sessions,
        devices::list_devices,
        devices::rename_device,
        devices::remove_device,
        activity::list_activity,
        activity::export_activity,
        users::list_users,
        users::create_user,
        users::set_user_disabled,
        users::reset_user_password,
        users::unlock_user,
        two_factor::begin_two_factor_enrollment,
        two_factor::confirm_two_factor_enrollment,
        two_factor::two_factor_status,
        two_factor::regenerate_backup_codes,
        two_factor::disable_two_factor,
        two_factor::reset_two_factor,
        two_factor::step_up,
        two_factor::save_backup_codes,
        two_factor::set_screen_capture_protection,
        two_factor::print_window,
        address_book::list_networks,
        address_book::check_address,
        address_book::list_addresses,
        address_book::find_lookalikes,
        address_book::add_address,
        address_book::edit_address,
        address_book::delete_address,
        address_book::export_addresses,
        address_book::copy_address,
        address_book::create_withdrawal,
        address_book::list_withdrawals,
        address_book::decide_withdrawal,
        address_book::export_withdrawals,
        address_book::list_notices,
        address_book::unread_notices,
        address_book::mark_notices_read,
        alerts::alert_settings,
        alerts::set_alert_setting,
        alerts::disown_sign_in,
    ]
}
