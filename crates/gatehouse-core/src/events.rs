//! What connected clients are told as it happens: new notices (by cursor), which lists
//! changed, and that their session ended. The core hears commits through `db::Listener`
//! (PostgreSQL `NOTIFY` from triggers, or SQLite's change versions), reads notices by
//! cursor, and decides what concerns which reader; servers and the local watcher carry it.

use crate::accounts::Role;
use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Heard};
use crate::error::Result;
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::notices::{self, Notice, NoticeRecord, Reader, record_select};
use crate::sessions::EndReason;

/// A reconnecting reader gets what it missed from the last this long…
pub const REPLAY_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);
/// …and at most this many notices; further back it starts afresh ("resync").
pub const REPLAY_LIMIT: u32 = 500;

/// What a page shows, for "this changed elsewhere".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Sessions (signed in, ended, locked).
    Sessions,
    /// Devices (new, renamed, removed).
    Devices,
    /// Sign-in activity.
    Activity,
    /// The address book.
    Addresses,
    /// Withdrawal requests and their decisions.
    Withdrawals,
    /// Users (added, disabled, roles).
    Users,
    /// Notices (new, read): the bell.
    Notices,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 7] = [
        Topic::Sessions,
        Topic::Devices,
        Topic::Activity,
        Topic::Addresses,
        Topic::Withdrawals,
        Topic::Users,
        Topic::Notices,
    ];

    /// Stable name (the triggers' payloads use it).
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Sessions => "sessions",
            Topic::Devices => "devices",
            Topic::Activity => "activity",
            Topic::Addresses => "addresses",
            Topic::Withdrawals => "withdrawals",
            Topic::Users => "users",
            Topic::Notices => "notices",
        }
    }

    fn parse(name: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|topic| topic.as_str() == name)
    }
}

/// Something committed: a topic and whose data it is (None: shared entries, sign-in
/// attempts for unknown emails, or SQLite, which doesn't say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub topic: Topic,
    /// Whose.
    pub user: Option<UserId>,
}

impl Change {
    /// From a trigger's payload, `<topic>:<user id or empty>`.
    fn parse(payload: &str) -> Option<Change> {
        let (topic, user) = payload.split_once(':')?;
        let user = if user.is_empty() { None } else { Some(UserId(user.parse().ok()?)) };
        Some(Change { topic: Topic::parse(topic)?, user })
    }

    /// Whether the change may show on a page `reader` can open: their own data; for admins
    /// everyone's security pages and users; for admins and finance every withdrawal; shared
    /// addresses for all. Errs towards telling: it only makes a page fetch again.
    pub fn concerns(&self, reader: &Reader) -> bool {
        let own = self.user.is_none_or(|user| user == reader.user);
        match self.topic {
            Topic::Sessions | Topic::Devices | Topic::Activity | Topic::Users => own || reader.role == Role::Admin,
            Topic::Withdrawals => own || matches!(reader.role, Role::Admin | Role::Finance),
            Topic::Addresses | Topic::Notices => own,
        }
    }
}

/// What a [`ChangeListener`] heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wakeup {
    /// These committed.
    Changes(Vec<Change>),
    /// The listening connection was lost and is back; anything may have changed meanwhile.
    Reconnected,
}

/// Hears other connections' commits (see `db::Listener`). A server holds one.
pub struct ChangeListener(db::Listener);

impl ChangeListener {
    /// Waits for the next commits. Errors when the database can't be reached; calling again
    /// tries to listen again, and answers [`Wakeup::Reconnected`] once it does.
    pub async fn next(&mut self) -> Result<Wakeup> {
        Ok(match self.0.next().await? {
            Heard::Changes(payloads) => Wakeup::Changes(payloads.iter().filter_map(|p| Change::parse(p)).collect()),
            Heard::Reconnected => Wakeup::Reconnected,
        })
    }
}

/// How a session ended, for the app that held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnd {
    /// Stable reason, e.g. `ended_by_admin`, `disowned`, `expired`.
    pub reason: &'static str,
    /// When.
    pub at: Timestamp,
    /// Who ended it, as "Name (email)", when a person did.
    pub by: Option<String>,
}

impl SessionEnd {
    /// One sentence for the sign-in screen.
    pub fn message(&self) -> String {
        let by = self.by.as_deref().unwrap_or("someone");
        match EndReason::parse(self.reason) {
            Some(EndReason::EndedByAdmin) => format!("{by}, an administrator, ended this session."),
            Some(EndReason::EndedByUser) => format!("This session was ended from another session of {by}."),
            Some(EndReason::Disowned) => {
                format!("{by} said \"This wasn't me\" about this sign-in from another session, which ended it.")
            }
            Some(EndReason::DeviceRemoved) => format!("{by} removed this device, which ended this session."),
            Some(EndReason::UserDisabled) => format!("{by} disabled this account."),
            Some(EndReason::PasswordReset) => format!("{by} reset this account's password."),
            Some(EndReason::PasswordChanged) => "The password was changed in another session.".to_owned(),
            Some(EndReason::TwoFactorReset) => "Two-factor authentication was reset for this account.".to_owned(),
            Some(EndReason::WrongAnswers) => "Too many wrong answers ended this session.".to_owned(),
            Some(EndReason::Expired) => "This session expired.".to_owned(),
            Some(EndReason::SignedOut) | None => "This session was signed out.".to_owned(),
        }
    }
}

/// What a reconnecting reader missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missed {
    /// These, oldest first (possibly none).
    Notices(Vec<Notice>),
    /// More than [`REPLAY_LIMIT`], older than [`REPLAY_WINDOW`], or a cursor this database
    /// never handed out: start again from the newest.
    TooOld,
}

impl Gatehouse {
    /// Starts hearing commits from every connection to this database.
    pub async fn listen_for_changes(&self) -> Result<ChangeListener> {
        Ok(ChangeListener(self.db.listen().await?))
    }

    /// The newest notice's cursor (0 without any): where a server's reading starts.
    pub async fn notice_cursor(&self) -> Result<i64> {
        let latest: Option<i64> = db::query_scalar("SELECT max(id) FROM notices").fetch_one(&self.db).await?;
        Ok(latest.unwrap_or(0))
    }

    /// Every recipient's notices after `cursor`, oldest first, at most `limit`: what a
    /// server reads once and hands to its connected readers (each sees only its own, through
    /// [`NoticeRecord::for_reader`]). Not a caller's read: nothing leaves the server as is.
    pub async fn notices_since(&self, cursor: i64, limit: u32) -> Result<Vec<NoticeRecord>> {
        let rows = db::query(record_select!("WHERE n.id > $1 ORDER BY n.id LIMIT $2"))
            .bind(cursor)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&self.db)
            .await?;
        rows.iter().map(notices::record_from_row).collect()
    }

    /// Checks the caller's session for an event stream without counting as use (reading the
    /// stream must not hold off the idle lock); errors as any call would (ended, locked…).
    pub async fn stream_reader(&self, caller: Caller<'_>) -> Result<Reader> {
        Ok(Reader::of(&self.authenticate_in_background(caller).await?))
    }

    /// The notices `reader` missed after `cursor`, as it sees them, except those its own
    /// session raised; or [`Missed::TooOld`].
    pub async fn missed_notices(&self, reader: &Reader, cursor: i64, now: Timestamp) -> Result<Missed> {
        if cursor < 0 || cursor > self.notice_cursor().await? {
            return Ok(Missed::TooOld);
        }
        let rows = db::query(record_select!("WHERE n.recipient_id = $1 AND n.id > $2 ORDER BY n.id LIMIT $3"))
            .bind(reader.user)
            .bind(cursor)
            .bind(REPLAY_LIMIT + 1)
            .fetch_all(&self.db)
            .await?;
        let records = rows.iter().map(notices::record_from_row).collect::<Result<Vec<_>>>()?;
        let too_many = records.len() > REPLAY_LIMIT as usize;
        let too_old = records.first().is_some_and(|first| now.since(first.for_reader(reader).at) > REPLAY_WINDOW);
        if too_many || too_old {
            return Ok(Missed::TooOld);
        }
        Ok(Missed::Notices(
            records.iter().filter(|record| !record.raised_by(reader)).map(|record| record.for_reader(reader)).collect(),
        ))
    }

    /// How the session of `caller`'s token ended, if it did (None: it didn't, or no such
    /// session). Sessions past their lifetime count as ended even before a call noticed.
    pub async fn session_end(&self, caller: Caller<'_>) -> Result<Option<SessionEnd>> {
        let row = db::query(
            "SELECT s.ended_at, s.end_reason, s.expires_at, u.name AS by_name, u.email AS by_email
             FROM sessions s LEFT JOIN users u ON u.id = s.ended_by WHERE s.token_hash = $1",
        )
        .bind(caller.token.hash())
        .fetch_optional(&self.db)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let ended_at: Option<Timestamp> = row.try_get("ended_at")?;
        let expires_at: Timestamp = row.try_get("expires_at")?;
        let Some(at) = ended_at.or((caller.now >= expires_at).then_some(expires_at)) else { return Ok(None) };
        let reason = row.try_get::<Option<String>>("end_reason")?;
        let reason = reason.as_deref().and_then(EndReason::parse).unwrap_or(EndReason::Expired).as_str();
        let by_name: Option<String> = row.try_get("by_name")?;
        let by_email: Option<String> = row.try_get("by_email")?;
        let by = by_email.map(|email| match by_name {
            Some(name) if !name.is_empty() => format!("{name} ({email})"),
            _ => email,
        });
        Ok(Some(SessionEnd { reason, at, by }))
    }
}
