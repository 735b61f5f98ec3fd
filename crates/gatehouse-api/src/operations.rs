//! Every operation a client can ask of Gatehouse, listed once.
//!
//! The table at the bottom of this file is the only list. From it come: a request struct
//! per operation (its arguments, in camelCase on the wire) and its [`Operation`] impl (name,
//! output type, whether it needs a session); [`visit_operations`], which the HTTP server
//! walks to mount one route per operation and to write the OpenAPI document, and which the
//! TypeScript generator walks to write `ui/src/lib/generated/operations.ts`; and
//! [`run_json`], which runs an operation named at run time (the desktop shell's one Tauri
//! command). What each operation does against the core is in `local.rs`, one impl each; a
//! missing impl does not compile.
//!
//! On HTTP every operation is `POST /api/v1/<name>` with its arguments as a JSON body, the
//! way RPC-over-HTTP APIs such as Twirp or the Slack Web API work: the names, arguments and
//! errors are the same in the desktop app, the CLI and the server, and nothing has to be
//! squeezed into a path or a query string.

use std::future::Future;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::local::Context;
use crate::session::{ClientRequest, CsvExport, DeviceRequest, Secret, ServerInfoView, SessionStateView, SignInResult};
use crate::{
    ActivityQuery, AddressChangesRequest, AddressCheckView, AddressQueryRequest, AlertSettingView, ApiError,
    AttemptView, AuditView, BackupCodesView, CheckupView, DeviceView, EnrollmentView, LookAlikeView, Me, NetworkView,
    NewAddressRequest, NewUserRequest, NewWithdrawalRequest, NoticeView, PendingChangeView, PolicySavedView,
    PolicyView, SavedAddressResult, SavedAddressView, SessionView, TwoFactorStatusView, UserView, WithdrawalView,
};

/// One operation: its arguments are `Self`.
pub trait Operation: Serialize + DeserializeOwned + JsonSchema + TS + Send + Sync + 'static {
    /// Its name: the Tauri argument, the URL path segment, the TypeScript key.
    const NAME: &'static str;
    /// Whether it needs a signed-in session (a bearer token on HTTP).
    const NEEDS_SESSION: bool;
    /// What a one-line description of it says (the OpenAPI summary).
    const SUMMARY: &'static str;
    /// What it returns.
    type Output: Serialize + DeserializeOwned + JsonSchema + TS + Send + 'static;
}

/// An operation this process can run against the core (see `local.rs`).
pub trait Run: Operation {
    /// Runs it for the caller described by `cx`.
    fn run(self, cx: &Context<'_>) -> impl Future<Output = Result<Self::Output, ApiError>> + Send;
}

/// Something that wants to see every operation's types (routes, documents, bindings, tests).
pub trait OperationVisitor {
    /// Called once per operation, in table order.
    fn visit<O: Run>(&mut self);
}

/// Reads an operation's arguments from JSON: a bad shape is an `invalid_input` error that
/// names the operation and the field, never echoing a value sent (it may be a password).
pub fn parse_args<O: Operation>(args: serde_json::Value) -> Result<O, ApiError> {
    serde_path_to_error::deserialize(args).map_err(|err| bad_arguments(O::NAME, &err))
}

/// Reads an operation's arguments from a JSON body (the server's requests).
pub fn parse_body<O: Operation>(body: &[u8]) -> Result<O, ApiError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut json).map_err(|err| bad_arguments(O::NAME, &err))
}

/// The error for arguments that don't fit an operation: where, and what kind of problem.
fn bad_arguments(operation: &str, err: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let problem = err.inner().to_string();
    // "missing field `x`" and "unknown field `x`" name fields only; "invalid type: string
    // \"…\"" and "invalid value" quote what was sent, which is not repeated.
    let problem = match problem.split_once(':') {
        Some((kind, _)) if kind.starts_with("invalid") => kind.to_owned(),
        _ => problem.split(" at line ").next().unwrap_or_default().to_owned(),
    };
    let path = err.path().to_string();
    let place = if path == "." { String::new() } else { format!(" at {path}") };
    let mut error =
        ApiError::new("invalid_input", format!("The request for {operation} is malformed{place}: {problem}."));
    error.field = (path != ".").then_some(path);
    error
}

/// The error for a name no operation has.
pub fn unknown_operation(name: &str) -> ApiError {
    let shown: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
    ApiError::new("unknown_operation", format!("Gatehouse has no operation called \"{shown}\"."))
}

/// Declares the request structs and the two walks over the table.
macro_rules! define_operations {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident $Op:ident { $( $(#[$field_meta:meta])* $field:ident : $field_ty:ty ),* $(,)? }
            -> $Output:ty, $auth:ident;
    )*) => {
        $(
            $(#[doc = $doc])+
            #[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            #[ts(export)]
            pub struct $Op {
                $( $(#[$field_meta])* #[allow(missing_docs)] pub $field: $field_ty, )*
            }

            impl std::fmt::Debug for $Op {
                // Arguments may hold passwords and codes: logs show only the operation.
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(stringify!($Op))
                }
            }

            impl Operation for $Op {
                const NAME: &'static str = stringify!($name);
                const NEEDS_SESSION: bool = define_operations!(@needs_session $auth);
                const SUMMARY: &'static str = define_operations!(@first $($doc)+);
                type Output = $Output;
            }
        )*

        /// Shows `visitor` every operation, in table order.
        pub fn visit_operations(visitor: &mut impl OperationVisitor) {
            $( visitor.visit::<$Op>(); )*
        }

        /// Runs the operation called `name` with JSON arguments, answering JSON: for
        /// callers that get the name at run time (the desktop shell's Tauri command).
        pub async fn run_json(name: &str, args: serde_json::Value, cx: &Context<'_>) -> Result<serde_json::Value, ApiError> {
            match name {
                $( stringify!($name) => to_json(parse_args::<$Op>(args)?.run(cx).await?), )*
                _ => Err(unknown_operation(name)),
            }
        }
    };
    (@needs_session public) => { false };
    (@needs_session session) => { true };
    (@first $first:literal $($rest:literal)*) => { $first };
}

fn to_json<T: Serialize>(value: T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|err| ApiError::new("internal", format!("Could not encode the answer: {err}")))
}

define_operations! {
    // ---- No session needed ----
    /// What this Gatehouse is: product, version, whether it is set up.
    server_info ServerInfo {} -> ServerInfoView, public;
    /// The password step of a sign-in: a session, or a challenge for the two-factor step.
    sign_in SignIn { email: String, password: Secret, device: DeviceRequest, client: ClientRequest }
        -> SignInResult, public;
    /// The two-factor step of a sign-in: an authenticator code or a backup code.
    complete_sign_in CompleteSignIn { challenge: Secret, code: Secret, device: DeviceRequest, client: ClientRequest }
        -> SignInResult, public;
    /// The networks addresses can be saved for.
    list_networks ListNetworks {} -> Vec<NetworkView>, public;
    /// Checks an address without saving it.
    check_address CheckAddress { network: String, address: String, #[serde(default)] memo: Option<String> }
        -> AddressCheckView, public;

    // ---- The session ----
    /// The session's state: active (with what the user must do first, if anything) or locked.
    session_state GetSessionState {} -> SessionStateView, session;
    /// Ends this session.
    sign_out SignOut {} -> (), session;
    /// Locks this session (the idle lock): only the password unlocks it.
    lock Lock {} -> (), session;
    /// Unlocks this session with the password.
    unlock Unlock { password: Secret } -> Me, session;
    /// Changes the caller's password.
    change_password ChangePassword { current: Secret, new: Secret } -> (), session;
    /// Confirms it's the user (a code, or the password without 2FA) before sensitive changes.
    step_up StepUp { answer: Secret } -> (), session;

    // ---- Policy (admins) ----
    /// The security policy.
    get_policy GetPolicy {} -> PolicyView, session;
    /// Saves the policy: what weakens protection waits (returned), the rest applies at once.
    set_policy SetPolicy { policy: PolicyView } -> PolicySavedView, session;
    /// Policy changes waiting for their delay or a second admin.
    pending_policy_changes PendingPolicyChanges {} -> Vec<PendingChangeView>, session;
    /// Another admin confirms a pending change: it applies at once.
    confirm_policy_change ConfirmPolicyChange { change_id: i64 } -> PolicyView, session;
    /// Cancels a pending change.
    cancel_policy_change CancelPolicyChange { change_id: i64 } -> (), session;

    // ---- Sessions and devices ----
    /// The caller's open sessions, or a user's (admins).
    list_sessions ListSessions { #[serde(default)] user_id: Option<i64> } -> Vec<SessionView>, session;
    /// Ends one session.
    end_session EndSession { session_id: i64 } -> (), session;
    /// Ends every session of the caller but this one; returns how many.
    end_other_sessions EndOtherSessions {} -> u64, session;
    /// The caller's devices, or a user's (admins).
    list_devices ListDevices { #[serde(default)] user_id: Option<i64> } -> Vec<DeviceView>, session;
    /// Renames a device.
    rename_device RenameDevice { device_id: i64, name: String } -> (), session;
    /// Removes a device and ends its sessions.
    remove_device RemoveDevice { device_id: i64 } -> (), session;

    // ---- Sign-in activity and audit ----
    /// A page of sign-in attempts, newest first.
    list_activity ListActivity { query: ActivityQuery } -> Vec<AttemptView>, session;
    /// The matching sign-in attempts as CSV.
    export_activity ExportActivity { query: ActivityQuery } -> CsvExport, session;
    /// The newest audit-log records (admins).
    list_audit ListAudit { #[serde(default)] limit: Option<u32> } -> Vec<AuditView>, session;

    // ---- Users (admins) ----
    /// Every user.
    list_users ListUsers {} -> Vec<UserView>, session;
    /// The user with this email.
    find_user FindUser { email: String } -> UserView, session;
    /// Creates a user with a temporary password.
    create_user CreateUser { request: NewUserRequest } -> UserView, session;
    /// Disables or enables a user (disabling ends their sessions).
    set_user_disabled SetUserDisabled { user_id: i64, disabled: bool } -> UserView, session;
    /// Sets a temporary password for a user.
    reset_user_password ResetUserPassword { user_id: i64, password: Secret } -> (), session;
    /// Lifts a user's lockout.
    unlock_user UnlockUser { user_id: i64 } -> (), session;

    // ---- Two-factor authentication ----
    /// Starts enrolling an authenticator app: its secret and QR code.
    begin_two_factor_enrollment BeginTwoFactorEnrollment {} -> EnrollmentView, session;
    /// Confirms enrolment with a first code: two-factor authentication is on; backup codes.
    confirm_two_factor_enrollment ConfirmTwoFactorEnrollment { code: Secret } -> BackupCodesView, session;
    /// The caller's two-factor state, or a user's (admins).
    two_factor_status GetTwoFactorStatus { #[serde(default)] user_id: Option<i64> } -> TwoFactorStatusView, session;
    /// A new set of backup codes (the old ones stop working).
    regenerate_backup_codes RegenerateBackupCodes {} -> BackupCodesView, session;
    /// Turns two-factor authentication off (password and a code).
    disable_two_factor DisableTwoFactor { password: Secret, code: Secret } -> (), session;
    /// An admin turns a user's two-factor authentication off (lost phone).
    reset_two_factor ResetTwoFactor { user_id: i64 } -> (), session;

    // ---- Address book and withdrawals ----
    /// Saved addresses matching a query.
    list_addresses ListAddresses { query: AddressQueryRequest } -> Vec<SavedAddressView>, session;
    /// One saved address.
    get_address GetAddress { address_id: i64 } -> SavedAddressView, session;
    /// Saved addresses that look like this one (same start and end).
    find_lookalikes FindLookalikes { network: String, address: String } -> Vec<LookAlikeView>, session;
    /// Saves an address.
    add_address AddAddress { request: NewAddressRequest } -> SavedAddressResult, session;
    /// Changes a saved address.
    edit_address EditAddress { address_id: i64, changes: AddressChangesRequest } -> SavedAddressResult, session;
    /// Deletes a saved address.
    delete_address DeleteAddress { address_id: i64 } -> (), session;
    /// The address book as CSV.
    export_addresses ExportAddresses {} -> CsvExport, session;
    /// Requests a withdrawal to a saved address.
    create_withdrawal CreateWithdrawal { request: NewWithdrawalRequest } -> WithdrawalView, session;
    /// Withdrawals, optionally by status or only the caller's own.
    list_withdrawals ListWithdrawals { #[serde(default)] status: Option<String>, #[serde(default)] mine_only: bool }
        -> Vec<WithdrawalView>, session;
    /// Approves or rejects a withdrawal (finance and admins, not one's own).
    decide_withdrawal DecideWithdrawal { withdrawal_id: i64, approve: bool, note: String } -> WithdrawalView, session;
    /// Withdrawals as CSV.
    export_withdrawals ExportWithdrawals {} -> CsvExport, session;

    // ---- Notices and alerts ----
    /// The newest in-app notices.
    list_notices ListNotices {} -> Vec<NoticeView>, session;
    /// How many notices are unread.
    unread_notices UnreadNotices {} -> u32, session;
    /// Marks one notice read, or all.
    mark_notices_read MarkNoticesRead { #[serde(default)] notice_id: Option<i64> } -> (), session;
    /// Notices newer than `after` (a notice id), oldest first.
    notices_after NoticesAfter { after: i64 } -> Vec<NoticeView>, session;
    /// The newest notice id the caller can see (0 when none).
    latest_notice_id LatestNoticeId {} -> i64, session;
    /// How each alert kind reaches the caller.
    alert_settings AlertSettings {} -> Vec<AlertSettingView>, session;
    /// Sets how one alert kind reaches the caller: `native`, `in_app` or `off`.
    set_alert_setting SetAlertSetting { kind: String, delivery: String } -> (), session;
    /// "This wasn't me" about the sign-in a notice reported: that session ends at once.
    disown_sign_in DisownSignIn { notice_id: i64 } -> (), session;

    // ---- Security checkup ----
    /// The caller's security checkup (with the team's for admins).
    checkup Checkup {} -> CheckupView, session;
    /// About one of the caller's flagged sign-ins: "It was me" (`wasMe`) marks it reviewed;
    /// "This wasn't me" also ends the session it opened.
    review_sign_in ReviewSignIn { attempt_id: i64, was_me: bool } -> (), session;
    /// Ends the caller's sessions left idle for the checkup's number of days; returns how many.
    end_stale_sessions EndStaleSessions {} -> u64, session;
}
