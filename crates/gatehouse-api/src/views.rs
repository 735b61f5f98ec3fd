//! What clients are shown: serialisable views of core types.

use gatehouse_core as core;
use heck::ToLowerCamelCase;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

fn ms(t: core::Timestamp) -> i64 {
    t.as_millis()
}

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum RoleView {
    /// Administrator.
    Admin,
    /// Finance.
    Finance,
    /// Member.
    Member,
}

impl From<core::Role> for RoleView {
    fn from(role: core::Role) -> Self {
        match role {
            core::Role::Admin => RoleView::Admin,
            core::Role::Finance => RoleView::Finance,
            core::Role::Member => RoleView::Member,
        }
    }
}

/// A device's form factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum DeviceKindView {
    /// Desktop computer.
    Desktop,
    /// Laptop.
    Laptop,
    /// Phone.
    Phone,
    /// Tablet.
    Tablet,
    /// Terminal (command line or shared machine).
    Terminal,
}

impl From<core::DeviceKind> for DeviceKindView {
    fn from(kind: core::DeviceKind) -> Self {
        match kind {
            core::DeviceKind::Desktop => DeviceKindView::Desktop,
            core::DeviceKind::Laptop => DeviceKindView::Laptop,
            core::DeviceKind::Phone => DeviceKindView::Phone,
            core::DeviceKind::Tablet => DeviceKindView::Tablet,
            core::DeviceKind::Terminal => DeviceKindView::Terminal,
        }
    }
}

impl From<DeviceKindView> for core::DeviceKind {
    fn from(kind: DeviceKindView) -> Self {
        match kind {
            DeviceKindView::Desktop => core::DeviceKind::Desktop,
            DeviceKindView::Laptop => core::DeviceKind::Laptop,
            DeviceKindView::Phone => core::DeviceKind::Phone,
            DeviceKindView::Tablet => core::DeviceKind::Tablet,
            DeviceKindView::Terminal => core::DeviceKind::Terminal,
        }
    }
}

/// Outcome of a sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum OutcomeView {
    /// Signed in.
    Success,
    /// Refused.
    Failure,
    /// Password right; two-factor code not (yet) given.
    Pending,
}

impl From<core::Outcome> for OutcomeView {
    fn from(outcome: core::Outcome) -> Self {
        match outcome {
            core::Outcome::Success => OutcomeView::Success,
            core::Outcome::Failure => OutcomeView::Failure,
            core::Outcome::Pending => OutcomeView::Pending,
        }
    }
}

/// Why a sign-in attempt looks risky: the core's stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RiskFlagCode {
    /// A device this user never signed in from before (never for their first device).
    NewDevice,
    /// A country or city this user has not signed in from lately (policy: days).
    NewPlace,
    /// Among, or right after, many failures on the account or from the address (policy).
    FailureBurst,
    /// Too far from the previous located sign-in for the time between them (policy: km/h).
    ImpossibleTravel,
    /// The first successful sign-in after the account was locked out.
    AfterLockout,
}

impl From<core::RiskFlag> for RiskFlagCode {
    fn from(flag: core::RiskFlag) -> Self {
        match flag {
            core::RiskFlag::NewDevice => RiskFlagCode::NewDevice,
            core::RiskFlag::NewPlace => RiskFlagCode::NewPlace,
            core::RiskFlag::FailureBurst => RiskFlagCode::FailureBurst,
            core::RiskFlag::ImpossibleTravel => RiskFlagCode::ImpossibleTravel,
            core::RiskFlag::AfterLockout => RiskFlagCode::AfterLockout,
        }
    }
}

/// One risk flag of a sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RiskFlagView {
    /// Stable code, to branch on.
    pub code: RiskFlagCode,
    /// What a person reads, e.g. "New device".
    pub label: String,
}

impl From<core::RiskFlag> for RiskFlagView {
    fn from(flag: core::RiskFlag) -> Self {
        RiskFlagView { code: flag.into(), label: flag.label().to_owned() }
    }
}

/// The second factor a sign-in passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SecondFactorView {
    /// A code from an authenticator app.
    Totp,
    /// A backup code.
    BackupCode,
}

impl From<core::SecondFactorKind> for SecondFactorView {
    fn from(kind: core::SecondFactorKind) -> Self {
        match kind {
            core::SecondFactorKind::Totp => SecondFactorView::Totp,
            core::SecondFactorKind::BackupCode => SecondFactorView::BackupCode,
        }
    }
}

/// A user account.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: RoleView,
    /// Created (ms).
    pub created_at: i64,
    /// Password last changed (ms).
    pub password_changed_at: i64,
    /// An admin reset the password: the user should choose their own.
    pub must_change_password: bool,
    /// Disabled since (ms), if disabled.
    pub disabled_at: Option<i64>,
    /// Sign-in locked out until (ms), after repeated failures.
    pub locked_until: Option<i64>,
    /// Locked after the policy's hard limit of consecutive failures, until an admin unlocks it.
    pub hard_locked: bool,
    /// Two-factor authentication is on.
    pub two_factor_enabled: bool,
    /// A new approver (an admin added them or reset their password): approving withdrawals
    /// and confirming policy changes only from this time (ms); null when there is no wait.
    pub approves_from: Option<i64>,
}

impl From<&core::User> for UserView {
    fn from(user: &core::User) -> Self {
        UserView {
            id: user.id.0,
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role.into(),
            created_at: ms(user.created_at),
            password_changed_at: ms(user.password_changed_at),
            must_change_password: user.must_change_password,
            disabled_at: user.disabled_at.map(ms),
            locked_until: user.locked_until.map(ms),
            hard_locked: user.hard_locked,
            two_factor_enabled: user.two_factor_enabled,
            approves_from: user.approves_from.map(ms),
        }
    }
}

/// The signed-in user and their session.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Me {
    /// The user.
    pub user: UserView,
    /// The current session.
    pub session_id: i64,
    /// The current device.
    pub device_id: i64,
}

impl From<&core::Actor> for Me {
    fn from(actor: &core::Actor) -> Self {
        Me { user: UserView::from(&actor.user), session_id: actor.session_id.0, device_id: actor.device_id.0 }
    }
}

/// Where the app stands at start-up and after each sign-in step.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "state", rename_all = "camelCase")]
#[ts(export)]
pub enum AppState {
    /// First run: use Gatehouse on this computer only, or connect to the team's server?
    ChooseConnection,
    /// No administrator yet: show first-run set-up.
    SetupRequired,
    /// Show the sign-in screen.
    SignedOut,
    /// The password was right; a two-factor code is due.
    SecondFactorRequired {
        /// Who is signing in.
        email: String,
    },
    /// Signed in with a password an administrator set: choose your own before anything else.
    PasswordChangeRequired {
        /// Who.
        me: Me,
    },
    /// Signed in, but policy requires two-factor authentication: enrol before anything else.
    EnrollmentRequired {
        /// Who.
        me: Me,
    },
    /// Signed in.
    SignedIn {
        /// Who.
        me: Me,
    },
    /// Signed in but locked: show the lock screen.
    Locked {
        /// Whose session is locked.
        user: UserView,
    },
}

/// An open session.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SessionView {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Device.
    pub device_id: i64,
    /// Device name.
    pub device_name: String,
    /// Device form factor.
    pub device_kind: DeviceKindView,
    /// Operating system and version.
    pub os: String,
    /// Client app.
    pub client_name: String,
    /// Client version.
    pub client_version: String,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Approximate location.
    pub location: String,
    /// The second factor passed at sign-in.
    pub second_factor: Option<SecondFactorView>,
    /// Signed in (ms).
    pub created_at: i64,
    /// Last active (ms).
    pub last_active_at: i64,
    /// Ends at the latest (ms).
    pub expires_at: i64,
    /// The caller's own session.
    pub is_current: bool,
}

impl From<&core::SessionInfo> for SessionView {
    fn from(s: &core::SessionInfo) -> Self {
        SessionView {
            id: s.id.0,
            user_id: s.user_id.0,
            device_id: s.device_id.0,
            device_name: s.device_name.clone(),
            device_kind: s.device_kind.into(),
            os: s.os.clone(),
            client_name: s.client_name.clone(),
            client_version: s.client_version.clone(),
            ip: s.ip.clone(),
            location: s.location.clone(),
            second_factor: s.second_factor.map(SecondFactorView::from),
            created_at: ms(s.created_at),
            last_active_at: ms(s.last_active_at),
            expires_at: ms(s.expires_at),
            is_current: s.is_current,
        }
    }
}

/// A device.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceView {
    /// Id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// Form factor.
    pub kind: DeviceKindView,
    /// Operating system.
    pub os: String,
    /// Operating system version.
    pub os_version: String,
    /// First seen (ms).
    pub first_seen_at: i64,
    /// Last used (ms).
    pub last_used_at: i64,
    /// Open sessions on it.
    pub active_sessions: i64,
    /// The device the caller is using.
    pub is_current: bool,
}

impl From<&core::Device> for DeviceView {
    fn from(d: &core::Device) -> Self {
        DeviceView {
            id: d.id.0,
            user_id: d.user_id.0,
            name: d.name.clone(),
            kind: d.kind.into(),
            os: d.os.clone(),
            os_version: d.os_version.clone(),
            first_seen_at: ms(d.first_seen_at),
            last_used_at: ms(d.last_used_at),
            active_sessions: d.active_sessions,
            is_current: d.is_current,
        }
    }
}

/// One sign-in attempt.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AttemptView {
    /// Id.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// The email tried.
    pub email: String,
    /// The account, when the email has one.
    pub user_id: Option<i64>,
    /// Success or failure.
    pub outcome: OutcomeView,
    /// Stable reason code, e.g. `wrong_password`.
    pub reason: String,
    /// The reason in words.
    pub reason_text: String,
    /// The second factor used, for two-factor sign-ins.
    pub second_factor: Option<SecondFactorView>,
    /// Address.
    pub ip: Option<String>,
    /// Approximate location.
    pub location: String,
    /// Device.
    pub device_id: Option<i64>,
    /// Device name at the time.
    pub device_name: String,
    /// Device form factor.
    pub device_kind: DeviceKindView,
    /// Operating system.
    pub os: String,
    /// Client app and version.
    pub client: String,
    /// Why it looks risky (empty when it does not), in display order.
    pub risk_flags: Vec<RiskFlagView>,
    /// The account's owner said "This wasn't me" about it.
    pub disowned: bool,
}

impl From<&core::Attempt> for AttemptView {
    fn from(a: &core::Attempt) -> Self {
        AttemptView {
            id: a.id.0,
            at: ms(a.at),
            email: a.email.clone(),
            user_id: a.user_id.map(|id| id.0),
            outcome: a.outcome.into(),
            reason: a.reason.as_str().to_owned(),
            reason_text: a.reason.describe().to_owned(),
            second_factor: a.second_factor.map(SecondFactorView::from),
            ip: a.ip.clone(),
            location: a.location.clone(),
            device_id: a.device_id.map(|id| id.0),
            device_name: a.device_name.clone(),
            device_kind: a.device_kind.into(),
            os: a.os.clone(),
            client: a.client.clone(),
            risk_flags: a.risk_flags.iter().map(RiskFlagView::from).collect(),
            disowned: a.disowned_at.is_some(),
        }
    }
}

/// One audit-log record.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditView {
    /// When (ms).
    pub at: i64,
    /// Who.
    pub actor_email: Option<String>,
    /// Action, e.g. `user.disabled`.
    pub action: String,
    /// Who was affected.
    pub target_email: Option<String>,
    /// Detail.
    pub detail: String,
    /// From where.
    pub ip: Option<String>,
}

impl From<&core::AuditEntry> for AuditView {
    fn from(e: &core::AuditEntry) -> Self {
        AuditView {
            at: ms(e.at),
            actor_email: e.actor_email.clone(),
            action: e.action.clone(),
            target_email: e.target_email.clone(),
            detail: e.detail.clone(),
            ip: e.ip.clone(),
        }
    }
}

/// The security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyView {
    /// Idle session lifetime.
    pub session_idle_minutes: u32,
    /// Absolute session lifetime.
    pub session_absolute_minutes: u32,
    /// Desktop idle lock (0 = off).
    pub idle_lock_minutes: u32,
    /// Failures before an account is locked out.
    pub lockout_threshold: u32,
    /// Lockout length.
    pub lockout_minutes: u32,
    /// Failures from one address before it is locked out.
    pub ip_lockout_threshold: u32,
    /// Everyone must use two-factor authentication.
    pub require_two_factor: bool,
    /// Minutes a step-up lets sensitive changes through.
    pub step_up_minutes: u32,
    /// Minutes before a new or changed address can be used (0 = at once).
    pub address_cooling_off_minutes: u32,
    /// Withdrawals wait for another admin's or finance user's approval.
    pub withdrawals_need_approval: bool,
    /// Failures on one account, or from one address, that make a failure burst.
    pub failure_burst_threshold: u32,
    /// Minutes those failures fall in.
    pub failure_burst_minutes: u32,
    /// Days after which a country or city is a new place again.
    pub new_place_days: u32,
    /// Speed (km/h) above which two sign-ins are impossible travel.
    pub impossible_travel_kmh: u32,
    /// Consecutive failures after which an account stays locked until an admin unlocks it (at most 100).
    pub hard_lockout_threshold: u32,
    /// Minutes a change that weakens protection waits unless a second admin confirms it (0 = at once).
    pub protection_change_delay_minutes: u32,
}

impl From<&core::Policy> for PolicyView {
    fn from(p: &core::Policy) -> Self {
        PolicyView {
            session_idle_minutes: p.session_idle_minutes,
            session_absolute_minutes: p.session_absolute_minutes,
            idle_lock_minutes: p.idle_lock_minutes,
            lockout_threshold: p.lockout_threshold,
            lockout_minutes: p.lockout_minutes,
            ip_lockout_threshold: p.ip_lockout_threshold,
            require_two_factor: p.require_two_factor,
            step_up_minutes: p.step_up_minutes,
            address_cooling_off_minutes: p.address_cooling_off_minutes,
            withdrawals_need_approval: p.withdrawals_need_approval,
            failure_burst_threshold: p.failure_burst_threshold,
            failure_burst_minutes: p.failure_burst_minutes,
            new_place_days: p.new_place_days,
            impossible_travel_kmh: p.impossible_travel_kmh,
            hard_lockout_threshold: p.hard_lockout_threshold,
            protection_change_delay_minutes: p.protection_change_delay_minutes,
        }
    }
}

impl From<&PolicyView> for core::Policy {
    fn from(p: &PolicyView) -> Self {
        core::Policy {
            session_idle_minutes: p.session_idle_minutes,
            session_absolute_minutes: p.session_absolute_minutes,
            idle_lock_minutes: p.idle_lock_minutes,
            lockout_threshold: p.lockout_threshold,
            lockout_minutes: p.lockout_minutes,
            ip_lockout_threshold: p.ip_lockout_threshold,
            require_two_factor: p.require_two_factor,
            step_up_minutes: p.step_up_minutes,
            address_cooling_off_minutes: p.address_cooling_off_minutes,
            withdrawals_need_approval: p.withdrawals_need_approval,
            failure_burst_threshold: p.failure_burst_threshold,
            failure_burst_minutes: p.failure_burst_minutes,
            new_place_days: p.new_place_days,
            impossible_travel_kmh: p.impossible_travel_kmh,
            hard_lockout_threshold: p.hard_lockout_threshold,
            protection_change_delay_minutes: p.protection_change_delay_minutes,
        }
    }
}

/// A policy change that weakens protection, waiting for its delay or a second admin.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PendingChangeView {
    /// Id.
    pub id: i64,
    /// The setting, as `PolicyView` names it (camelCase), e.g. `withdrawalsNeedApproval`.
    pub setting: String,
    /// What the Policy page calls it.
    pub label: String,
    /// Its value now (booleans: 1 on, 0 off).
    pub from: u32,
    /// Its value once the change applies.
    pub to: u32,
    /// Who proposed it.
    pub proposed_by: String,
    /// When (ms).
    pub proposed_at: i64,
    /// When it applies unless cancelled (ms).
    pub effective_at: i64,
}

impl From<&core::PendingChange> for PendingChangeView {
    fn from(c: &core::PendingChange) -> Self {
        PendingChangeView {
            id: c.id.0,
            // As serde names `PolicyView`'s fields.
            setting: c.setting.to_lower_camel_case(),
            label: c.label.to_owned(),
            from: c.from,
            to: c.to,
            proposed_by: c.proposed_by.clone(),
            proposed_at: ms(c.proposed_at),
            effective_at: ms(c.effective_at),
        }
    }
}

/// What saving the policy did: the policy in force now, and the weakening changes that wait.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicySavedView {
    /// In force now.
    pub policy: PolicyView,
    /// Waiting for the protection change delay or a second admin.
    pub delayed: Vec<PendingChangeView>,
}

impl From<&core::PolicyUpdate> for PolicySavedView {
    fn from(update: &core::PolicyUpdate) -> Self {
        PolicySavedView {
            policy: PolicyView::from(&update.policy),
            delayed: update.delayed.iter().map(PendingChangeView::from).collect(),
        }
    }
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportResult {
    /// The file.
    pub path: String,
    /// Rows written.
    pub rows: u64,
}

/// An authenticator secret to enrol, with its QR code. Shown once; never logged.
#[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EnrollmentView {
    /// The key in base32.
    pub secret: String,
    /// The key in groups of four, for typing by hand.
    pub secret_grouped: String,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The URI as a QR code (SVG markup).
    pub qr_svg: String,
}

impl std::fmt::Debug for EnrollmentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrollmentView(…)")
    }
}

impl EnrollmentView {
    /// The view of an enrolment, with its QR code drawn.
    pub fn new(enrollment: &core::Enrollment) -> Result<Self, crate::ApiError> {
        Ok(EnrollmentView {
            secret: enrollment.secret.to_string(),
            secret_grouped: enrollment.secret_grouped.to_string(),
            uri: enrollment.uri.to_string(),
            qr_svg: crate::qr::svg(&enrollment.uri)?,
        })
    }
}

/// A new set of backup codes, shown once.
#[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupCodesView {
    /// The codes, like `K7QM3-XD9P0`.
    pub codes: Vec<String>,
}

impl std::fmt::Debug for BackupCodesView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BackupCodesView({} codes)", self.codes.len())
    }
}

impl From<&core::BackupCodes> for BackupCodesView {
    fn from(codes: &core::BackupCodes) -> Self {
        BackupCodesView { codes: codes.0.iter().map(|code| code.to_string()).collect() }
    }
}

/// A user's two-factor state.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TwoFactorStatusView {
    /// An authenticator app is enrolled.
    pub enabled: bool,
    /// Since when (ms).
    pub enabled_at: Option<i64>,
    /// Unused backup codes.
    pub backup_codes_left: u32,
    /// Few codes left: the user should make new ones.
    pub backup_codes_low: bool,
    /// Policy requires two-factor authentication (it cannot be turned off).
    pub required: bool,
}

impl From<&core::TwoFactorStatus> for TwoFactorStatusView {
    fn from(s: &core::TwoFactorStatus) -> Self {
        TwoFactorStatusView {
            enabled: s.enabled,
            enabled_at: s.enabled_at.map(ms),
            backup_codes_left: s.backup_codes_left,
            backup_codes_low: s.enabled && s.backup_codes_left <= core::BACKUP_CODES_LOW,
            required: s.required,
        }
    }
}
