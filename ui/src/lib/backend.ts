// The one place the UI talks to Gatehouse. Every operation of the Rust table
// (crates/gatehouse-api/src/operations.rs) goes through the shell's one `call` command,
// typed by the generated `Operations` interface; the shell runs it on this computer's
// database or on the team server, so the UI doesn't know which. A few commands are the
// shell's own (the session token and sign-in challenge never reach the web view; files,
// clipboard, window). Components import these functions and the generated types, never
// `invoke` itself.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AlertSettingView } from "./generated/AlertSettingView";
import type { OpenNoticeEvent } from "./generated/OpenNoticeEvent";
import type { ConnectionStatusEvent } from "./generated/ConnectionStatusEvent";
import type { DataChangedEvent } from "./generated/DataChangedEvent";
import type { SessionEndedEvent } from "./generated/SessionEndedEvent";
import type { ActivityQuery } from "./generated/ActivityQuery";
import type { AddressChangesRequest } from "./generated/AddressChangesRequest";
import type { AddressCheckView } from "./generated/AddressCheckView";
import type { AddressQueryRequest } from "./generated/AddressQueryRequest";
import type { CopyResult } from "./generated/CopyResult";
import type { LookAlikeView } from "./generated/LookAlikeView";
import type { NetworkView } from "./generated/NetworkView";
import type { NewAddressRequest } from "./generated/NewAddressRequest";
import type { NewWithdrawalRequest } from "./generated/NewWithdrawalRequest";
import type { NoticeView } from "./generated/NoticeView";
import type { SavedAddressResult } from "./generated/SavedAddressResult";
import type { SavedAddressView } from "./generated/SavedAddressView";
import type { WithdrawalView } from "./generated/WithdrawalView";
import type { ApiError } from "./generated/ApiError";
import type { AppState } from "./generated/AppState";
import type { AttemptView } from "./generated/AttemptView";
import type { BackupCodesView } from "./generated/BackupCodesView";
import type { CheckItemView } from "./generated/CheckItemView";
import type { CheckView } from "./generated/CheckView";
import type { CheckupView } from "./generated/CheckupView";
import type { DeviceView } from "./generated/DeviceView";
import type { EnrollmentView } from "./generated/EnrollmentView";
import type { ExportResult } from "./generated/ExportResult";
import type { NewUserRequest } from "./generated/NewUserRequest";
import type { PendingChangeView } from "./generated/PendingChangeView";
import type { PolicySavedView } from "./generated/PolicySavedView";
import type { PolicyView } from "./generated/PolicyView";
import type { SessionView } from "./generated/SessionView";
import type { ThresholdsView } from "./generated/ThresholdsView";
import type { TwoFactorStatusView } from "./generated/TwoFactorStatusView";
import type { UserView } from "./generated/UserView";
import type { Operations } from "./generated/operations";
import type { ConnectionView } from "./generated/ConnectionView";
import type { ServerCheckView } from "./generated/ServerCheckView";
import type { TrustView } from "./generated/TrustView";
import type { DesktopPreferencesView } from "./generated/DesktopPreferencesView";
import type { WindowRestoreView } from "./generated/WindowRestoreView";

export type {
  ConnectionView,
  DesktopPreferencesView,
  WindowRestoreView,
  ServerCheckView,
  TrustView,
  ActivityQuery,
  AlertSettingView,
  OpenNoticeEvent,
  ConnectionStatusEvent,
  SessionEndedEvent,
  AddressChangesRequest,
  AddressCheckView,
  AddressQueryRequest,
  CopyResult,
  LookAlikeView,
  NetworkView,
  NewAddressRequest,
  NewWithdrawalRequest,
  NoticeView,
  SavedAddressResult,
  SavedAddressView,
  WithdrawalView,

  ApiError,
  AppState,
  AttemptView,
  BackupCodesView,
  CheckItemView,
  CheckView,
  CheckupView,
  DeviceView,
  EnrollmentView,
  ExportResult,
  NewUserRequest,
  PendingChangeView,
  PolicySavedView,
  PolicyView,
  SessionView,
  ThresholdsView,
  TwoFactorStatusView,
  UserView,
};

/** A failed call: `code` is stable (branch on it), `message` is for people. */
export class BackendError extends Error {
  readonly code: string;
  readonly field: string | null;
  readonly retryAfterSeconds: number | null;
  /** For `auth.step_up_required`: "code" or "password". */
  readonly stepUpWith: string | null;

  constructor(error: ApiError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
    this.field = error.field;
    this.retryAfterSeconds = error.retryAfterSeconds;
    this.stepUpWith = error.stepUpWith;
  }

  /** The session is gone, expired or ended after too many wrong answers: the app should return to sign-in. */
  get needsSignIn(): boolean {
    return (
      this.code === "session.signed_out" ||
      this.code === "session.expired" ||
      this.code === "session.ended_after_wrong_answers"
    );
  }

  /** The session is locked: the app should show the lock screen. */
  get isLocked(): boolean {
    return this.code === "session.locked";
  }
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/** Whatever a call threw, as a BackendError (anything unexpected gets code "internal"). */
export function asBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (isApiError(error)) return new BackendError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new BackendError({ code: "internal", message, field: null, retryAfterSeconds: null, stepUpWith: null });
}

/**
 * Asks the person to confirm it's them (a dialog) when a sensitive action needs a step-up.
 * Resolves true once `stepUp()` succeeded, false when they cancelled.
 */
export type StepUpHandler = (asked: BackendError) => Promise<boolean>;

let stepUpHandler: StepUpHandler | null = null;

/** Registers the UI's step-up dialog; every sensitive call then retries after it. */
export function setStepUpHandler(handler: StepUpHandler | null): void {
  stepUpHandler = handler;
}

async function invokeOnce<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asBackendError(error);
  }
}

/** Calls a command; when Gatehouse asks for a step-up, shows the dialog and retries once. */
async function call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invokeOnce<T>(command, args);
  } catch (error) {
    if (!(error instanceof BackendError) || error.code !== "auth.step_up_required" || !stepUpHandler) throw error;
    if (!(await stepUpHandler(error))) throw error;
    return invokeOnce<T>(command, args);
  }
}

/** Runs one operation of the table through the shell's `call` command. */
function op<K extends keyof Operations>(operation: K, args: Operations[K]["args"]): Promise<Operations[K]["output"]> {
  return call<Operations[K]["output"]>("call", { operation, args });
}

// Account and app state (the shell's own commands: they hold the token and the challenge)
export const appState = () => call<AppState>("app_state");
export const createFirstAdmin = (request: NewUserRequest) => call<AppState>("create_first_admin", { request });
export const signIn = (email: string, password: string) => call<AppState>("sign_in", { email, password });
/** The two-factor step of a sign-in: an authenticator code or a backup code. */
export const completeSignIn = (code: string) => call<AppState>("complete_sign_in", { code });
export const cancelSignIn = () => call<AppState>("cancel_sign_in");
export const signOut = () => call<AppState>("sign_out");
export const lock = () => call<AppState>("lock");
export const unlock = (password: string) => call<AppState>("unlock", { password });
export const changePassword = (current: string, next: string) => op("change_password", { current, new: next });
export const getPolicy = () => op("get_policy", {});
/** Saves the policy: what weakens protection waits (returned in `delayed`), the rest applies at once. */
export const setPolicy = (policy: PolicyView) => op("set_policy", { policy });
export const pendingPolicyChanges = () => op("pending_policy_changes", {});
/** Another admin confirms a pending change: it applies at once. */
export const confirmPolicyChange = (changeId: number) => op("confirm_policy_change", { changeId });
export const cancelPolicyChange = (changeId: number) => op("cancel_policy_change", { changeId });

// Where the app runs: this computer only, or the team's server (the shell's own commands)
/** How the app reaches Gatehouse now. */
export const connectionInfo = () => call<ConnectionView>("connection_info");
/** Gatehouse on this computer only (its own database). */
export const useThisComputer = () => call<AppState>("use_this_computer");
/** Looks at a server first: trusted at once, or the fingerprint of its certificate to confirm. */
export const checkServer = (url: string) => call<ServerCheckView>("check_server", { url });
/** Connects to the server with the chosen trust; remembered from now on. */
export const connectServer = (url: string, trust: TrustView) => call<AppState>("connect_server", { url, trust });
/** Back to the choice between this computer and a server. */
export const changeConnection = () => call<AppState>("change_connection");

// Two-factor authentication
export const beginTwoFactorEnrollment = () => op("begin_two_factor_enrollment", {});
export const confirmTwoFactorEnrollment = (code: string) => op("confirm_two_factor_enrollment", { code });
export const twoFactorStatus = (userId: number | null = null) => op("two_factor_status", { userId });
export const regenerateBackupCodes = () => op("regenerate_backup_codes", {});
export const disableTwoFactor = (password: string, code: string) => op("disable_two_factor", { password, code });
export const resetTwoFactor = (userId: number) => op("reset_two_factor", { userId });
/** Confirms it's the user (a code, or the password without 2FA) before sensitive changes. */
export const stepUp = (answer: string) => op("step_up", { answer });
export const saveBackupCodes = (codes: string[]) => call<ExportResult>("save_backup_codes", { codes });
/** Keeps the window out of screenshots while secrets are shown (where the OS allows it). */
export const setScreenCaptureProtection = (isProtected: boolean) =>
  call<void>("set_screen_capture_protection", { protected: isProtected });
/** Opens the system print dialog (the page's print stylesheet decides what prints). */
export const printWindow = () => call<void>("print_window");

// The app on this computer (the shell's own settings, not the account's)
export const desktopPreferences = () => call<DesktopPreferencesView>("desktop_preferences");
export const setDesktopPreferences = (preferences: DesktopPreferencesView) =>
  call<DesktopPreferencesView>("set_desktop_preferences", { preferences });
/** Tells the shell which page this session's window shows, for a window made again. */
export const rememberPage = (sessionId: number, page: string) => call<void>("remember_page", { sessionId, page });
/** What a window made again starts with: the page it showed, a notice to open. */
export const restoreWindow = (sessionId: number) => call<WindowRestoreView>("restore_window", { sessionId });

// Sessions
export const listSessions = (userId: number | null = null) => op("list_sessions", { userId });
export const endSession = (sessionId: number) => op("end_session", { sessionId });
export const endOtherSessions = () => op("end_other_sessions", {});

// Devices
export const listDevices = (userId: number | null = null) => op("list_devices", { userId });
export const renameDevice = (deviceId: number, name: string) => op("rename_device", { deviceId, name });
export const removeDevice = (deviceId: number) => op("remove_device", { deviceId });

// Sign-in activity
export const listActivity = (query: ActivityQuery) => op("list_activity", { query });
export const exportActivity = (query: ActivityQuery) => call<ExportResult>("export_activity", { query });

// Users (admins)
export const listUsers = () => op("list_users", {});
export const createUser = (request: NewUserRequest) => op("create_user", { request });
export const setUserDisabled = (userId: number, disabled: boolean) => op("set_user_disabled", { userId, disabled });
export const resetUserPassword = (userId: number, password: string) =>
  op("reset_user_password", { userId, password });
export const unlockUser = (userId: number) => op("unlock_user", { userId });

// Address book and withdrawals
export const listNetworks = () => op("list_networks", {});
/** Checks an address without saving it (no sign-in needed). */
export const checkAddress = (network: string, address: string, memo: string | null = null) =>
  op("check_address", { network, address, memo });
export const listAddresses = (query: AddressQueryRequest) => op("list_addresses", { query });
/** Saved addresses that look like this one (same start and end): show them before saving. */
export const findLookalikes = (network: string, address: string) => op("find_lookalikes", { network, address });
export const addAddress = (request: NewAddressRequest) => op("add_address", { request });
export const editAddress = (addressId: number, changes: AddressChangesRequest) =>
  op("edit_address", { addressId, changes });
export const deleteAddress = (addressId: number) => op("delete_address", { addressId });
export const exportAddresses = () => call<ExportResult>("export_addresses");
/** Copies a saved address (checked, cleared after a minute); the address never enters the UI's clipboard code. */
export const copyAddress = (addressId: number) => call<CopyResult>("copy_address", { addressId });
export const createWithdrawal = (request: NewWithdrawalRequest) => op("create_withdrawal", { request });
export const listWithdrawals = (status: string | null = null, mineOnly = false) =>
  op("list_withdrawals", { status, mineOnly });
export const decideWithdrawal = (withdrawalId: number, approve: boolean, note: string) =>
  op("decide_withdrawal", { withdrawalId, approve, note });
export const exportWithdrawals = () => call<ExportResult>("export_withdrawals");

// The security checkup (the Overview)
/** What to fix and what each fix acts on; the team's checks too for admins. */
export const checkup = () => op("checkup", {});
/** About one of your flagged sign-ins: "It was me" marks it reviewed; "This wasn't me" also ends its session. */
export const reviewSignIn = (attemptId: number, wasMe: boolean) => op("review_sign_in", { attemptId, wasMe });
/** Ends your sessions left idle for the checkup's number of days; returns how many. */
export const endStaleSessions = () => op("end_stale_sessions", {});

// In-app notices
export const listNotices = () => op("list_notices", {});
export const unreadNotices = () => op("unread_notices", {});
export const markNoticesRead = (noticeId: number | null = null) => op("mark_notices_read", { noticeId });

// Alerts
export const alertSettings = () => op("alert_settings", {});
/** `delivery`: "native", "in_app" or "off". */
export const setAlertSetting = (kind: string, delivery: string) => op("set_alert_setting", { kind, delivery });
/** "This wasn't me" about the sign-in a notice reported: that session ends at once. */
export const disownSignIn = (noticeId: number) => op("disown_sign_in", { noticeId });

/** Runs `handler` whenever new notices arrive (from this app, the CLI or another instance). Returns a stop function. */
export function onNoticesChanged(handler: () => void): () => void {
  return subscribe("notices-changed", () => handler());
}

/** Runs `handler` when a native notification was clicked or acted on. Returns a stop function. */
export function onOpenNotice(handler: (event: OpenNoticeEvent) => void): () => void {
  return subscribe<OpenNoticeEvent>("open-notice", handler);
}

/** Runs `handler` with the topics (e.g. "sessions") whose data changed elsewhere; every topic after a reconnect. Returns a stop function. */
export function onDataChanged(handler: (topics: string[]) => void): () => void {
  return subscribe<DataChangedEvent>("data-changed", (event) => handler(event.topics));
}

/** Runs `handler` when this app's session was ended elsewhere (the shell has already forgotten it). Returns a stop function. */
export function onSessionEnded(handler: (event: SessionEndedEvent) => void): () => void {
  return subscribe<SessionEndedEvent>("session-ended", handler);
}

/** Runs `handler` when this app's session was locked (elsewhere, or after being idle). Returns a stop function. */
export function onSessionLocked(handler: () => void): () => void {
  return subscribe("session-locked", () => handler());
}

/** Runs `handler` when the team server's event stream goes down (it keeps retrying) or comes back. Returns a stop function. */
export function onConnectionStatus(handler: (event: ConnectionStatusEvent) => void): () => void {
  return subscribe<ConnectionStatusEvent>("connection-status", handler);
}

function subscribe<T>(event: string, handler: (payload: T) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  void listen<T>(event, (message) => handler(message.payload)).then((unlisten) => {
    if (stopped) unlisten();
    else stop = unlisten;
  });
  return () => {
    stopped = true;
    stop?.();
  };
}
