//! What a session's event stream carries (`GET /api/v1/events` as Server-Sent Events, or the
//! local watcher in standalone mode), and what the desktop shell tells its UI about it.

use gatehouse_core as core;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::NoticeView;

/// One event of a session's stream. Notices carry a cursor (`id:` on the wire, echoed as
/// `Last-Event-ID` when reconnecting); the stream ends after `session_ended` or
/// `session_locked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum StreamEvent {
    /// A fresh stream starts here: the newest cursor (nothing before it is replayed).
    Ready {
        /// The newest notice's cursor.
        cursor: i64,
    },
    /// A new notice for this session's user.
    Notice {
        /// Its cursor.
        cursor: i64,
        /// The notice as this session sees it.
        notice: NoticeView,
    },
    /// What this session's pages show changed elsewhere: fetch them again.
    Changed {
        /// `sessions`, `devices`, `activity`, `addresses`, `withdrawals`, `users`, `notices`.
        topics: Vec<String>,
    },
    /// The cursor given is older than the server replays (or unknown): missed notices are
    /// in the notifications centre, not replayed; go on from `cursor`, refreshing everything.
    Resync {
        /// The newest notice's cursor.
        cursor: i64,
    },
    /// The session ended; the stream closes.
    SessionEnded {
        /// Stable reason, e.g. `ended_by_admin`, `disowned`, `expired`, `signed_out`.
        reason: String,
        /// What happened, for the sign-in screen ("… ended this session.").
        message: String,
    },
    /// The session locked (idle, or locked from the app); the stream closes until unlocked.
    SessionLocked {},
}

impl StreamEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            StreamEvent::Ready { .. } => "ready",
            StreamEvent::Notice { .. } => "notice",
            StreamEvent::Changed { .. } => "changed",
            StreamEvent::Resync { .. } => "resync",
            StreamEvent::SessionEnded { .. } => "session_ended",
            StreamEvent::SessionLocked {} => "session_locked",
        }
    }

    /// The cursor it moves a reader to, if any.
    pub fn cursor(&self) -> Option<i64> {
        match self {
            StreamEvent::Ready { cursor } | StreamEvent::Notice { cursor, .. } | StreamEvent::Resync { cursor } => {
                Some(*cursor)
            }
            _ => None,
        }
    }

    /// The stream ends after it.
    pub fn is_final(&self) -> bool {
        matches!(self, StreamEvent::SessionEnded { .. } | StreamEvent::SessionLocked {})
    }

    /// A notice as its reader sees it.
    pub fn notice(notice: &core::Notice) -> Self {
        StreamEvent::Notice { cursor: notice.id, notice: notice.into() }
    }

    /// Which topics changed.
    pub fn changed(topics: impl IntoIterator<Item = core::Topic>) -> Self {
        let mut topics: Vec<core::Topic> = topics.into_iter().collect();
        topics.sort();
        topics.dedup();
        StreamEvent::Changed { topics: topics.into_iter().map(|topic| topic.as_str().to_owned()).collect() }
    }

    /// How a session ended.
    pub fn session_ended(end: &core::SessionEnd) -> Self {
        StreamEvent::SessionEnded { reason: end.reason.to_owned(), message: end.message() }
    }
}

/// Told to the UI (`data-changed`): refresh pages showing these topics.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DataChangedEvent {
    /// As in [`StreamEvent::Changed`]; every topic after a reconnect or a resync.
    pub topics: Vec<String>,
}

/// Told to the UI (`session-ended`): the session ended elsewhere; show sign-in with why.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SessionEndedEvent {
    /// Stable reason.
    pub reason: String,
    /// What happened.
    pub message: String,
}

/// Told to the UI (`connection-status`): whether the team server's event stream is up.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionStatusEvent {
    /// Connected (or standalone).
    pub connected: bool,
    /// Why not, and when it tries again.
    pub message: Option<String>,
}
