//! Who counts as the second person. Approving a withdrawal and confirming a policy change
//! each need someone other than the one who asked. An admin alone could otherwise be both:
//! create a finance user (or reset one's password), sign in with the password they chose,
//! pick a new one and approve. So an admin or finance user whom an admin created or
//! re-passworded is a new approver: every admin and finance user hears of it at once, and
//! the new approver may act as the second person only after the policy's protection change
//! delay — the same wait, and the same chance to object (disable the account), as a
//! weakening policy change gets.
//!
//! The wait starts once there is a second person to protect: while the acting admin is the
//! team's only settled approver, the approvers they add count at once (a sole admin
//! controls everything anyway, and nobody else could be told). Otherwise a new team's
//! admin could add no working approver for a day.

use crate::accounts::Role;
use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::notices::{self, Audience, NewNotice};
use crate::sessions::Actor;

/// The notice every other approver gets: an alert of the kind "weakens protection".
pub(crate) const NOTICE_KIND: &str = "policy.weakened.approver";

/// What an admin did that makes someone a new approver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Created the account.
    Added,
    /// Set a (temporary) password for an existing account.
    PasswordReset,
}

impl Change {
    fn verb(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::PasswordReset => "reset the password of",
        }
    }
}

/// Makes `user` (`email`, `role`) a new approver after `change`, if their role approves and
/// another approver is there to protect: they wait the protection change delay, and every
/// other admin and finance user is told.
pub(crate) async fn hold_new(
    conn: &mut Tx,
    actor: &Actor,
    user: UserId,
    email: &str,
    role: Role,
    change: Change,
) -> Result<()> {
    // An account just added is nobody yet; one whose password was reset may be the very
    // second person this protects.
    let besides = (change == Change::Added).then_some(user);
    if !matches!(role, Role::Admin | Role::Finance) || !others_approve(conn, actor, besides).await? {
        return Ok(());
    }
    let delay = actor.policy.protection_change_delay();
    let from = (!delay.is_zero()).then(|| actor.now.plus(delay));
    db::query("UPDATE users SET approves_from = $1 WHERE id = $2").bind(from).bind(user).execute(&mut *conn).await?;
    let when = match from {
        Some(from) => format!("from {} (UTC)", from.to_rfc3339()),
        None => "at once (the protection change delay is 0)".to_owned(),
    };
    let notice = NewNotice {
        kind: NOTICE_KIND,
        title: format!("{} {} an approver: {email}", actor.user.email, change.verb()),
        body: format!(
            "{email} ({}) can approve withdrawals{} {when}. If this wasn't agreed, an admin can disable \
             the account on the Users page.",
            role.as_str(),
            if role == Role::Admin { " and confirm policy changes" } else { "" },
        ),
        subject: Some(format!("user:{}", user.0)),
        session: Some(actor.session_id),
        attempt: None,
    };
    let audience = Audience::Roles { roles: &[Role::Admin, Role::Finance], except: Some(actor.user.id) };
    notices::raise(conn, audience, &notice, actor.now).await
}

/// Whether an enabled, settled approver other than `actor` (and `besides`) exists.
async fn others_approve(conn: &mut Tx, actor: &Actor, besides: Option<UserId>) -> Result<bool> {
    let others: bool = db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE role IN ('admin', 'finance') AND disabled_at IS NULL
                          AND id <> $1 AND ($2 IS NULL OR id <> $2)
                          AND (approves_from IS NULL OR approves_from <= $3))",
    )
    .bind(actor.user.id)
    .bind(besides)
    .bind(actor.now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(others)
}

impl Actor {
    /// Refuses the second person's acts (approving a withdrawal, confirming a policy change)
    /// to a new approver still waiting out the protection change delay.
    pub(crate) fn require_settled_approver(&self) -> Result<()> {
        match self.user.approves_from {
            Some(from) if self.now < from => Err(Error::NewApprover { from_utc: from.to_rfc3339() }),
            _ => Ok(()),
        }
    }
}
