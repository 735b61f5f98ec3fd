//! The security checkup: what each person should fix, computed in one call from indexed
//! reads of their own data (and, for admins, the team's). Each check has a status, a count,
//! and the items its fix acts on (which sessions to end, which sign-ins to review…); the
//! clients only render it. Reviewing a flagged sign-in ("It was me" / "This wasn't me")
//! lives here too.

use std::time::Duration;

use crate::accounts::{Role, User};
use crate::alerts::Delivery;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Row};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::{ActivityId, SessionId, UserId};
use crate::risk::RiskFlags;
use crate::sessions::{self, Actor, EndReason, Ending, Obligation, Sessions};
use crate::two_factor::BACKUP_CODES_LOW;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Sessions left open without activity this long are worth ending.
pub const STALE_SESSION_DAYS: u32 = 30;
/// Devices not used this long are worth removing.
pub const STALE_DEVICE_DAYS: u32 = 90;
/// Saved addresses not used this long are worth removing.
pub const STALE_ADDRESS_DAYS: u32 = 180;
/// Flagged sign-ins this recent should be reviewed.
pub const FLAGGED_REVIEW_DAYS: u32 = 30;
/// A password older than this is worth changing.
pub const PASSWORD_OLD_DAYS: u32 = 365;
/// A password scored below this (zxcvbn, 0–4) when it was set is worth changing.
pub const PASSWORD_GOOD_SCORE: u8 = 3;
/// Items listed per check.
const ITEMS_SHOWN: usize = 20;
/// Counts stop one past the items listed ("more than 20"), so no check reads more rows than
/// that (the checkup's whole budget is a few milliseconds over a million sign-ins).
pub const COUNT_CAP: u32 = ITEMS_SHOWN as u32 + 1;

fn days(n: u32) -> Duration {
    DAY * n
}

/// Which check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckId {
    /// Two-factor authentication is on.
    TwoFactor,
    /// Backup codes are left.
    BackupCodes,
    /// The password is strong and not old.
    Password,
    /// No session left open without activity.
    StaleSessions,
    /// No device unused for long.
    StaleDevices,
    /// Recent flagged sign-ins were reviewed.
    FlaggedSignIns,
    /// Alerts about the account's security reach the desktop.
    AlertSettings,
    /// Withdrawals waiting for the reader's approval (admins, finance).
    PendingApprovals,
    /// Shared addresses still in use (admins, finance).
    StaleAddresses,
    /// Everyone has two-factor authentication (admins).
    TeamTwoFactor,
    /// No account is locked (admins).
    TeamLockedAccounts,
    /// Disabled users have no open session (admins).
    TeamDisabledWithSessions,
    /// No protection-weakening change is waiting (admins).
    TeamPendingWeakening,
    /// Locations can be looked up (admins).
    TeamGeoIp,
    /// The audit log's size and last entry (admins; information).
    TeamAuditLog,
}

impl CheckId {
    /// Stable name, e.g. `two_factor`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::TwoFactor => "two_factor",
            CheckId::BackupCodes => "backup_codes",
            CheckId::Password => "password",
            CheckId::StaleSessions => "stale_sessions",
            CheckId::StaleDevices => "stale_devices",
            CheckId::FlaggedSignIns => "flagged_sign_ins",
            CheckId::AlertSettings => "alert_settings",
            CheckId::PendingApprovals => "pending_approvals",
            CheckId::StaleAddresses => "stale_addresses",
            CheckId::TeamTwoFactor => "team_two_factor",
            CheckId::TeamLockedAccounts => "team_locked_accounts",
            CheckId::TeamDisabledWithSessions => "team_disabled_with_sessions",
            CheckId::TeamPendingWeakening => "team_pending_weakening",
            CheckId::TeamGeoIp => "team_geoip",
            CheckId::TeamAuditLog => "team_audit_log",
        }
    }
}

/// How a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckStatus {
    /// Fine.
    Ok,
    /// Worth doing something about.
    NeedsAttention,
    /// Exposed: fix it now.
    AtRisk,
}

impl CheckStatus {
    /// Stable name: `ok`, `needs_attention`, `at_risk`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::NeedsAttention => "needs_attention",
            CheckStatus::AtRisk => "at_risk",
        }
    }
}

/// Something a check's fix acts on: a session, device, sign-in, address, user, kind of alert…
#[derive(Debug, Clone, PartialEq)]
pub struct CheckItem {
    /// Its id (a session's, a sign-in attempt's, a user's…); 0 where it has none.
    pub id: i64,
    /// What it is, for people (a device name, an email, a kind of alert).
    pub label: String,
    /// More about it (where, which flags, …).
    pub detail: String,
    /// When it matters (last active, signed in at, …).
    pub at: Option<Timestamp>,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Which.
    pub id: CheckId,
    /// How it stands.
    pub status: CheckStatus,
    /// How many things it found (at most [`COUNT_CAP`]: more than the items listed means
    /// "more than 20"); a score or a number of codes where that is what it measures.
    pub count: u32,
    /// The things its fix acts on (at most 20).
    pub items: Vec<CheckItem>,
}

impl Check {
    fn new(id: CheckId, status: CheckStatus, count: u32, items: Vec<CheckItem>) -> Self {
        Check { id, status, count, items }
    }

    /// Needs attention when anything was found.
    fn found(id: CheckId, count: u32, items: Vec<CheckItem>) -> Self {
        let status = if count == 0 { CheckStatus::Ok } else { CheckStatus::NeedsAttention };
        Check::new(id, status, count, items)
    }
}

/// The whole checkup.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkup {
    /// The reader's own checks (and, for admins and finance, theirs).
    pub personal: Vec<Check>,
    /// The team's (admins only; empty for others).
    pub team: Vec<Check>,
}

impl Checkup {
    /// How many checks are not ok.
    pub fn attention(&self) -> usize {
        self.personal.iter().chain(&self.team).filter(|check| check.status != CheckStatus::Ok).count()
    }
}

impl Gatehouse {
    /// The caller's security checkup (with the team's for admins), in one call. The checks
    /// are independent reads, so they run at once on the pool's connections.
    ///
    /// A user whom policy holds to enrol in 2FA first may read their own checks (2FA
    /// then needs attention, and says how to fix it), but not the team's.
    pub async fn checkup(&self, caller: Caller<'_>) -> Result<Checkup> {
        let actor = self.authenticate_for(caller, Obligation::EnrollTwoFactor).await?;
        let enrolling = actor.obligation().is_some();
        let user = &actor.user;
        let approver = matches!(user.role, Role::Admin | Role::Finance);
        let (backup_codes, password, sessions, devices, flagged, alerts, approvals, addresses, team) = tokio::try_join!(
            when(user.two_factor_enabled, self.backup_codes_check(user.id)),
            self.password_check(&actor),
            self.stale_sessions_check(&actor),
            self.stale_devices_check(&actor),
            self.flagged_sign_ins_check(&actor),
            self.alert_settings_check(user),
            when(approver, self.pending_approvals_check(&actor)),
            when(approver, self.stale_addresses_check(&actor)),
            when(user.role == Role::Admin && !enrolling, self.team_checks(&actor)),
        )?;
        let mut personal = vec![self.two_factor_check(user, actor.policy.require_two_factor)];
        personal.extend(backup_codes);
        personal.extend([password, sessions, devices, flagged, alerts]);
        personal.extend(approvals.into_iter().chain(addresses));
        Ok(Checkup { personal, team: team.unwrap_or_default() })
    }

    fn two_factor_check(&self, user: &User, required: bool) -> Check {
        let status = match (user.two_factor_enabled, required) {
            (true, _) => CheckStatus::Ok,
            (false, true) => CheckStatus::NeedsAttention,
            (false, false) => CheckStatus::AtRisk,
        };
        Check::new(CheckId::TwoFactor, status, 0, Vec::new())
    }

    async fn backup_codes_check(&self, user: UserId) -> Result<Check> {
        let left: i64 = db::query_scalar("SELECT count(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .fetch_one(&self.db)
            .await?;
        let left = u32::try_from(left).unwrap_or(u32::MAX);
        let status = match left {
            0 => CheckStatus::AtRisk,
            n if n <= BACKUP_CODES_LOW => CheckStatus::NeedsAttention,
            _ => CheckStatus::Ok,
        };
        Ok(Check::new(CheckId::BackupCodes, status, left, Vec::new()))
    }

    /// The score recorded when the password was set (unknown for older passwords) and its age.
    async fn password_check(&self, actor: &Actor) -> Result<Check> {
        let score: Option<i64> = db::query_scalar("SELECT password_score FROM users WHERE id = $1")
            .bind(actor.user.id)
            .fetch_one(&self.db)
            .await?;
        let weak = score.is_some_and(|score| score < i64::from(PASSWORD_GOOD_SCORE));
        let changed = actor.user.password_changed_at;
        let old = actor.now.since(changed) > days(PASSWORD_OLD_DAYS);
        let status = if weak || old { CheckStatus::NeedsAttention } else { CheckStatus::Ok };
        let detail = match (weak, old) {
            (true, _) => "easy to guess",
            (false, true) => "not changed for over a year",
            (false, false) => "",
        };
        let item = CheckItem { id: 0, label: "password".to_owned(), detail: detail.to_owned(), at: Some(changed) };
        let score = score.and_then(|score| u32::try_from(score).ok()).unwrap_or(0);
        Ok(Check::new(CheckId::Password, status, score, vec![item]))
    }

    async fn stale_sessions_check(&self, actor: &Actor) -> Result<Check> {
        let query = db::query(
            "SELECT s.id, d.name AS label, s.client_name || ' · ' || s.location AS detail, s.last_active_at AS at
             FROM sessions s JOIN devices d ON d.id = s.device_id
             WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.last_active_at < $2
             ORDER BY s.last_active_at, s.id LIMIT $3",
        )
        .bind(actor.user.id)
        .bind(actor.now.minus(days(STALE_SESSION_DAYS)))
        .bind(COUNT_CAP);
        self.listing(CheckId::StaleSessions, query, item_from_row).await
    }

    async fn stale_devices_check(&self, actor: &Actor) -> Result<Check> {
        let query = db::query(
            "SELECT id, name AS label, trim(os || ' ' || os_version) AS detail, last_used_at AS at FROM devices
             WHERE user_id = $1 AND removed_at IS NULL AND last_used_at < $2 AND id <> $3
             ORDER BY last_used_at, id LIMIT $4",
        )
        .bind(actor.user.id)
        .bind(actor.now.minus(days(STALE_DEVICE_DAYS)))
        .bind(actor.device_id)
        .bind(COUNT_CAP);
        self.listing(CheckId::StaleDevices, query, item_from_row).await
    }

    /// Flagged sign-ins of the last 30 days their owner hasn't reviewed or disowned.
    async fn flagged_sign_ins_check(&self, actor: &Actor) -> Result<Check> {
        let query = db::query(
            "SELECT id, at, risk_flags, location, ip, device_name, outcome FROM signin_attempts
             WHERE user_id = $1 AND risk_flags <> 0 AND at >= $2 AND reviewed_at IS NULL AND disowned_at IS NULL
             ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(actor.user.id)
        .bind(actor.now.minus(days(FLAGGED_REVIEW_DAYS)))
        .bind(COUNT_CAP);
        self.listing(CheckId::FlaggedSignIns, query, flagged_item).await
    }

    /// The things a check lists, read by `query` (capped at [`COUNT_CAP`] rows) and turned into
    /// items by `item`: needs attention when there is any.
    async fn listing(&self, id: CheckId, query: db::Query, item: fn(&Row) -> Result<CheckItem>) -> Result<Check> {
        let items = query.fetch_all(&self.db).await?.iter().map(item).collect::<Result<Vec<_>>>()?;
        Ok(Check::found(id, count(&items), shown(items)))
    }

    /// Kinds about the account's own security (those that may never be off) set to in-app only.
    async fn alert_settings_check(&self, user: &User) -> Result<Check> {
        let quiet: Vec<CheckItem> = self
            .alert_settings_of(user)
            .await?
            .into_iter()
            .filter(|setting| !setting.kind.may_be_off() && setting.delivery == Delivery::InApp)
            .map(|setting| CheckItem {
                id: 0,
                label: setting.kind.label().to_owned(),
                detail: setting.kind.as_str().to_owned(),
                at: None,
            })
            .collect();
        Ok(Check::found(CheckId::AlertSettings, count(&quiet), quiet))
    }

    /// Requests by others waiting for a decision.
    async fn pending_approvals_check(&self, actor: &Actor) -> Result<Check> {
        let query = db::query(
            "SELECT w.id, w.amount || ' ' || w.asset || ' to ' || w.label AS label, u.email AS detail, w.created_at AS at
             FROM withdrawals w JOIN users u ON u.id = w.requester_id
             WHERE w.status = 'pending' AND w.requester_id <> $1 ORDER BY w.created_at, w.id LIMIT $2",
        )
        .bind(actor.user.id)
        .bind(COUNT_CAP);
        self.listing(CheckId::PendingApprovals, query, item_from_row).await
    }

    /// Shared addresses nobody has used (or, never used, that were saved) 180 days ago.
    async fn stale_addresses_check(&self, actor: &Actor) -> Result<Check> {
        let query = db::query(
            "SELECT id, label, network AS detail, coalesce(last_used_at, created_at) AS at FROM addresses
             WHERE owner_id IS NULL AND deleted_at IS NULL AND coalesce(last_used_at, created_at) < $1
             ORDER BY coalesce(last_used_at, created_at), id LIMIT $2",
        )
        .bind(actor.now.minus(days(STALE_ADDRESS_DAYS)))
        .bind(COUNT_CAP);
        self.listing(CheckId::StaleAddresses, query, item_from_row).await
    }

    async fn team_checks(&self, actor: &Actor) -> Result<Vec<Check>> {
        let without_two_factor = db::query(
            "SELECT u.id, u.email AS label, u.name AS detail, u.created_at AS at FROM users u
             WHERE u.disabled_at IS NULL AND NOT EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id)
             ORDER BY u.email LIMIT $1",
        )
        .bind(COUNT_CAP);
        let locked = db::query(
            "SELECT u.id, u.email AS label, u.name AS detail, coalesce(t.hard_locked_at, t.locked_at) AS at FROM users u
             JOIN signin_throttle t ON t.scope = 'account' AND t.key = u.email
             WHERE u.disabled_at IS NULL AND (t.hard_locked_at IS NOT NULL OR t.blocked_until > $2)
             ORDER BY u.email LIMIT $1",
        )
        .bind(COUNT_CAP)
        .bind(actor.now);
        let disabled = db::query(
            "SELECT u.id, u.email AS label, u.name AS detail, u.disabled_at AS at FROM users u
             WHERE u.disabled_at IS NOT NULL
               AND EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.ended_at IS NULL)
             ORDER BY u.email LIMIT $1",
        )
        .bind(COUNT_CAP);
        let weakening = db::query(
            "SELECT id, setting AS label, from_value || ' → ' || to_value AS detail, effective_at AS at
             FROM policy_changes WHERE status = 'pending' ORDER BY effective_at, id LIMIT $1",
        )
        .bind(COUNT_CAP);
        let (mut without_two_factor, locked, disabled, weakening, audit) = tokio::try_join!(
            self.listing(CheckId::TeamTwoFactor, without_two_factor, item_from_row),
            self.listing(CheckId::TeamLockedAccounts, locked, item_from_row),
            self.listing(CheckId::TeamDisabledWithSessions, disabled, item_from_row),
            self.listing(CheckId::TeamPendingWeakening, weakening, item_from_row),
            self.audit_log_check(),
        )?;
        // Policy already makes them enrol at their next sign-in: nothing left to do.
        if actor.policy.require_two_factor {
            without_two_factor.status = CheckStatus::Ok;
        }
        let geoip = if self.geo.is_some() { CheckStatus::Ok } else { CheckStatus::NeedsAttention };
        let geoip = Check::new(CheckId::TeamGeoIp, geoip, 0, Vec::new());
        Ok(vec![without_two_factor, locked, disabled, weakening, geoip, audit])
    }

    /// Information: entries (ids only grow: the newest id is the count) and the newest one.
    async fn audit_log_check(&self) -> Result<Check> {
        let newest = db::query("SELECT id, at, action FROM audit_log ORDER BY at DESC, id DESC LIMIT 1")
            .fetch_optional(&self.db)
            .await?;
        let entries: Option<i64> = db::query_scalar("SELECT max(id) FROM audit_log").fetch_one(&self.db).await?;
        let items = match newest {
            Some(row) => vec![CheckItem {
                id: row.try_get("id")?,
                label: row.try_get("action")?,
                detail: String::new(),
                at: Some(row.try_get("at")?),
            }],
            None => Vec::new(),
        };
        let entries = u32::try_from(entries.unwrap_or(0)).unwrap_or(u32::MAX);
        Ok(Check::new(CheckId::TeamAuditLog, CheckStatus::Ok, entries, items))
    }

    /// "It was me" (`was_me`) about one of the caller's flagged sign-ins: marked reviewed.
    /// "This wasn't me": also marked disowned, and the session it opened — if still open and
    /// newer than the caller's — ends at once.
    pub async fn review_sign_in(&self, caller: Caller<'_>, attempt: ActivityId, was_me: bool) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        let row = db::query(
            "SELECT a.session_id, s.created_at AS session_started FROM signin_attempts a
             LEFT JOIN sessions s ON s.id = a.session_id AND s.ended_at IS NULL
             WHERE a.id = $1 AND a.user_id = $2",
        )
        .bind(attempt)
        .bind(actor.user.id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::NotFound { what: "Sign-in" })?;
        let session: Option<SessionId> = row.try_get("session_id")?;
        let started: Option<Timestamp> = row.try_get("session_started")?;
        let open_session = session.zip(started);
        // As with "This wasn't me" on an alert: only a newer session than the caller's, so a
        // thief's session can't throw out the owner's.
        let newer = |(session, started): (SessionId, Timestamp)| {
            session != actor.session_id && (started, session.0) > (actor.signed_in_at, actor.session_id.0)
        };
        if !was_me && open_session.is_some_and(|open| !newer(open)) {
            return Err(Error::invalid(
                "Sign-in",
                "its session is this one or older than it: end it from Security → Sessions.",
            ));
        }
        let mut tx = self.write_tx().await?;
        let (action, detail) = if was_me {
            ("sign_in.reviewed", format!("said \"it was me\" about sign-in {}", attempt.0))
        } else {
            let ended = match open_session {
                Some((session, _)) => {
                    sessions::end_matching(&mut tx, Sessions::One(session), Ending::by(&actor, EndReason::Disowned))
                        .await?
                }
                None => 0,
            };
            (
                "session.disowned",
                format!("said \"this wasn't me\" about sign-in {}; {ended} session(s) ended", attempt.0),
            )
        };
        db::query(
            "UPDATE signin_attempts SET reviewed_at = $1, disowned_at = CASE WHEN $2 THEN disowned_at ELSE $1 END
             WHERE id = $3",
        )
        .bind(actor.now)
        .bind(was_me)
        .bind(attempt)
        .execute(&mut tx)
        .await?;
        audit::record(&mut tx, &actor, action, Some(actor.user.id), &detail).await?;
        tx.commit().await
    }

    /// Ends the caller's own sessions left open without activity for
    /// [`STALE_SESSION_DAYS`]; returns how many.
    pub async fn end_stale_sessions(&self, caller: Caller<'_>) -> Result<u64> {
        let actor = self.authenticate(caller).await?;
        let stale = self.stale_sessions_check(&actor).await?;
        let mut tx = self.write_tx().await?;
        let mut ended = 0;
        for item in &stale.items {
            let ending = Ending::by(&actor, EndReason::EndedByUser);
            ended += sessions::end_matching(&mut tx, Sessions::One(SessionId(item.id)), ending).await?;
        }
        let detail = format!("{ended} session(s) idle for {STALE_SESSION_DAYS} days or more ended");
        audit::record(&mut tx, &actor, "session.ended_stale", Some(actor.user.id), &detail).await?;
        tx.commit().await?;
        Ok(ended)
    }
}

/// Runs `check` only when `wanted`.
async fn when<T>(wanted: bool, check: impl std::future::Future<Output = Result<T>>) -> Result<Option<T>> {
    if wanted { check.await.map(Some) } else { Ok(None) }
}

fn count(items: &[CheckItem]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

fn shown(mut items: Vec<CheckItem>) -> Vec<CheckItem> {
    items.truncate(ITEMS_SHOWN);
    items
}

fn flagged_item(row: &Row) -> Result<CheckItem> {
    let flags = RiskFlags::from_bits(row.try_get("risk_flags")?);
    let labels: Vec<&str> = flags.iter().map(crate::risk::RiskFlag::label).collect();
    let ip: Option<String> = row.try_get("ip")?;
    let outcome: String = row.try_get("outcome")?;
    Ok(CheckItem {
        id: row.try_get("id")?,
        label: labels.join(", "),
        detail: format!(
            "{} · {}{} · {}",
            row.try_get::<String>("device_name")?,
            row.try_get::<String>("location")?,
            ip.map(|ip| format!(" · {ip}")).unwrap_or_default(),
            if outcome == "success" { "signed in" } else { "failed" },
        ),
        at: Some(row.try_get("at")?),
    })
}

/// An item from columns `id`, `label`, `detail` and `at`.
fn item_from_row(row: &Row) -> Result<CheckItem> {
    Ok(CheckItem {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        detail: row.try_get("detail")?,
        at: row.try_get("at")?,
    })
}
