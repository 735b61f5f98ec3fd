// Generated from gatehouse-api's operations table (src/operations.rs) by its tests. Do not edit.
import type { AddAddress } from "./AddAddress";
import type { AddressCheckView } from "./AddressCheckView";
import type { AlertSettingView } from "./AlertSettingView";
import type { AlertSettings } from "./AlertSettings";
import type { AttemptView } from "./AttemptView";
import type { AuditView } from "./AuditView";
import type { BackupCodesView } from "./BackupCodesView";
import type { BeginTwoFactorEnrollment } from "./BeginTwoFactorEnrollment";
import type { CancelPolicyChange } from "./CancelPolicyChange";
import type { ChangePassword } from "./ChangePassword";
import type { CheckAddress } from "./CheckAddress";
import type { Checkup } from "./Checkup";
import type { CheckupView } from "./CheckupView";
import type { CompleteSignIn } from "./CompleteSignIn";
import type { ConfirmPolicyChange } from "./ConfirmPolicyChange";
import type { ConfirmTwoFactorEnrollment } from "./ConfirmTwoFactorEnrollment";
import type { CreateUser } from "./CreateUser";
import type { CreateWithdrawal } from "./CreateWithdrawal";
import type { CsvExport } from "./CsvExport";
import type { DecideWithdrawal } from "./DecideWithdrawal";
import type { DeleteAddress } from "./DeleteAddress";
import type { DeviceView } from "./DeviceView";
import type { DisableTwoFactor } from "./DisableTwoFactor";
import type { DisownSignIn } from "./DisownSignIn";
import type { EditAddress } from "./EditAddress";
import type { EndOtherSessions } from "./EndOtherSessions";
import type { EndSession } from "./EndSession";
import type { EndStaleSessions } from "./EndStaleSessions";
import type { EnrollmentView } from "./EnrollmentView";
import type { ExportActivity } from "./ExportActivity";
import type { ExportAddresses } from "./ExportAddresses";
import type { ExportWithdrawals } from "./ExportWithdrawals";
import type { FindLookalikes } from "./FindLookalikes";
import type { FindUser } from "./FindUser";
import type { GetAddress } from "./GetAddress";
import type { GetPolicy } from "./GetPolicy";
import type { GetSessionState } from "./GetSessionState";
import type { GetTwoFactorStatus } from "./GetTwoFactorStatus";
import type { LatestNoticeId } from "./LatestNoticeId";
import type { ListActivity } from "./ListActivity";
import type { ListAddresses } from "./ListAddresses";
import type { ListAudit } from "./ListAudit";
import type { ListDevices } from "./ListDevices";
import type { ListNetworks } from "./ListNetworks";
import type { ListNotices } from "./ListNotices";
import type { ListSessions } from "./ListSessions";
import type { ListUsers } from "./ListUsers";
import type { ListWithdrawals } from "./ListWithdrawals";
import type { Lock } from "./Lock";
import type { LookAlikeView } from "./LookAlikeView";
import type { MarkNoticesRead } from "./MarkNoticesRead";
import type { Me } from "./Me";
import type { NetworkView } from "./NetworkView";
import type { NoticeView } from "./NoticeView";
import type { NoticesAfter } from "./NoticesAfter";
import type { PendingChangeView } from "./PendingChangeView";
import type { PendingPolicyChanges } from "./PendingPolicyChanges";
import type { PolicySavedView } from "./PolicySavedView";
import type { PolicyView } from "./PolicyView";
import type { RegenerateBackupCodes } from "./RegenerateBackupCodes";
import type { RemoveDevice } from "./RemoveDevice";
import type { RenameDevice } from "./RenameDevice";
import type { ResetTwoFactor } from "./ResetTwoFactor";
import type { ResetUserPassword } from "./ResetUserPassword";
import type { ReviewSignIn } from "./ReviewSignIn";
import type { SavedAddressResult } from "./SavedAddressResult";
import type { SavedAddressView } from "./SavedAddressView";
import type { ServerInfo } from "./ServerInfo";
import type { ServerInfoView } from "./ServerInfoView";
import type { SessionStateView } from "./SessionStateView";
import type { SessionView } from "./SessionView";
import type { SetAlertSetting } from "./SetAlertSetting";
import type { SetPolicy } from "./SetPolicy";
import type { SetUserDisabled } from "./SetUserDisabled";
import type { SignIn } from "./SignIn";
import type { SignInResult } from "./SignInResult";
import type { SignOut } from "./SignOut";
import type { StepUp } from "./StepUp";
import type { TwoFactorStatusView } from "./TwoFactorStatusView";
import type { Unlock } from "./Unlock";
import type { UnlockUser } from "./UnlockUser";
import type { UnreadNotices } from "./UnreadNotices";
import type { UserView } from "./UserView";
import type { WithdrawalView } from "./WithdrawalView";

/** Every operation: what it takes and what it returns. */
export interface Operations {
  /** What this Gatehouse is: product, version, whether it is set up. */
  server_info: { args: ServerInfo; output: ServerInfoView };
  /** The password step of a sign-in: a session, or a challenge for the two-factor step. */
  sign_in: { args: SignIn; output: SignInResult };
  /** The two-factor step of a sign-in: an authenticator code or a backup code. */
  complete_sign_in: { args: CompleteSignIn; output: SignInResult };
  /** The networks addresses can be saved for. */
  list_networks: { args: ListNetworks; output: Array<NetworkView> };
  /** Checks an address without saving it. */
  check_address: { args: CheckAddress; output: AddressCheckView };
  /** The session's state: active (with what the user must do first, if anything) or locked. */
  session_state: { args: GetSessionState; output: SessionStateView };
  /** Ends this session. */
  sign_out: { args: SignOut; output: null };
  /** Locks this session (the idle lock): only the password unlocks it. */
  lock: { args: Lock; output: null };
  /** Unlocks this session with the password. */
  unlock: { args: Unlock; output: Me };
  /** Changes the caller's password. */
  change_password: { args: ChangePassword; output: null };
  /** Confirms it's the user (a code, or the password without 2FA) before sensitive changes. */
  step_up: { args: StepUp; output: null };
  /** The security policy. */
  get_policy: { args: GetPolicy; output: PolicyView };
  /** Saves the policy: what weakens protection waits (returned), the rest applies at once. */
  set_policy: { args: SetPolicy; output: PolicySavedView };
  /** Policy changes waiting for their delay or a second admin. */
  pending_policy_changes: { args: PendingPolicyChanges; output: Array<PendingChangeView> };
  /** Another admin confirms a pending change: it applies at once. */
  confirm_policy_change: { args: ConfirmPolicyChange; output: PolicyView };
  /** Cancels a pending change. */
  cancel_policy_change: { args: CancelPolicyChange; output: null };
  /** The caller's open sessions, or a user's (admins). */
  list_sessions: { args: ListSessions; output: Array<SessionView> };
  /** Ends one session. */
  end_session: { args: EndSession; output: null };
  /** Ends every session of the caller but this one; returns how many. */
  end_other_sessions: { args: EndOtherSessions; output: number };
  /** The caller's devices, or a user's (admins). */
  list_devices: { args: ListDevices; output: Array<DeviceView> };
  /** Renames a device. */
  rename_device: { args: RenameDevice; output: null };
  /** Removes a device and ends its sessions. */
  remove_device: { args: RemoveDevice; output: null };
  /** A page of sign-in attempts, newest first. */
  list_activity: { args: ListActivity; output: Array<AttemptView> };
  /** The matching sign-in attempts as CSV. */
  export_activity: { args: ExportActivity; output: CsvExport };
  /** The newest audit-log records (admins). */
  list_audit: { args: ListAudit; output: Array<AuditView> };
  /** Every user. */
  list_users: { args: ListUsers; output: Array<UserView> };
  /** The user with this email. */
  find_user: { args: FindUser; output: UserView };
  /** Creates a user with a temporary password. */
  create_user: { args: CreateUser; output: UserView };
  /** Disables or enables a user (disabling ends their sessions). */
  set_user_disabled: { args: SetUserDisabled; output: UserView };
  /** Sets a temporary password for a user. */
  reset_user_password: { args: ResetUserPassword; output: null };
  /** Lifts a user's lockout. */
  unlock_user: { args: UnlockUser; output: null };
  /** Starts enrolling an authenticator app: its secret and QR code. */
  begin_two_factor_enrollment: { args: BeginTwoFactorEnrollment; output: EnrollmentView };
  /** Confirms enrolment with a first code: two-factor authentication is on; backup codes. */
  confirm_two_factor_enrollment: { args: ConfirmTwoFactorEnrollment; output: BackupCodesView };
  /** The caller's two-factor state, or a user's (admins). */
  two_factor_status: { args: GetTwoFactorStatus; output: TwoFactorStatusView };
  /** A new set of backup codes (the old ones stop working). */
  regenerate_backup_codes: { args: RegenerateBackupCodes; output: BackupCodesView };
  /** Turns two-factor authentication off (password and a code). */
  disable_two_factor: { args: DisableTwoFactor; output: null };
  /** An admin turns a user's two-factor authentication off (lost phone). */
  reset_two_factor: { args: ResetTwoFactor; output: null };
  /** Saved addresses matching a query. */
  list_addresses: { args: ListAddresses; output: Array<SavedAddressView> };
  /** One saved address. */
  get_address: { args: GetAddress; output: SavedAddressView };
  /** Saved addresses that look like this one (same start and end). */
  find_lookalikes: { args: FindLookalikes; output: Array<LookAlikeView> };
  /** Saves an address. */
  add_address: { args: AddAddress; output: SavedAddressResult };
  /** Changes a saved address. */
  edit_address: { args: EditAddress; output: SavedAddressResult };
  /** Deletes a saved address. */
  delete_address: { args: DeleteAddress; output: null };
  /** The address book as CSV. */
  export_addresses: { args: ExportAddresses; output: CsvExport };
  /** Requests a withdrawal to a saved address. */
  create_withdrawal: { args: CreateWithdrawal; output: WithdrawalView };
  /** Withdrawals, optionally by status or only the caller's own. */
  list_withdrawals: { args: ListWithdrawals; output: Array<WithdrawalView> };
  /** Approves or rejects a withdrawal (finance and admins, not one's own). */
  decide_withdrawal: { args: DecideWithdrawal; output: WithdrawalView };
  /** Withdrawals as CSV. */
  export_withdrawals: { args: ExportWithdrawals; output: CsvExport };
  /** The newest in-app notices. */
  list_notices: { args: ListNotices; output: Array<NoticeView> };
  /** How many notices are unread. */
  unread_notices: { args: UnreadNotices; output: number };
  /** Marks one notice read, or all. */
  mark_notices_read: { args: MarkNoticesRead; output: null };
  /** Notices newer than `after` (a notice id), oldest first. */
  notices_after: { args: NoticesAfter; output: Array<NoticeView> };
  /** The newest notice id the caller can see (0 when none). */
  latest_notice_id: { args: LatestNoticeId; output: number };
  /** How each alert kind reaches the caller. */
  alert_settings: { args: AlertSettings; output: Array<AlertSettingView> };
  /** Sets how one alert kind reaches the caller: `native`, `in_app` or `off`. */
  set_alert_setting: { args: SetAlertSetting; output: null };
  /** "This wasn't me" about the sign-in a notice reported: that session ends at once. */
  disown_sign_in: { args: DisownSignIn; output: null };
  /** The caller's security checkup (with the team's for admins). */
  checkup: { args: Checkup; output: CheckupView };
  /** About one of the caller's flagged sign-ins: "It was me" (`wasMe`) marks it reviewed; */
  review_sign_in: { args: ReviewSignIn; output: null };
  /** Ends the caller's sessions left idle for the checkup's number of days; returns how many. */
  end_stale_sessions: { args: EndStaleSessions; output: number };
}

/** Whether each operation needs a signed-in session. */
export const NEEDS_SESSION: Record<keyof Operations, boolean> = {
  server_info: false,
  sign_in: false,
  complete_sign_in: false,
  list_networks: false,
  check_address: false,
  session_state: true,
  sign_out: true,
  lock: true,
  unlock: true,
  change_password: true,
  step_up: true,
  get_policy: true,
  set_policy: true,
  pending_policy_changes: true,
  confirm_policy_change: true,
  cancel_policy_change: true,
  list_sessions: true,
  end_session: true,
  end_other_sessions: true,
  list_devices: true,
  rename_device: true,
  remove_device: true,
  list_activity: true,
  export_activity: true,
  list_audit: true,
  list_users: true,
  find_user: true,
  create_user: true,
  set_user_disabled: true,
  reset_user_password: true,
  unlock_user: true,
  begin_two_factor_enrollment: true,
  confirm_two_factor_enrollment: true,
  two_factor_status: true,
  regenerate_backup_codes: true,
  disable_two_factor: true,
  reset_two_factor: true,
  list_addresses: true,
  get_address: true,
  find_lookalikes: true,
  add_address: true,
  edit_address: true,
  delete_address: true,
  export_addresses: true,
  create_withdrawal: true,
  list_withdrawals: true,
  decide_withdrawal: true,
  export_withdrawals: true,
  list_notices: true,
  unread_notices: true,
  mark_notices_read: true,
  notices_after: true,
  latest_notice_id: true,
  alert_settings: true,
  set_alert_setting: true,
  disown_sign_in: true,
  checkup: true,
  review_sign_in: true,
  end_stale_sessions: true,
};
