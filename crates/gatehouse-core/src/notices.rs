//! In-app notices: what changed that a user should know about (an address added, a
//! withdrawal decided…), listed with an unread count and marked read.

use sqlx::Row;

use crate::clock::Timestamp;
use crate::context::Caller;
use crate::error::Result;
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Id.
    pub id: i64,
    /// When.
    pub at: Timestamp,
    /// Stable kind, e.g. `address.added`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// Details.
    pub body: String,
    /// What it is about, e.g. `address:12` or `withdrawal:3`, for linking to the item.
    pub subject: Option<String>,
    /// When it was read.
    pub read_at: Option<Timestamp>,
}

/// A notice to raise.
pub(crate) struct NewNotice<'a> {
    pub kind: &'a str,
    pub title: String,
    pub body: String,
    pub subject: Option<String>,
}

/// Raises `notice` for each of `recipients`.
pub(crate) async fn raise(
    conn: &mut sqlx::SqliteConnection,
    recipients: &[UserId],
    notice: &NewNotice<'_>,
    at: Timestamp,
) -> Result<()> {
    for recipient in recipients {
        sqlx::query("INSERT INTO notices (recipient_id, at, kind, title, body, subject) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(recipient)
            .bind(at)
            .bind(notice.kind)
            .bind(&notice.title)
            .bind(&notice.body)
            .bind(&notice.subject)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Enabled users with one of `roles` (e.g. everyone who manages shared addresses).
pub(crate) async fn users_with_roles(conn: &mut sqlx::SqliteConnection, roles: &[&str]) -> Result<Vec<UserId>> {
    let rows = sqlx::query("SELECT id, role FROM users WHERE disabled_at IS NULL").fetch_all(conn).await?;
    let mut ids = Vec::new();
    for row in rows {
        let role: String = row.try_get("role")?;
        if roles.contains(&role.as_str()) {
            ids.push(row.try_get("id")?);
        }
    }
    Ok(ids)
}

impl Gatehouse {
    /// The caller's newest notices (at most `limit`).
    pub async fn list_notices(&self, caller: Caller<'_>, limit: u32) -> Result<Vec<Notice>> {
        let actor = self.authenticate(caller).await?;
        let rows = sqlx::query(
            "SELECT id, at, kind, title, body, subject, read_at FROM notices
             WHERE recipient_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(actor.user.id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.db)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Notice {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    kind: row.try_get("kind")?,
                    title: row.try_get("title")?,
                    body: row.try_get("body")?,
                    subject: row.try_get("subject")?,
                    read_at: row.try_get("read_at")?,
                })
            })
            .collect()
    }

    /// How many of the caller's notices are unread. Apps poll this, so it does not count as
    /// using the session (an unattended app still idles out and locks).
    pub async fn unread_notices(&self, caller: Caller<'_>) -> Result<u32> {
        let actor = self.authenticate_in_background(caller).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE recipient_id = ? AND read_at IS NULL")
            .bind(actor.user.id)
            .fetch_one(&self.db)
            .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Marks one of the caller's notices read, or all of them with `None`.
    pub async fn mark_notices_read(&self, caller: Caller<'_>, notice: Option<i64>) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        sqlx::query(
            "UPDATE notices SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL AND (? IS NULL OR id = ?)",
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
