//! The audit log: who changed what, when, from where. Written in the same transaction as
//! the change it records.

use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Tx};
use crate::error::Result;
use crate::gatehouse::Gatehouse;
use crate::ids::{SessionId, UserId};
use crate::sessions::Actor;

/// One audit record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// When.
    pub at: Timestamp,
    /// Who (none for the system itself, e.g. first-run set-up).
    pub actor_email: Option<String>,
    /// Which session did it.
    pub actor_session_id: Option<SessionId>,
    /// Stable action name, e.g. `user.disabled`.
    pub action: String,
    /// The user affected.
    pub target_email: Option<String>,
    /// Human-readable detail (never a secret).
    pub detail: String,
    /// The actor's address.
    pub ip: Option<String>,
}

/// Records a change made by a signed-in actor.
pub(crate) async fn record(
    conn: &mut Tx,
    actor: &Actor,
    action: &str,
    target: Option<UserId>,
    detail: &str,
) -> Result<()> {
    db::query(
        "INSERT INTO audit_log (at, actor_user_id, actor_session_id, action, target_user_id, detail, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(actor.now)
    .bind(actor.user.id)
    .bind(actor.session_id)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(actor.ip.map(|ip| ip.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a change made with no signed-in actor (first-run set-up, a delayed policy change
/// falling due).
pub(crate) async fn record_system(
    conn: &mut Tx,
    at: Timestamp,
    action: &str,
    target: Option<UserId>,
    detail: &str,
) -> Result<()> {
    db::query("INSERT INTO audit_log (at, action, target_user_id, detail) VALUES ($1, $2, $3, $4)")
        .bind(at)
        .bind(action)
        .bind(target)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

impl Gatehouse {
    /// The newest `limit` audit records (admins only).
    pub async fn list_audit(&self, caller: Caller<'_>, limit: u32) -> Result<Vec<AuditEntry>> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let rows = db::query(
            "SELECT a.at, actor.email AS actor_email, a.actor_session_id, a.action,
                    target.email AS target_email, a.detail, a.ip
             FROM audit_log a
             LEFT JOIN users actor ON actor.id = a.actor_user_id
             LEFT JOIN users target ON target.id = a.target_user_id
             ORDER BY a.at DESC, a.id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.db)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    actor_email: row.try_get("actor_email")?,
                    actor_session_id: row.try_get("actor_session_id")?,
                    action: row.try_get("action")?,
                    target_email: row.try_get("target_email")?,
                    detail: row.try_get("detail")?,
                    ip: row.try_get("ip")?,
                })
            })
            .collect()
    }
}
