//! Changing the policy so that one admin alone can't weaken the protections. A change that
//! strengthens (or leaves alone) a setting applies at once. A change that weakens one —
//! approval off, a shorter cooling-off, a longer session, a higher threshold… (see
//! [`Setting::weakens`]) — alerts every admin and finance user at once and waits the
//! policy's protection change delay, unless a second admin confirms it with a step-up; any
//! admin may cancel it meanwhile. (Exchanges delay turning an address allowlist off the same
//! way.)
//!
//! Due changes are applied by whichever call reads the policy first after they fall due:
//! the policy query carries the earliest due time, so checking costs nothing extra.

use crate::accounts::Role;
use crate::alerts::AlertKind;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Lock, Row, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::PolicyChangeId;
use crate::notices::{self, Audience, NewNotice};
use crate::policy::{self, Policy, Setting};
use crate::sessions::Actor;

/// A weakening change waiting for its delay (or a second admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    /// Id.
    pub id: PolicyChangeId,
    /// The setting's stable key, e.g. `withdrawals_need_approval`.
    pub setting: &'static str,
    /// What the Policy page calls it.
    pub label: &'static str,
    /// Its value now.
    pub from: u32,
    /// Its value once the change applies.
    pub to: u32,
    /// Who proposed it.
    pub proposed_by: String,
    /// When.
    pub proposed_at: Timestamp,
    /// When it applies unless cancelled (or sooner, if a second admin confirms it).
    pub effective_at: Timestamp,
}

/// What saving a policy did.
#[derive(Debug, Clone)]
pub struct PolicyUpdate {
    /// The policy in force now (every change that doesn't weaken protection applied).
    pub policy: Policy,
    /// The weakening changes that wait.
    pub delayed: Vec<PendingChange>,
}

impl Gatehouse {
    /// Saves the policy (admins, after a step-up): strengthening and neutral changes apply at
    /// once; weakening ones alert every admin and finance user and wait the protection
    /// change delay (none with a delay of 0), replacing any earlier pending change of the
    /// same setting.
    pub async fn set_policy(&self, caller: Caller<'_>, wanted: &Policy) -> Result<PolicyUpdate> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        wanted.validate()?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        tx.lock(Lock::Policy).await?;
        let current = policy::read(&mut tx).await?;
        let delay = current.protection_change_delay();
        let mut now_in_force = current.clone();
        let mut weakening = Vec::new();
        for setting in &policy::SETTINGS {
            let (from, to) = (setting.value(&current), setting.value(wanted));
            if from == to {
                continue;
            }
            // A new value for a setting supersedes whatever was pending for it.
            replace_pending(&mut tx, setting.key, &actor).await?;
            if setting.weakens(from, to) && !delay.is_zero() {
                weakening.push((setting, from, to));
            } else {
                setting.apply(&mut now_in_force, to);
            }
        }
        now_in_force.validate()?;
        policy::write(&mut tx, &now_in_force).await?;
        audit::record(&mut tx, &actor, "policy.changed", None, &changes_text(&current, &now_in_force)).await?;
        let effective_at = actor.now.plus(delay);
        let mut delayed = Vec::new();
        for (setting, from, to) in weakening {
            delayed.push(propose(&mut tx, &actor, setting, from, to, effective_at).await?);
        }
        let weakened_now: Vec<(&Setting, u32, u32)> = policy::SETTINGS
            .iter()
            .map(|s| (s, s.value(&current), s.value(&now_in_force)))
            .filter(|(s, from, to)| s.weakens(*from, *to))
            .collect();
        if !delayed.is_empty() || !weakened_now.is_empty() {
            alert_weakening(&mut tx, &actor, &delayed, &weakened_now).await?;
        }
        tx.commit().await?;
        Ok(PolicyUpdate { policy: now_in_force, delayed })
    }

    /// The weakening changes waiting to apply (admins).
    pub async fn pending_policy_changes(&self, caller: Caller<'_>) -> Result<Vec<PendingChange>> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let rows = db::query(
            "SELECT c.id, c.setting, c.from_value, c.to_value, u.email, c.proposed_at, c.effective_at
             FROM policy_changes c JOIN users u ON u.id = c.proposed_by
             WHERE c.status = 'pending' ORDER BY c.effective_at, c.id",
        )
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(pending_from_row).collect()
    }

    /// A second admin confirms a pending change (step-up): it applies at once. The admin
    /// who proposed it can't.
    pub async fn confirm_policy_change(&self, caller: Caller<'_>, id: PolicyChangeId) -> Result<Policy> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let (change, proposer) = self.pending_change(id).await?;
        if proposer == actor.user.id {
            return Err(Error::SecondAdminRequired);
        }
        actor.require_settled_approver()?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        tx.lock(Lock::Policy).await?;
        let setting = Setting::find(change.setting).ok_or_else(|| Error::Internal("unknown setting".to_owned()))?;
        let mut policy = policy::read(&mut tx).await?;
        setting.apply(&mut policy, change.to);
        policy.validate()?;
        let decided = decide(&mut tx, id, "confirmed", Some(&actor)).await?;
        if !decided {
            return Err(Error::NotFound { what: "Pending policy change" });
        }
        policy::write(&mut tx, &policy).await?;
        let detail = format!(
            "confirmed: {} {} -> {} (proposed by {})",
            change.label,
            setting.describe(change.from),
            setting.describe(change.to),
            change.proposed_by
        );
        audit::record(&mut tx, &actor, "policy.change_confirmed", None, &detail).await?;
        tx.commit().await?;
        Ok(policy)
    }

    /// Any admin cancels a pending change: the setting keeps its value.
    pub async fn cancel_policy_change(&self, caller: Caller<'_>, id: PolicyChangeId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let (change, _) = self.pending_change(id).await?;
        let mut tx = self.write_tx().await?;
        if !decide(&mut tx, id, "cancelled", Some(&actor)).await? {
            return Err(Error::NotFound { what: "Pending policy change" });
        }
        let setting = Setting::find(change.setting).ok_or_else(|| Error::Internal("unknown setting".to_owned()))?;
        let detail = format!(
            "cancelled: {} -> {} (proposed by {})",
            change.label,
            setting.describe(change.to),
            change.proposed_by
        );
        audit::record(&mut tx, &actor, "policy.change_cancelled", None, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies every pending change due at `now` (called when a policy read sees one due).
    /// A change that no longer fits the policy (say, a hard limit now below the lockout
    /// threshold) is dropped, and the audit log says so.
    pub(crate) async fn apply_due_policy_changes(&self, now: Timestamp) -> Result<()> {
        let mut tx = self.write_tx().await?;
        tx.lock(Lock::Policy).await?;
        let due = db::query(
            "SELECT c.id, c.setting, c.from_value, c.to_value, u.email, c.proposed_at, c.effective_at
             FROM policy_changes c JOIN users u ON u.id = c.proposed_by
             WHERE c.status = 'pending' AND c.effective_at <= $1 ORDER BY c.effective_at, c.id",
        )
        .bind(now)
        .fetch_all(&mut tx)
        .await?;
        let mut policy = policy::read(&mut tx).await?;
        for row in &due {
            let change = pending_from_row(row)?;
            let Some(setting) = Setting::find(change.setting) else { continue };
            let mut next = policy.clone();
            setting.apply(&mut next, change.to);
            let (status, action) = if next.validate().is_ok() {
                ("applied", "policy.change_applied")
            } else {
                ("cancelled", "policy.change_dropped")
            };
            if status == "applied" {
                policy = next;
            }
            decide(&mut tx, change.id, status, None).await?;
            let detail =
                format!("{}: {} -> {} (proposed by {})", change.label, change.from, change.to, change.proposed_by);
            audit::record_system(&mut tx, now, action, None, &detail).await?;
        }
        policy::write(&mut tx, &policy).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_change(&self, id: PolicyChangeId) -> Result<(PendingChange, crate::ids::UserId)> {
        let row = db::query(
            "SELECT c.id, c.setting, c.from_value, c.to_value, u.email, c.proposed_at, c.effective_at, c.proposed_by
             FROM policy_changes c JOIN users u ON u.id = c.proposed_by WHERE c.id = $1 AND c.status = 'pending'",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::NotFound { what: "Pending policy change" })?;
        Ok((pending_from_row(&row)?, row.try_get("proposed_by")?))
    }
}

/// Records a weakening change as pending.
async fn propose(
    conn: &mut Tx,
    actor: &Actor,
    setting: &'static Setting,
    from: u32,
    to: u32,
    effective_at: Timestamp,
) -> Result<PendingChange> {
    let id: PolicyChangeId = db::query_scalar(
        "INSERT INTO policy_changes (setting, from_value, to_value, proposed_by, proposed_at, effective_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
    )
    .bind(setting.key)
    .bind(from)
    .bind(to)
    .bind(actor.user.id)
    .bind(actor.now)
    .bind(effective_at)
    .fetch_one(&mut *conn)
    .await?;
    let detail = format!(
        "proposed: {} {} -> {}, applies {} unless cancelled",
        setting.label,
        setting.describe(from),
        setting.describe(to),
        effective_at.to_rfc3339()
    );
    audit::record(conn, actor, "policy.change_proposed", None, &detail).await?;
    Ok(PendingChange {
        id,
        setting: setting.key,
        label: setting.label,
        from,
        to,
        proposed_by: actor.user.email.clone(),
        proposed_at: actor.now,
        effective_at,
    })
}

/// Marks a pending change of `setting` replaced (a newer value was chosen).
async fn replace_pending(conn: &mut Tx, setting: &str, actor: &Actor) -> Result<()> {
    db::query(
        "UPDATE policy_changes SET status = 'replaced', decided_by = $1, decided_at = $2
         WHERE setting = $3 AND status = 'pending'",
    )
    .bind(actor.user.id)
    .bind(actor.now)
    .bind(setting)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a pending change to `status`; false when it was no longer pending.
async fn decide(conn: &mut Tx, id: PolicyChangeId, status: &str, by: Option<&Actor>) -> Result<bool> {
    let decided = db::query(
        "UPDATE policy_changes SET status = $1, decided_by = $2, decided_at = coalesce($3, effective_at)
         WHERE id = $4 AND status = 'pending'",
    )
    .bind(status)
    .bind(by.map(|actor| actor.user.id))
    .bind(by.map(|actor| actor.now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(decided == 1)
}

/// Every admin and finance user hears at once of a change that weakens protection.
async fn alert_weakening(
    conn: &mut Tx,
    actor: &Actor,
    delayed: &[PendingChange],
    applied: &[(&Setting, u32, u32)],
) -> Result<()> {
    let mut lines: Vec<String> = delayed
        .iter()
        .filter_map(|change| {
            let setting = Setting::find(change.setting)?;
            Some(format!(
                "{}: {} → {} from {} (UTC) unless an admin cancels it",
                change.label,
                setting.describe(change.from),
                setting.describe(change.to),
                change.effective_at.to_rfc3339()
            ))
        })
        .collect();
    lines.extend(applied.iter().map(|(setting, from, to)| {
        format!("{}: {} → {} now", setting.label, setting.describe(*from), setting.describe(*to))
    }));
    let notice = NewNotice {
        kind: AlertKind::PolicyWeakened.as_str(),
        title: format!("{} is weakening the security policy", actor.user.email),
        body: format!("{}. If this wasn't agreed, an admin can cancel it on the Policy page.", lines.join("; ")),
        subject: Some("policy".to_owned()),
        session: Some(actor.session_id),
        attempt: None,
    };
    let audience = Audience::Roles { roles: &[Role::Admin, Role::Finance], except: None };
    notices::raise(conn, audience, &notice, actor.now).await
}

/// "Idle lock: 15 -> 30; Withdrawals need approval: on -> off" for the audit log.
fn changes_text(from: &Policy, to: &Policy) -> String {
    let changed: Vec<String> = policy::SETTINGS
        .iter()
        .filter(|setting| setting.value(from) != setting.value(to))
        .map(|setting| {
            format!(
                "{}: {} -> {}",
                setting.label,
                setting.describe(setting.value(from)),
                setting.describe(setting.value(to))
            )
        })
        .collect();
    if changed.is_empty() { "no change in force".to_owned() } else { changed.join("; ") }
}

fn pending_from_row(row: &Row) -> Result<PendingChange> {
    let key: String = row.try_get("setting")?;
    let setting = Setting::find(&key).ok_or_else(|| Error::Internal(format!("unknown policy setting {key}")))?;
    let value = |column: &str| -> Result<u32> {
        let value: i64 = row.try_get(column)?;
        u32::try_from(value).map_err(|_| Error::Internal(format!("policy change value {column} out of range")))
    };
    Ok(PendingChange {
        id: row.try_get("id")?,
        setting: setting.key,
        label: setting.label,
        from: value("from_value")?,
        to: value("to_value")?,
        proposed_by: row.try_get("email")?,
        proposed_at: row.try_get("proposed_at")?,
        effective_at: row.try_get("effective_at")?,
    })
}
