//! What only the desktop app has: its own preferences on this computer.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the desktop app behaves on this computer (not an account setting: each computer
/// has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DesktopPreferencesView {
    /// Closing the window keeps Gatehouse running in the tray (alerts keep arriving).
    pub keep_in_tray: bool,
    /// Gatehouse starts, in the tray, when the person signs in to the computer.
    pub start_at_login: bool,
}

/// What a window made again starts with: where the person was, and a notice to open.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WindowRestoreView {
    /// The page the window before it showed this session.
    pub page: Option<String>,
    /// A notification clicked while there was no window: the notice to open.
    pub open_notice: Option<crate::OpenNoticeEvent>,
}
