//! What each operation does against the core, once for every process that holds one: the
//! desktop app and the CLI on their own database (standalone), and the server for each
//! request. Each impl converts its arguments, makes one core call and maps the answer.

use std::net::IpAddr;

use gatehouse_core::{
    ActivityId, AddressId, AlertKind, Caller, ChallengeToken, Delivery, DeviceId, Gatehouse, Origin, PolicyChangeId,
    SessionId, SessionToken, Timestamp, UserId, WithdrawalId, WithdrawalQuery, WithdrawalStatus,
};

use crate::operations::{self as ops, Run};
use crate::session::{ClientRequest, CsvExport, DeviceRequest, ServerInfoView, SessionStateView, SignInResult};
use crate::{
    AddressCheckView, AlertSettingView, ApiError, AttemptView, AuditView, BackupCodesView, CheckupView, DeviceView,
    EnrollmentView, LookAlikeView, Me, NetworkView, NoticeView, PendingChangeView, PolicySavedView, PolicyView,
    SavedAddressResult, SavedAddressView, SessionView, TwoFactorStatusView, UserView, WithdrawalView,
};

/// How many notices a list shows.
const NOTICES_SHOWN: u32 = 100;
/// How many audit records a list shows unless asked for another number.
const AUDIT_SHOWN: u32 = 100;

/// One call's circumstances, as the process running the core knows them: the core, the
/// caller's session token (if any), where the call comes from and when it is. A server
/// fills them from the request (the peer's address, its own clock), never from the body.
pub struct Context<'a> {
    /// The core.
    pub gate: &'a Gatehouse,
    /// The caller's session token, if they sent one.
    pub token: Option<&'a SessionToken>,
    /// The caller's IP address.
    pub ip: Option<IpAddr>,
    /// Now.
    pub now: Timestamp,
}

impl<'a> Context<'a> {
    /// The caller, or "signed out" without a token.
    fn caller(&self) -> Result<Caller<'a>, ApiError> {
        let token = self.token.ok_or_else(|| ApiError::from(gatehouse_core::Error::SignedOut))?;
        Ok(Caller { token, now: self.now, ip: self.ip })
    }

    /// Where a sign-in comes from: the device and app as the client names them, the
    /// address as this process sees it.
    fn origin(&self, device: &DeviceRequest, client: &ClientRequest) -> Origin {
        Origin { ip: self.ip, device: device.to_core(), client: client.to_core() }
    }
}

fn saved(result: (gatehouse_core::SavedAddress, Vec<String>)) -> SavedAddressResult {
    SavedAddressResult { address: SavedAddressView::from(&result.0), notes: result.1 }
}

/// A CSV export written into memory.
fn csv_export(buffer: Vec<u8>, rows: u64) -> Result<CsvExport, ApiError> {
    let csv = String::from_utf8(buffer).map_err(|_| ApiError::new("internal", "The export is not valid UTF-8."))?;
    Ok(CsvExport { csv, rows })
}

// ---- No session needed ----

impl Run for ops::ServerInfo {
    async fn run(self, cx: &Context<'_>) -> Result<ServerInfoView, ApiError> {
        Ok(ServerInfoView::new(cx.gate.is_set_up().await?))
    }
}

impl Run for ops::SignIn {
    async fn run(self, cx: &Context<'_>) -> Result<SignInResult, ApiError> {
        let origin = cx.origin(&self.device, &self.client);
        Ok(cx.gate.sign_in(&self.email, self.password.expose(), &origin, cx.now).await?.into())
    }
}

impl Run for ops::CompleteSignIn {
    async fn run(self, cx: &Context<'_>) -> Result<SignInResult, ApiError> {
        let challenge = ChallengeToken::parse(self.challenge.expose())
            .map_err(|_| ApiError::from(gatehouse_core::Error::ChallengeExpired))?;
        let origin = cx.origin(&self.device, &self.client);
        Ok(cx.gate.complete_sign_in(&challenge, self.code.expose(), &origin, cx.now).await?.into())
    }
}

impl Run for ops::ListNetworks {
    async fn run(self, _cx: &Context<'_>) -> Result<Vec<NetworkView>, ApiError> {
        Ok(crate::networks())
    }
}

impl Run for ops::CheckAddress {
    async fn run(self, _cx: &Context<'_>) -> Result<AddressCheckView, ApiError> {
        let (address, notes) = gatehouse_core::check_address(&self.network, &self.address, self.memo.as_deref())?;
        Ok(AddressCheckView { address, notes })
    }
}

// ---- The session ----

impl Run for ops::GetSessionState {
    async fn run(self, cx: &Context<'_>) -> Result<SessionStateView, ApiError> {
        Ok(SessionStateView::from(&cx.gate.session_state(cx.caller()?).await?))
    }
}

impl Run for ops::SignOut {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.sign_out(cx.caller()?).await?)
    }
}

impl Run for ops::Lock {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.lock(cx.caller()?).await?)
    }
}

impl Run for ops::Unlock {
    async fn run(self, cx: &Context<'_>) -> Result<Me, ApiError> {
        Ok(Me::from(&cx.gate.unlock(cx.caller()?, self.password.expose()).await?))
    }
}

impl Run for ops::ChangePassword {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.change_password(cx.caller()?, self.current.expose(), self.new.expose()).await?)
    }
}

impl Run for ops::StepUp {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.step_up(cx.caller()?, self.answer.expose()).await?)
    }
}

// ---- Policy ----

impl Run for ops::GetPolicy {
    async fn run(self, cx: &Context<'_>) -> Result<PolicyView, ApiError> {
        Ok(PolicyView::from(&cx.gate.policy(cx.caller()?).await?))
    }
}

impl Run for ops::SetPolicy {
    async fn run(self, cx: &Context<'_>) -> Result<PolicySavedView, ApiError> {
        let update = cx.gate.set_policy(cx.caller()?, &gatehouse_core::Policy::from(&self.policy)).await?;
        Ok(PolicySavedView::from(&update))
    }
}

impl Run for ops::PendingPolicyChanges {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<PendingChangeView>, ApiError> {
        Ok(cx.gate.pending_policy_changes(cx.caller()?).await?.iter().map(PendingChangeView::from).collect())
    }
}

impl Run for ops::ConfirmPolicyChange {
    async fn run(self, cx: &Context<'_>) -> Result<PolicyView, ApiError> {
        Ok(PolicyView::from(&cx.gate.confirm_policy_change(cx.caller()?, PolicyChangeId(self.change_id)).await?))
    }
}

impl Run for ops::CancelPolicyChange {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.cancel_policy_change(cx.caller()?, PolicyChangeId(self.change_id)).await?)
    }
}

// ---- Sessions and devices ----

impl Run for ops::ListSessions {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<SessionView>, ApiError> {
        let sessions = cx.gate.list_sessions(cx.caller()?, self.user_id.map(UserId)).await?;
        Ok(sessions.iter().map(SessionView::from).collect())
    }
}

impl Run for ops::EndSession {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.end_session(cx.caller()?, SessionId(self.session_id)).await?)
    }
}

impl Run for ops::EndOtherSessions {
    async fn run(self, cx: &Context<'_>) -> Result<u64, ApiError> {
        Ok(cx.gate.end_other_sessions(cx.caller()?).await?)
    }
}

impl Run for ops::ListDevices {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<DeviceView>, ApiError> {
        let devices = cx.gate.list_devices(cx.caller()?, self.user_id.map(UserId)).await?;
        Ok(devices.iter().map(DeviceView::from).collect())
    }
}

impl Run for ops::RenameDevice {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.rename_device(cx.caller()?, DeviceId(self.device_id), &self.name).await?)
    }
}

impl Run for ops::RemoveDevice {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.remove_device(cx.caller()?, DeviceId(self.device_id)).await?)
    }
}

// ---- Activity and audit ----

impl Run for ops::ListActivity {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<AttemptView>, ApiError> {
        let attempts = cx.gate.list_activity(cx.caller()?, &self.query.to_filter()).await?;
        Ok(attempts.iter().map(AttemptView::from).collect())
    }
}

impl Run for ops::ExportActivity {
    async fn run(self, cx: &Context<'_>) -> Result<CsvExport, ApiError> {
        let (mut buffer, filter) = (Vec::new(), self.query.to_filter());
        let out = &mut buffer;
        let rows = cx.gate.export_activity_csv(cx.caller()?, &filter, move || Ok(out)).await?;
        csv_export(buffer, rows)
    }
}

impl Run for ops::ListAudit {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<AuditView>, ApiError> {
        let limit = self.limit.unwrap_or(AUDIT_SHOWN);
        Ok(cx.gate.list_audit(cx.caller()?, limit).await?.iter().map(AuditView::from).collect())
    }
}

// ---- Users ----

impl Run for ops::ListUsers {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<UserView>, ApiError> {
        Ok(cx.gate.list_users(cx.caller()?).await?.iter().map(UserView::from).collect())
    }
}

impl Run for ops::FindUser {
    async fn run(self, cx: &Context<'_>) -> Result<UserView, ApiError> {
        Ok(UserView::from(&cx.gate.find_user(cx.caller()?, &self.email).await?))
    }
}

impl Run for ops::CreateUser {
    async fn run(self, cx: &Context<'_>) -> Result<UserView, ApiError> {
        let new = self.request.into_new_user()?;
        Ok(UserView::from(&cx.gate.create_user(cx.caller()?, new).await?))
    }
}

impl Run for ops::SetUserDisabled {
    async fn run(self, cx: &Context<'_>) -> Result<UserView, ApiError> {
        Ok(UserView::from(&cx.gate.set_user_disabled(cx.caller()?, UserId(self.user_id), self.disabled).await?))
    }
}

impl Run for ops::ResetUserPassword {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.reset_user_password(cx.caller()?, UserId(self.user_id), self.password.expose()).await?)
    }
}

impl Run for ops::UnlockUser {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.unlock_user(cx.caller()?, UserId(self.user_id)).await?)
    }
}

// ---- Two-factor authentication ----

impl Run for ops::BeginTwoFactorEnrollment {
    async fn run(self, cx: &Context<'_>) -> Result<EnrollmentView, ApiError> {
        EnrollmentView::new(&cx.gate.begin_two_factor_enrollment(cx.caller()?).await?)
    }
}

impl Run for ops::ConfirmTwoFactorEnrollment {
    async fn run(self, cx: &Context<'_>) -> Result<BackupCodesView, ApiError> {
        Ok(BackupCodesView::from(&cx.gate.confirm_two_factor_enrollment(cx.caller()?, self.code.expose()).await?))
    }
}

impl Run for ops::GetTwoFactorStatus {
    async fn run(self, cx: &Context<'_>) -> Result<TwoFactorStatusView, ApiError> {
        let status = cx.gate.two_factor_status(cx.caller()?, self.user_id.map(UserId)).await?;
        Ok(TwoFactorStatusView::from(&status))
    }
}

impl Run for ops::RegenerateBackupCodes {
    async fn run(self, cx: &Context<'_>) -> Result<BackupCodesView, ApiError> {
        Ok(BackupCodesView::from(&cx.gate.regenerate_backup_codes(cx.caller()?).await?))
    }
}

impl Run for ops::DisableTwoFactor {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.disable_two_factor(cx.caller()?, self.password.expose(), self.code.expose()).await?)
    }
}

impl Run for ops::ResetTwoFactor {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.reset_two_factor(cx.caller()?, UserId(self.user_id)).await?)
    }
}

// ---- Address book and withdrawals ----

impl Run for ops::ListAddresses {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<SavedAddressView>, ApiError> {
        let list = cx.gate.list_addresses(cx.caller()?, &self.query.into()).await?;
        Ok(list.iter().map(SavedAddressView::from).collect())
    }
}

impl Run for ops::GetAddress {
    async fn run(self, cx: &Context<'_>) -> Result<SavedAddressView, ApiError> {
        Ok(SavedAddressView::from(&cx.gate.saved_address(cx.caller()?, AddressId(self.address_id)).await?))
    }
}

impl Run for ops::FindLookalikes {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<LookAlikeView>, ApiError> {
        let matches = cx.gate.find_lookalikes(cx.caller()?, &self.network, &self.address).await?;
        Ok(matches.iter().map(LookAlikeView::from).collect())
    }
}

impl Run for ops::AddAddress {
    async fn run(self, cx: &Context<'_>) -> Result<SavedAddressResult, ApiError> {
        Ok(saved(cx.gate.add_address(cx.caller()?, self.request.into_core()?).await?))
    }
}

impl Run for ops::EditAddress {
    async fn run(self, cx: &Context<'_>) -> Result<SavedAddressResult, ApiError> {
        Ok(saved(cx.gate.edit_address(cx.caller()?, AddressId(self.address_id), self.changes.into()).await?))
    }
}

impl Run for ops::DeleteAddress {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.delete_address(cx.caller()?, AddressId(self.address_id)).await?)
    }
}

impl Run for ops::ExportAddresses {
    async fn run(self, cx: &Context<'_>) -> Result<CsvExport, ApiError> {
        let mut buffer = Vec::new();
        let out = &mut buffer;
        let rows = cx.gate.export_addresses_csv(cx.caller()?, move || Ok(out)).await?;
        csv_export(buffer, rows)
    }
}

impl Run for ops::CreateWithdrawal {
    async fn run(self, cx: &Context<'_>) -> Result<WithdrawalView, ApiError> {
        Ok(WithdrawalView::from(&cx.gate.create_withdrawal(cx.caller()?, self.request.into()).await?))
    }
}

impl Run for ops::ListWithdrawals {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<WithdrawalView>, ApiError> {
        let status = self.status.as_deref().map(WithdrawalStatus::parse).transpose()?;
        let query = WithdrawalQuery { status, mine_only: self.mine_only };
        Ok(cx.gate.list_withdrawals(cx.caller()?, &query).await?.iter().map(WithdrawalView::from).collect())
    }
}

impl Run for ops::DecideWithdrawal {
    async fn run(self, cx: &Context<'_>) -> Result<WithdrawalView, ApiError> {
        let id = WithdrawalId(self.withdrawal_id);
        Ok(WithdrawalView::from(&cx.gate.decide_withdrawal(cx.caller()?, id, self.approve, &self.note).await?))
    }
}

impl Run for ops::ExportWithdrawals {
    async fn run(self, cx: &Context<'_>) -> Result<CsvExport, ApiError> {
        let (mut buffer, query) = (Vec::new(), WithdrawalQuery::default());
        let out = &mut buffer;
        let rows = cx.gate.export_withdrawals_csv(cx.caller()?, &query, move || Ok(out)).await?;
        csv_export(buffer, rows)
    }
}

// ---- Notices and alerts ----

impl Run for ops::ListNotices {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<NoticeView>, ApiError> {
        Ok(cx.gate.list_notices(cx.caller()?, NOTICES_SHOWN).await?.iter().map(NoticeView::from).collect())
    }
}

impl Run for ops::UnreadNotices {
    async fn run(self, cx: &Context<'_>) -> Result<u32, ApiError> {
        Ok(cx.gate.unread_notices(cx.caller()?).await?)
    }
}

impl Run for ops::MarkNoticesRead {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.mark_notices_read(cx.caller()?, self.notice_id).await?)
    }
}

impl Run for ops::NoticesAfter {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<NoticeView>, ApiError> {
        Ok(cx.gate.notices_after(cx.caller()?, self.after).await?.iter().map(NoticeView::from).collect())
    }
}

impl Run for ops::LatestNoticeId {
    async fn run(self, cx: &Context<'_>) -> Result<i64, ApiError> {
        Ok(cx.gate.latest_notice_id(cx.caller()?).await?)
    }
}

impl Run for ops::AlertSettings {
    async fn run(self, cx: &Context<'_>) -> Result<Vec<AlertSettingView>, ApiError> {
        Ok(cx.gate.alert_settings(cx.caller()?).await?.iter().map(AlertSettingView::from).collect())
    }
}

impl Run for ops::SetAlertSetting {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        let (kind, delivery) = (AlertKind::parse(&self.kind)?, Delivery::parse(&self.delivery)?);
        Ok(cx.gate.set_alert_setting(cx.caller()?, kind, delivery).await?)
    }
}

impl Run for ops::DisownSignIn {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.disown_sign_in(cx.caller()?, self.notice_id).await?)
    }
}

impl Run for ops::Checkup {
    async fn run(self, cx: &Context<'_>) -> Result<CheckupView, ApiError> {
        Ok(CheckupView::from(&cx.gate.checkup(cx.caller()?).await?))
    }
}

impl Run for ops::ReviewSignIn {
    async fn run(self, cx: &Context<'_>) -> Result<(), ApiError> {
        Ok(cx.gate.review_sign_in(cx.caller()?, ActivityId(self.attempt_id), self.was_me).await?)
    }
}

impl Run for ops::EndStaleSessions {
    async fn run(self, cx: &Context<'_>) -> Result<u64, ApiError> {
        Ok(cx.gate.end_stale_sessions(cx.caller()?).await?)
    }
}
