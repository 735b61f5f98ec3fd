//! Transport types of the security checkup.

use gatehouse_core as core;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The security checkup: what to fix, with what each fix acts on.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CheckupView {
    /// The reader's own checks (with approvals and shared addresses for admins and finance).
    pub personal: Vec<CheckView>,
    /// The team's checks (admins; empty for others).
    pub team: Vec<CheckView>,
    /// How many checks are not ok.
    pub attention: u32,
    /// The thresholds the checks use, for the words around them.
    pub thresholds: ThresholdsView,
}

/// One check.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CheckView {
    /// `two_factor`, `backup_codes`, `password`, `stale_sessions`, `stale_devices`,
    /// `flagged_sign_ins`, `alert_settings`, `pending_approvals`, `stale_addresses`,
    /// `team_two_factor`, `team_locked_accounts`, `team_disabled_with_sessions`,
    /// `team_pending_weakening`, `team_geoip`, `team_audit_log`.
    pub id: String,
    /// `ok`, `needs_attention` or `at_risk`.
    pub status: String,
    /// How many it found (at most 21: more than the 20 items listed); codes left, or the password's score, where that is
    /// what it measures.
    pub count: u32,
    /// What its fix acts on (at most 20).
    pub items: Vec<CheckItemView>,
}

/// What a check's fix acts on.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CheckItemView {
    /// A session's, device's, sign-in's, withdrawal's, address's, user's or change's id (0: none).
    pub id: i64,
    /// What it is.
    pub label: String,
    /// More about it.
    pub detail: String,
    /// When it matters (ms), if anything.
    pub at: Option<i64>,
}

/// The checkup's thresholds (named constants in the core).
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ThresholdsView {
    /// Sessions idle this many days.
    pub stale_session_days: u32,
    /// Devices unused this many days.
    pub stale_device_days: u32,
    /// Shared addresses unused this many days.
    pub stale_address_days: u32,
    /// Flagged sign-ins of this many days.
    pub flagged_review_days: u32,
    /// Passwords older than this many days.
    pub password_old_days: u32,
    /// The lowest zxcvbn score (0–4) counted as strong.
    pub password_good_score: u8,
    /// Backup codes this few or fewer.
    pub backup_codes_low: u32,
}

impl From<&core::Checkup> for CheckupView {
    fn from(checkup: &core::Checkup) -> Self {
        let checks = |list: &[core::Check]| list.iter().map(CheckView::from).collect();
        CheckupView {
            personal: checks(&checkup.personal),
            team: checks(&checkup.team),
            attention: u32::try_from(checkup.attention()).unwrap_or(u32::MAX),
            thresholds: ThresholdsView {
                stale_session_days: core::STALE_SESSION_DAYS,
                stale_device_days: core::STALE_DEVICE_DAYS,
                stale_address_days: core::STALE_ADDRESS_DAYS,
                flagged_review_days: core::FLAGGED_REVIEW_DAYS,
                password_old_days: core::PASSWORD_OLD_DAYS,
                password_good_score: core::PASSWORD_GOOD_SCORE,
                backup_codes_low: core::BACKUP_CODES_LOW,
            },
        }
    }
}

impl From<&core::Check> for CheckView {
    fn from(check: &core::Check) -> Self {
        CheckView {
            id: check.id.as_str().to_owned(),
            status: check.status.as_str().to_owned(),
            count: check.count,
            items: check
                .items
                .iter()
                .map(|item| CheckItemView {
                    id: item.id,
                    label: item.label.clone(),
                    detail: item.detail.clone(),
                    at: item.at.map(core::Timestamp::as_millis),
                })
                .collect(),
        }
    }
}
