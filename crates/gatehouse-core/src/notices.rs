//! The notifications centre: what a user should know about (a new sign-in, an address
//! added, a withdrawal decided…), raised according to their alert settings, listed with an
//! unread count, marked read, and fed to the desktop app's watcher for native alerts.

use crate::accounts::Role;
use crate::alerts::{AlertKind, Delivery};
use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Lock, Row, ToArg, Tx};
use crate::error::Result;
use crate::gatehouse::Gatehouse;
use crate::ids::{ActivityId, SessionId, UserId};
use crate::sessions::Actor;

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Id (grows with time: a watcher asks for those after the last it saw).
    pub id: i64,
    /// When.
    pub at: Timestamp,
    /// Stable kind, e.g. `address.added` or `sign_in.new`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// Details.
    pub body: String,
    /// What it is about, e.g. `address:12`, `withdrawal:3` or `session:40`, for linking.
    pub subject: Option<String>,
    /// When it was read.
    pub read_at: Option<Timestamp>,
    /// Also shown as a native desktop notification.
    pub native: bool,
    /// The session whose action raised it (a new sign-in: that session).
    pub session: Option<SessionId>,
    /// The sign-in attempt it is about.
    pub attempt: Option<ActivityId>,
    /// Raised by the session reading it (its own sign-in, its own password change).
    pub from_this_session: bool,
    /// A sign-in the reader may disown ("This wasn't me"): to their own account, by
    /// another session that signed in after theirs. Decided here, once, for every client.
    pub disownable: bool,
    /// Someone else's sign-in told to an admin, who may end that session from the notice.
    pub session_endable: bool,
}

/// A notice to raise.
pub(crate) struct NewNotice<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub subject: Option<String>,
    pub session: Option<SessionId>,
    pub attempt: Option<ActivityId>,
}

/// Notices one statement writes, and users one arm of the recipients query names: well
/// under SQLite's limit of 32,766 placeholders at 10 a notice.
const RECIPIENTS_PER_STATEMENT: usize = 500;

/// Who hears of a notice.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Audience<'a> {
    /// These users.
    Users(&'a [UserId]),
    /// The enabled users with one of `roles`, but `except` (who caused it, or hears of it
    /// another way).
    Roles { roles: &'a [Role], except: Option<UserId> },
}

/// Raises `notice` for `audience` (see [`raise_each`]).
pub(crate) async fn raise(conn: &mut Tx, audience: Audience<'_>, notice: &NewNotice<'_>, at: Timestamp) -> Result<()> {
    raise_each(conn, &[(notice, audience)], at).await
}

/// Raises each notice for its audience, as each recipient's alert settings say: native,
/// in-app only, or — for those who switched its kind off — kept as a record, already read.
/// One query reads who the recipients are and what they chose, and one statement writes
/// every notice, however many (up to [`RECIPIENTS_PER_STATEMENT`] a statement).
///
/// With anyone to tell, takes `Lock::Notices` until the transaction ends, so call it after
/// the transaction's other row writes (inserts of new rows, like the audit log's, may
/// follow): a transaction holding it must never wait for a row lock held by one waiting for
/// it.
pub(crate) async fn raise_each(conn: &mut Tx, notices: &[(&NewNotice<'_>, Audience<'_>)], at: Timestamp) -> Result<()> {
    let recipients = recipients(&mut *conn, notices).await?;
    if recipients.is_empty() {
        return Ok(()); // nothing to write, so no need to wait for other writers of notices
    }
    // Only the inserts (and the commit) wait for other writers of notices.
    conn.lock(Lock::Notices).await?;
    for chunk in recipients.chunks(RECIPIENTS_PER_STATEMENT) {
        let mut sql = db::Builder::new(
            "INSERT INTO notices (recipient_id, at, kind, title, body, subject, native, session_id, attempt_id, read_at)
             VALUES ",
        );
        for (i, Recipient { user, notice, delivery }) in chunk.iter().enumerate() {
            let row = [
                user.to_arg(),
                at.to_arg(),
                notice.kind.to_arg(),
                notice.title.to_arg(),
                notice.body.to_arg(),
                notice.subject.to_arg(),
                (*delivery == Delivery::Native).to_arg(),
                notice.session.to_arg(),
                notice.attempt.to_arg(),
                (*delivery == Delivery::Off).then_some(at).to_arg(),
            ];
            sql.push(if i == 0 { "(" } else { ", (" }).push_binds(row).push(")");
        }
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// One notice to write: for whom, which, and how they want it.
struct Recipient<'n> {
    user: UserId,
    notice: &'n NewNotice<'n>,
    delivery: Delivery,
}

/// Everyone each of `notices` is for, with how they want it delivered: one query, a
/// `UNION ALL` arm per audience (per [`RECIPIENTS_PER_STATEMENT`] users of a list).
async fn recipients<'n>(conn: &mut Tx, notices: &[(&'n NewNotice<'n>, Audience<'_>)]) -> Result<Vec<Recipient<'n>>> {
    let kinds: Vec<Option<AlertKind>> = notices.iter().map(|(notice, _)| AlertKind::of_notice(notice.kind)).collect();
    let mut sql = db::Builder::new("");
    let mut arms = 0;
    for (index, ((_, audience), kind)) in notices.iter().zip(&kinds).enumerate() {
        let kind = kind.map(AlertKind::as_str);
        let mut arm = |sql: &mut db::Builder| {
            sql.push(if arms == 0 { "SELECT " } else { " UNION ALL SELECT " })
                .push_bind(i64::try_from(index).unwrap_or(i64::MAX))
                .push(" AS notice, u.id, s.delivery FROM users u")
                .push(" LEFT JOIN alert_settings s ON s.user_id = u.id AND s.kind = ")
                .push_bind(kind)
                .push(" WHERE ");
            arms += 1;
        };
        match audience {
            Audience::Users(users) => {
                for chunk in users.chunks(RECIPIENTS_PER_STATEMENT) {
                    arm(&mut sql);
                    sql.push("u.id IN (").push_binds(chunk).push(")");
                }
            }
            Audience::Roles { roles, except } => {
                arm(&mut sql);
                sql.push("u.disabled_at IS NULL AND u.role IN (")
                    .push_binds(roles.iter().map(|r| r.as_str()))
                    .push(")");
                if let Some(except) = except {
                    sql.push(" AND u.id <> ").push_bind(except);
                }
            }
        }
    }
    if arms == 0 {
        return Ok(Vec::new());
    }
    sql.push(" ORDER BY notice, id");
    let mut recipients = Vec::new();
    for row in sql.build().fetch_all(conn).await? {
        let index = usize::try_from(row.try_get::<i64>("notice")?).unwrap_or(usize::MAX);
        let (Some((notice, _)), Some(kind)) = (notices.get(index), kinds.get(index)) else { continue };
        let chosen = row.try_get::<Option<String>>("delivery")?.map(|text| Delivery::parse(&text)).transpose()?;
        let delivery = match kind {
            Some(kind) => kind.delivery(chosen),
            None => Delivery::InApp,
        };
        recipients.push(Recipient { user: row.try_get("id")?, notice, delivery });
    }
    Ok(recipients)
}

/// Who reads notices: a session of a user. Decides what each notice means to it (its own
/// sign-in reads as read; a later sign-in to its account may be disowned).
#[derive(Debug, Clone)]
pub struct Reader {
    /// The user.
    pub user: UserId,
    /// Their role (which shared changes concern them).
    pub role: Role,
    /// The reading session.
    pub session: SessionId,
    /// When that session signed in.
    pub signed_in_at: Timestamp,
}

impl Reader {
    pub(crate) fn of(actor: &Actor) -> Self {
        Reader {
            user: actor.user.id,
            role: actor.user.role,
            session: actor.session_id,
            signed_in_at: actor.signed_in_at,
        }
    }
}

/// A notice as stored, before a reader sees it: what a server reads once and hands to every
/// connected session of its recipient.
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    /// Whose notice it is.
    pub recipient: UserId,
    notice: Notice,
    /// When the session the notice is about signed in (for "a later sign-in").
    reported_signed_in_at: Option<Timestamp>,
}

/// The columns [`record_from_row`] reads, from `notices n` joined to the session it reports.
macro_rules! record_select {
    ($rest:literal) => {
        concat!(
            "SELECT n.id, n.recipient_id, n.at, n.kind, n.title, n.body, n.subject, n.read_at, n.native,
                    n.session_id, n.attempt_id, reported.created_at AS reported_signed_in_at
             FROM notices n LEFT JOIN sessions reported ON reported.id = n.session_id ",
            $rest
        )
    };
}
pub(crate) use record_select;

pub(crate) fn record_from_row(row: &Row) -> Result<NoticeRecord> {
    Ok(NoticeRecord {
        recipient: row.try_get("recipient_id")?,
        reported_signed_in_at: row.try_get("reported_signed_in_at")?,
        notice: Notice {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            kind: row.try_get("kind")?,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            subject: row.try_get("subject")?,
            read_at: row.try_get("read_at")?,
            native: row.try_get("native")?,
            session: row.try_get("session_id")?,
            attempt: row.try_get("attempt_id")?,
            from_this_session: false,
            disownable: false,
            session_endable: false,
        },
    })
}

impl NoticeRecord {
    /// Its cursor: notice ids grow in commit order (see `db::Lock::Notices`).
    pub fn cursor(&self) -> i64 {
        self.notice.id
    }

    /// Raised by `reader`'s own session (its sign-in, its password change): news to its
    /// other sessions, not to it.
    pub fn raised_by(&self, reader: &Reader) -> bool {
        self.notice.session == Some(reader.session)
    }

    /// The notice as `reader` sees it.
    pub fn for_reader(&self, reader: &Reader) -> Notice {
        let notice = &self.notice;
        let from_this_session = self.raised_by(reader);
        let own_sign_in =
            matches!(AlertKind::of_notice(&notice.kind), Some(AlertKind::NewSignIn | AlertKind::RiskySignIn));
        let reported_later = match (self.reported_signed_in_at, notice.session) {
            (Some(at), Some(session)) => (at, session.0) > (reader.signed_in_at, reader.session.0),
            _ => false,
        };
        Notice {
            // Only a sign-in to the reader's own account made after the reader's: someone who
            // signed in with a stolen password must not use it to throw the owner's earlier
            // session out (older sessions are ended from Security → Sessions).
            disownable: own_sign_in && !from_this_session && reported_later,
            session_endable: reader.role == Role::Admin
                && notice.session.is_some()
                && matches!(
                    AlertKind::of_notice(&notice.kind),
                    Some(AlertKind::EveryoneSignIn | AlertKind::EveryoneRiskySignIn)
                ),
            // What the reading session did itself is news to its other sessions, not to it:
            // it reads as read there.
            read_at: notice.read_at.or(from_this_session.then_some(notice.at)),
            from_this_session,
            ..notice.clone()
        }
    }
}

impl Gatehouse {
    /// The caller's newest notices (at most `limit`). A background read: an open
    /// notifications panel refreshing itself must not keep an idle session alive.
    pub async fn list_notices(&self, caller: Caller<'_>, limit: u32) -> Result<Vec<Notice>> {
        let actor = self.authenticate_in_background(caller).await?;
        let rows = db::query(record_select!("WHERE n.recipient_id = $1 ORDER BY n.at DESC, n.id DESC LIMIT $2"))
            .bind(actor.user.id)
            .bind(limit.clamp(1, 500))
            .fetch_all(&self.db)
            .await?;
        let reader = Reader::of(&actor);
        rows.iter().map(|row| Ok(record_from_row(row)?.for_reader(&reader))).collect()
    }

    /// The caller's notices newer than `after` (an id), oldest first, except those the
    /// caller's own session raised: what a watcher turns into native alerts. A background
    /// read: it does not keep the session alive.
    pub async fn notices_after(&self, caller: Caller<'_>, after: i64) -> Result<Vec<Notice>> {
        let actor = self.authenticate_in_background(caller).await?;
        let rows = db::query(record_select!(
            "WHERE n.recipient_id = $1 AND n.id > $2 AND n.session_id IS DISTINCT FROM $3 ORDER BY n.id LIMIT 100"
        ))
        .bind(actor.user.id)
        .bind(after)
        .bind(actor.session_id)
        .fetch_all(&self.db)
        .await?;
        let reader = Reader::of(&actor);
        rows.iter().map(|row| Ok(record_from_row(row)?.for_reader(&reader))).collect()
    }

    /// The id of the caller's newest notice (0 without any): where a watcher starts.
    pub async fn latest_notice_id(&self, caller: Caller<'_>) -> Result<i64> {
        let actor = self.authenticate_in_background(caller).await?;
        let latest: Option<i64> = db::query_scalar("SELECT max(id) FROM notices WHERE recipient_id = $1")
            .bind(actor.user.id)
            .fetch_one(&self.db)
            .await?;
        Ok(latest.unwrap_or(0))
    }

    /// How many of the caller's notices are unread (its own session's count as read). Apps poll this, so it does not count as
    /// using the session (an unattended app still idles out and locks).
    pub async fn unread_notices(&self, caller: Caller<'_>) -> Result<u32> {
        let actor = self.authenticate_in_background(caller).await?;
        let count: i64 = db::query_scalar(
            "SELECT COUNT(*) FROM notices WHERE recipient_id = $1 AND read_at IS NULL AND session_id IS DISTINCT FROM $2",
        )
        .bind(actor.user.id)
        .bind(actor.session_id)
        .fetch_one(&self.db)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Marks one of the caller's notices read, or all of them with `None`.
    pub async fn mark_notices_read(&self, caller: Caller<'_>, notice: Option<i64>) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        db::query(
            "UPDATE notices SET read_at = $1 WHERE recipient_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $4)",
        )
        .bind(actor.now)
        .bind(actor.user.id)
        .bind(notice)
        .bind(notice)
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

impl Gatehouse {
    /// One of the caller's notices, as the caller's session sees it.
    pub(crate) async fn notice(&self, actor: &crate::sessions::Actor, id: i64) -> Result<Option<Notice>> {
        let row = db::query(record_select!("WHERE n.id = $1 AND n.recipient_id = $2"))
            .bind(id)
            .bind(actor.user.id)
            .fetch_optional(&self.db)
            .await?;
        row.map(|row| Ok(record_from_row(&row)?.for_reader(&Reader::of(actor)))).transpose()
    }
}
