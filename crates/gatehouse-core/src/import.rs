//! Moving a team from standalone to a shared database: everything a standalone Gatehouse
//! holds is copied into an empty one (usually PostgreSQL) — users with their password
//! hashes, two-factor secrets re-sealed under the target's data key, backup codes (keyed under
//! the source's key, which the target keeps sealed under its own: see `keys`), devices,
//! sessions (ended: everyone signs in again), sign-in activity with its risk flags, throttle
//! counters (a lockout stays a lockout), notices, the audit log, the policy and its pending
//! changes, alert settings, the address book and withdrawal history. Ids are kept, so every
//! reference stays true. Machine-local settings (the GeoIP database path) and sign-ins
//! waiting for a code are not copied.

use crate::clock::Timestamp;
use crate::data_key::{DataKey, Sealed};
use crate::db::{self, Arg, Dialect, Row, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::{audit, keys, policy};

/// How many rows of each kind an import copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Users.
    pub users: u64,
    /// Devices.
    pub devices: u64,
    /// Sessions (all ended).
    pub sessions: u64,
    /// Sign-in attempts.
    pub attempts: u64,
    /// Users with an authenticator (or one being set up).
    pub two_factor: u64,
    /// Backup codes.
    pub backup_codes: u64,
    /// Address-book entries.
    pub addresses: u64,
    /// Withdrawal requests.
    pub withdrawals: u64,
    /// Notices.
    pub notices: u64,
    /// Audit log entries.
    pub audit_entries: u64,
    /// Everything else: throttle counters, pending policy changes, alert settings.
    pub other: u64,
}

/// What a column holds, so it can be read from one backend and bound on the other.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    Real,
    Text,
    Bytes,
    Bool,
}

/// A table copied row by row, in the order foreign keys need. `order` names a unique
/// ordering column (paging), `identity` whether the target's id sequence must move on.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    identity: bool,
}

use Kind::{Bool, Bytes, Int, Real, Text};

const USERS: Table = Table {
    name: "users",
    columns: &[
        ("id", Int),
        ("email", Text),
        ("name", Text),
        ("role", Text),
        ("password_hash", Text),
        ("password_changed_at", Int),
        ("must_change_password", Bool),
        ("disabled_at", Int),
        ("created_at", Int),
        ("created_by", Int),
        ("password_score", Int),
        ("approves_from", Int),
    ],
    order: "id",
    identity: true,
};

const DEVICES: Table = Table {
    name: "devices",
    columns: &[
        ("id", Int),
        ("user_id", Int),
        ("installation_id", Text),
        ("name", Text),
        ("kind", Text),
        ("os", Text),
        ("os_version", Text),
        ("first_seen_at", Int),
        ("last_used_at", Int),
        ("removed_at", Int),
    ],
    order: "id",
    identity: true,
};

const SESSIONS: Table = Table {
    name: "sessions",
    columns: &[
        ("id", Int),
        ("user_id", Int),
        ("device_id", Int),
        ("token_hash", Bytes),
        ("client_kind", Text),
        ("client_name", Text),
        ("client_version", Text),
        ("ip", Text),
        ("location", Text),
        ("created_at", Int),
        ("last_active_at", Int),
        ("expires_at", Int),
        ("locked_at", Int),
        ("ended_at", Int),
        ("end_reason", Text),
        ("second_factor", Text),
        ("stepped_up_at", Int),
        ("confirm_failures", Int),
        ("ended_by", Int),
    ],
    order: "id",
    identity: true,
};

const ATTEMPTS: Table = Table {
    name: "signin_attempts",
    columns: &[
        ("id", Int),
        ("at", Int),
        ("email", Text),
        ("user_id", Int),
        ("outcome", Text),
        ("reason", Text),
        ("second_factor", Text),
        ("ip", Text),
        ("location", Text),
        ("country_code", Text),
        ("city", Text),
        ("latitude", Real),
        ("longitude", Real),
        ("device_id", Int),
        ("device_name", Text),
        ("device_kind", Text),
        ("os", Text),
        ("client", Text),
        ("session_id", Int),
        ("risk_flags", Int),
        ("disowned_at", Int),
        ("reviewed_at", Int),
    ],
    order: "id",
    identity: true,
};

const THROTTLE: Table = Table {
    name: "signin_throttle",
    columns: &[
        ("scope", Text),
        ("key", Text),
        ("failures", Int),
        ("last_failure_at", Int),
        ("blocked_until", Int),
        ("locked_at", Int),
        ("consecutive", Int),
        ("hard_locked_at", Int),
    ],
    order: "scope, key",
    identity: false,
};

const POLICY_CHANGES: Table = Table {
    name: "policy_changes",
    columns: &[
        ("id", Int),
        ("setting", Text),
        ("from_value", Int),
        ("to_value", Int),
        ("proposed_by", Int),
        ("proposed_at", Int),
        ("effective_at", Int),
        ("status", Text),
        ("decided_by", Int),
        ("decided_at", Int),
    ],
    order: "id",
    identity: true,
};

const AUDIT: Table = Table {
    name: "audit_log",
    columns: &[
        ("id", Int),
        ("at", Int),
        ("actor_user_id", Int),
        ("actor_session_id", Int),
        ("action", Text),
        ("target_user_id", Int),
        ("detail", Text),
        ("ip", Text),
    ],
    order: "id",
    identity: true,
};

const BACKUP_CODES: Table = Table {
    name: "backup_codes",
    columns: &[
        ("id", Int),
        ("user_id", Int),
        ("key_id", Text),
        ("code_hash", Bytes),
        ("created_at", Int),
        ("used_at", Int),
    ],
    order: "id",
    identity: true,
};

const ADDRESSES: Table = Table {
    name: "addresses",
    columns: &[
        ("id", Int),
        ("owner_id", Int),
        ("label", Text),
        ("network", Text),
        ("address", Text),
        ("memo", Text),
        ("note", Text),
        ("added_by", Int),
        ("created_at", Int),
        ("updated_at", Int),
        ("usable_from", Int),
        ("last_used_at", Int),
        ("deleted_at", Int),
    ],
    order: "id",
    identity: true,
};

const WITHDRAWALS: Table = Table {
    name: "withdrawals",
    columns: &[
        ("id", Int),
        ("requester_id", Int),
        ("address_id", Int),
        ("label", Text),
        ("network", Text),
        ("address", Text),
        ("memo", Text),
        ("asset", Text),
        ("amount", Text),
        ("note", Text),
        ("status", Text),
        ("created_at", Int),
        ("decided_by", Int),
        ("decided_at", Int),
        ("decision_note", Text),
    ],
    order: "id",
    identity: true,
};

const NOTICES: Table = Table {
    name: "notices",
    columns: &[
        ("id", Int),
        ("recipient_id", Int),
        ("at", Int),
        ("kind", Text),
        ("title", Text),
        ("body", Text),
        ("subject", Text),
        ("read_at", Int),
        ("native", Bool),
        ("session_id", Int),
        ("attempt_id", Int),
    ],
    order: "id",
    identity: true,
};

const ALERT_SETTINGS: Table = Table {
    name: "alert_settings",
    columns: &[("user_id", Int), ("kind", Text), ("delivery", Text)],
    order: "user_id, kind",
    identity: false,
};

/// Rows read and written per statement.
const BATCH: usize = 500;

impl Gatehouse {
    /// Copies everything from `source` (a standalone installation) into this database, which
    /// must be empty, in one transaction: on any error nothing is imported. Two-factor secrets
    /// are opened with the source's data key and sealed with this one's; the source's key is
    /// kept sealed under this one's for the backup codes. Returns what was copied.
    pub async fn import_from(&self, source: &Gatehouse, now: Timestamp) -> Result<ImportCounts> {
        let source_key = source.data_key().await?;
        let target_key = self.data_key().await?;
        let mut from = source.db.begin_read().await?;
        let mut to = self.write_tx().await?;
        let empty: bool = db::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM users)").fetch_one(&mut to).await?;
        if !empty {
            return Err(Error::invalid(
                "Database",
                "already holds users: import only into a new, empty database (nothing was copied).",
            ));
        }
        let mut counts = ImportCounts { users: copy(&mut from, &mut to, &USERS, now).await?, ..Default::default() };
        counts.devices = copy(&mut from, &mut to, &DEVICES, now).await?;
        counts.sessions = copy(&mut from, &mut to, &SESSIONS, now).await?;
        counts.attempts = copy(&mut from, &mut to, &ATTEMPTS, now).await?;
        counts.other += copy(&mut from, &mut to, &THROTTLE, now).await?;
        let imported_policy = policy::read(&mut from).await?;
        policy::write(&mut to, &imported_policy).await?;
        counts.other += copy(&mut from, &mut to, &POLICY_CHANGES, now).await?;
        counts.audit_entries = copy(&mut from, &mut to, &AUDIT, now).await?;
        counts.two_factor = reseal_two_factor(&mut from, &mut to, &source_key, &target_key).await?;
        counts.backup_codes = copy(&mut from, &mut to, &BACKUP_CODES, now).await?;
        if counts.backup_codes > 0 && source_key.id() != target_key.id() {
            keys::keep_previous_key(&mut to, &target_key, &source_key, now).await?;
        }
        counts.addresses = copy(&mut from, &mut to, &ADDRESSES, now).await?;
        counts.withdrawals = copy(&mut from, &mut to, &WITHDRAWALS, now).await?;
        counts.notices = copy(&mut from, &mut to, &NOTICES, now).await?;
        counts.other += copy(&mut from, &mut to, &ALERT_SETTINGS, now).await?;
        let detail = format!(
            "imported {} user(s), {} session(s) (ended), {} sign-in attempt(s), {} address(es), {} withdrawal(s)",
            counts.users, counts.sessions, counts.attempts, counts.addresses, counts.withdrawals
        );
        audit::record_system(&mut to, now, "database.imported", None::<UserId>, &detail).await?;
        to.commit().await?;
        Ok(counts)
    }
}

/// Copies `table` from `from` to `to`, a batch at a time; returns how many rows. Sessions
/// arrive ended.
async fn copy(from: &mut Tx, to: &mut Tx, table: &Table, now: Timestamp) -> Result<u64> {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let mut copied = 0u64;
    let mut last_id: Option<i64> = None;
    loop {
        // Tables with ids are paged by id (a million sign-in attempts stay cheap); the two
        // small ones without, by offset.
        let mut select = db::Builder::new(&format!("SELECT {} FROM {}", columns.join(", "), table.name));
        if table.identity {
            select.push(" WHERE id > ").push_bind(last_id.unwrap_or(i64::MIN));
        }
        select.push(&format!(" ORDER BY {} LIMIT ", table.order)).push_bind(BATCH as i64);
        if !table.identity {
            select.push(" OFFSET ").push_bind(i64::try_from(copied).unwrap_or(i64::MAX));
        }
        let rows = select.build().fetch_all(&mut *from).await?;
        if rows.is_empty() {
            break;
        }
        let mut insert = db::Builder::new(&format!("INSERT INTO {} ({}) VALUES ", table.name, columns.join(", ")));
        for (n, row) in rows.iter().enumerate() {
            insert.push(if n == 0 { "(" } else { ", (" });
            for (i, (name, kind)) in table.columns.iter().enumerate() {
                if i > 0 {
                    insert.push(", ");
                }
                insert.push_bind(value(row, table, name, *kind, now)?);
            }
            insert.push(")");
        }
        insert.build().execute(&mut *to).await?;
        copied += rows.len() as u64;
        if table.identity {
            last_id = rows.last().map(|row| row.try_get::<i64>("id")).transpose()?;
        }
        if rows.len() < BATCH {
            break;
        }
    }
    if table.identity && copied > 0 && to.dialect() == Dialect::Postgres {
        // Explicit ids leave PostgreSQL's identity sequence behind: move it past them.
        let sql = format!("SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT max(id) FROM {0}))", table.name);
        db::Builder::new(&sql).build().execute(&mut *to).await?;
    }
    Ok(copied)
}

/// One column of `row` as an argument for the other backend; an open session is ended now.
fn value(row: &Row, table: &Table, name: &str, kind: Kind, now: Timestamp) -> Result<Arg> {
    if table.name == SESSIONS.name {
        match name {
            "ended_at" => return Ok(Arg::Int(Some(row.try_get::<Option<i64>>(name)?.unwrap_or(now.as_millis())))),
            "end_reason" => {
                return Ok(Arg::Text(Some(
                    row.try_get::<Option<String>>(name)?.unwrap_or_else(|| "imported".to_owned()),
                )));
            }
            _ => {}
        }
    }
    Ok(match kind {
        Int => Arg::Int(row.try_get(name)?),
        Real => Arg::Real(row.try_get(name)?),
        Text => Arg::Text(row.try_get(name)?),
        Bytes => Arg::Bytes(row.try_get(name)?),
        Bool => Arg::Bool(row.try_get(name)?),
    })
}

/// Copies authenticators and unfinished enrolments, each secret opened with the source's key
/// and sealed with the target's; returns how many.
async fn reseal_two_factor(from: &mut Tx, to: &mut Tx, source: &DataKey, target: &DataKey) -> Result<u64> {
    let mut copied = 0;
    let active =
        db::query("SELECT user_id, key_id, nonce, ciphertext, last_step, enabled_at FROM user_totp ORDER BY user_id")
            .fetch_all(&mut *from)
            .await?;
    for row in &active {
        let user: UserId = row.try_get("user_id")?;
        let sealed = reseal(row, user, source, target)?;
        db::query(
            "INSERT INTO user_totp (user_id, key_id, nonce, ciphertext, last_step, enabled_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(row.try_get::<i64>("last_step")?)
        .bind(row.try_get::<i64>("enabled_at")?)
        .execute(&mut *to)
        .await?;
        copied += 1;
    }
    let pending =
        db::query("SELECT user_id, key_id, nonce, ciphertext, created_at FROM totp_enrollments ORDER BY user_id")
            .fetch_all(&mut *from)
            .await?;
    for row in &pending {
        let user: UserId = row.try_get("user_id")?;
        let sealed = reseal(row, user, source, target)?;
        db::query(
            "INSERT INTO totp_enrollments (user_id, key_id, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(row.try_get::<i64>("created_at")?)
        .execute(&mut *to)
        .await?;
        copied += 1;
    }
    Ok(copied)
}

/// A user's TOTP secret from `row`, opened with `source` and sealed with `target`.
fn reseal(row: &Row, user: UserId, source: &DataKey, target: &DataKey) -> Result<Sealed> {
    let sealed =
        Sealed { key_id: row.try_get("key_id")?, nonce: row.try_get("nonce")?, ciphertext: row.try_get("ciphertext")? };
    let context = crate::two_factor::totp_context(user);
    let secret = source.open(&context, &sealed)?;
    target.seal(&context, &secret)
}
