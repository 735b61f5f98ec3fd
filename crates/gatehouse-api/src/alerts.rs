//! Transport types of the notifications centre and alert settings.

use gatehouse_core as core;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A notice in the notifications centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NoticeView {
    /// Id.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// Kind, e.g. `address.added` or `sign_in.new`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// Details.
    pub body: String,
    /// What it is about, e.g. `address:12` or `session:40`.
    pub subject: Option<String>,
    /// Read already.
    pub read: bool,
    /// Also shown as a native desktop notification.
    pub native: bool,
    /// Raised by the session reading it (e.g. its own sign-in): nothing to report there.
    pub from_this_session: bool,
    /// A later sign-in to the reader's own account: "This wasn't me" may be offered.
    pub disownable: bool,
    /// Someone else's sign-in told to an admin: "End this session" may be offered.
    pub session_endable: bool,
    /// The session it reports (a sign-in's), if any.
    pub session_id: Option<i64>,
}

impl From<&core::Notice> for NoticeView {
    fn from(n: &core::Notice) -> Self {
        NoticeView {
            id: n.id,
            at: n.at.as_millis(),
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            subject: n.subject.clone(),
            read: n.read_at.is_some(),
            native: n.native,
            from_this_session: n.from_this_session,
            disownable: n.disownable,
            session_endable: n.session_endable,
            session_id: n.session.map(|session| session.0),
        }
    }
}

/// How one kind of alert reaches the user.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AlertSettingView {
    /// Stable kind, e.g. `sign_in.new`.
    pub kind: String,
    /// What it is, for people.
    pub label: String,
    /// `native`, `in_app` or `off`.
    pub delivery: String,
    /// Whether it may be `off` (alerts about your account's security can be in-app only at most).
    pub may_be_off: bool,
}

impl From<&core::AlertSetting> for AlertSettingView {
    fn from(s: &core::AlertSetting) -> Self {
        AlertSettingView {
            kind: s.kind.as_str().to_owned(),
            label: s.kind.label().to_owned(),
            delivery: s.delivery.as_str().to_owned(),
            may_be_off: s.kind.may_be_off(),
        }
    }
}

/// Sent to the UI when a native notification was clicked or acted on: open what it is about.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OpenNoticeEvent {
    /// The notice.
    pub notice_id: i64,
    /// What it is about, e.g. `session:40`.
    pub subject: Option<String>,
    /// The person chose "This wasn't me" and the session was ended: ask for a new password.
    pub disowned: bool,
    /// An admin chose "End this session" on someone's sign-in: end it (after a step-up).
    pub end_session: Option<i64>,
}
