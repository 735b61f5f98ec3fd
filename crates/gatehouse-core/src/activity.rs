//! Sign-in activity: every attempt, successful or not, with where it came from and its
//! risk flags (assessed when it was recorded, see `risk`). Listing with filters (newest
//! first, paged) and CSV export.

use std::io::Write;
use std::net::IpAddr;

use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Row, Tx};
use crate::devices::DeviceKind;
use crate::error::{Error, Result};
use crate::export::CsvExport;
use crate::gatehouse::Gatehouse;
use crate::geo::Location;
use crate::ids::{ActivityId, DeviceId, SessionId, UserId};
use crate::risk::RiskFlags;
use crate::sessions::Actor;
use crate::two_factor::SecondFactorKind;

/// Success, failure, or waiting for the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in.
    Success,
    /// Refused.
    Failure,
    /// The password was right; the two-factor code has not been given (yet).
    Pending,
}

impl Outcome {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Pending => "pending",
        }
    }
}

/// Why an attempt ended as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptReason {
    /// Password accepted, session opened.
    SignedIn,
    /// The account exists; the password was wrong.
    WrongPassword,
    /// No account has this email.
    UnknownAccount,
    /// Right password, but the account is disabled.
    AccountDisabled,
    /// Refused unchecked: too many recent failures (slow-down).
    Throttled,
    /// Refused unchecked: locked out after too many failures.
    LockedOut,
    /// Wrong password while unlocking the app or confirming a change.
    ConfirmationFailed,
    /// Password right; waiting for the two-factor code.
    SecondFactorRequired,
    /// A wrong, expired or reused authenticator code.
    WrongCode,
    /// A wrong or already used backup code.
    WrongBackupCode,
    /// The code came after the sign-in expired (or after too many wrong codes).
    ChallengeExpired,
}

impl AttemptReason {
    const ALL: [AttemptReason; 11] = [
        AttemptReason::SignedIn,
        AttemptReason::WrongPassword,
        AttemptReason::UnknownAccount,
        AttemptReason::AccountDisabled,
        AttemptReason::Throttled,
        AttemptReason::LockedOut,
        AttemptReason::ConfirmationFailed,
        AttemptReason::SecondFactorRequired,
        AttemptReason::WrongCode,
        AttemptReason::WrongBackupCode,
        AttemptReason::ChallengeExpired,
    ];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptReason::SignedIn => "signed_in",
            AttemptReason::WrongPassword => "wrong_password",
            AttemptReason::UnknownAccount => "unknown_account",
            AttemptReason::AccountDisabled => "account_disabled",
            AttemptReason::Throttled => "throttled",
            AttemptReason::LockedOut => "locked_out",
            AttemptReason::ConfirmationFailed => "confirmation_failed",
            AttemptReason::SecondFactorRequired => "second_factor_required",
            AttemptReason::WrongCode => "wrong_code",
            AttemptReason::WrongBackupCode => "wrong_backup_code",
            AttemptReason::ChallengeExpired => "challenge_expired",
        }
    }

    /// What a person reads.
    pub fn describe(self) -> &'static str {
        match self {
            AttemptReason::SignedIn => "Signed in",
            AttemptReason::WrongPassword => "Wrong password",
            AttemptReason::UnknownAccount => "No account with this email",
            AttemptReason::AccountDisabled => "Account disabled",
            AttemptReason::Throttled => "Too many attempts: slowed down",
            AttemptReason::LockedOut => "Too many attempts: locked out",
            AttemptReason::ConfirmationFailed => "Wrong password when unlocking or confirming",
            AttemptReason::SecondFactorRequired => "Password correct; two-factor code not entered",
            AttemptReason::WrongCode => "Wrong two-factor code",
            AttemptReason::WrongBackupCode => "Wrong backup code",
            AttemptReason::ChallengeExpired => "Two-factor step expired",
        }
    }

    /// The outcome this reason stands for.
    pub fn outcome(self) -> Outcome {
        match self {
            AttemptReason::SignedIn => Outcome::Success,
            AttemptReason::SecondFactorRequired => Outcome::Pending,
            _ => Outcome::Failure,
        }
    }

    fn parse(value: &str) -> Self {
        Self::ALL.into_iter().find(|reason| reason.as_str() == value).unwrap_or(AttemptReason::WrongPassword)
    }
}

/// One sign-in attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Id.
    pub id: ActivityId,
    /// When.
    pub at: Timestamp,
    /// The email tried (normalised).
    pub email: String,
    /// The account, when the email belongs to one.
    pub user_id: Option<UserId>,
    /// Success or failure.
    pub outcome: Outcome,
    /// Why.
    pub reason: AttemptReason,
    /// Address.
    pub ip: Option<String>,
    /// Location label.
    pub location: String,
    /// The device, when known.
    pub device_id: Option<DeviceId>,
    /// Device name at the time.
    pub device_name: String,
    /// Device form factor at the time.
    pub device_kind: DeviceKind,
    /// Operating system and version.
    pub os: String,
    /// Client app and version.
    pub client: String,
    /// The session opened, for successes.
    pub session_id: Option<SessionId>,
    /// The second factor used, for sign-ins with two-factor authentication.
    pub second_factor: Option<SecondFactorKind>,
    /// Why the attempt looks risky, if it does.
    pub risk_flags: RiskFlags,
    /// When the account's owner said "This wasn't me" about it.
    pub disowned_at: Option<Timestamp>,
}

/// Whose activity to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActivityScope {
    /// The caller's own.
    #[default]
    Own,
    /// One user's (admins, or the user themselves).
    User(UserId),
    /// Everyone's, including attempts on unknown emails (admins only).
    Everyone,
}

/// Which attempts to list.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Whose.
    pub scope: ActivityScope,
    /// Only failures.
    pub failures_only: bool,
    /// Only attempts with risk flags.
    pub flagged_only: bool,
    /// At or after this time.
    pub since: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
    /// Page cursor: only attempts older than this one (from the previous page's last row).
    pub before: Option<(Timestamp, ActivityId)>,
    /// Page size (default 50, at most 1,000).
    pub limit: Option<u32>,
}

/// Default page size.
const DEFAULT_PAGE: u32 = 50;
/// Largest page.
const MAX_PAGE: u32 = 1_000;
/// Rows fetched per round trip while exporting.
const EXPORT_BATCH: u32 = 1_000;

/// The device and client an attempt is recorded with.
#[derive(Debug, Clone)]
pub(crate) struct AttemptSource {
    pub ip: Option<IpAddr>,
    pub location: Location,
    pub device_id: Option<DeviceId>,
    pub device_name: String,
    pub device_kind: DeviceKind,
    pub os: String,
    pub client: String,
}

/// One attempt to record.
pub(crate) struct NewAttempt<'a> {
    pub at: Timestamp,
    pub email: &'a str,
    pub user: Option<UserId>,
    pub reason: AttemptReason,
    pub second_factor: Option<SecondFactorKind>,
    pub session: Option<SessionId>,
    pub risk_flags: RiskFlags,
}

/// Records one attempt.
pub(crate) async fn record(conn: &mut Tx, attempt: &NewAttempt<'_>, source: &AttemptSource) -> Result<ActivityId> {
    let location = &source.location;
    let id = db::query_scalar(
        "INSERT INTO signin_attempts (at, email, user_id, outcome, reason, second_factor, ip, location, country_code,
                                      city, latitude, longitude, device_id, device_name, device_kind, os, client,
                                      session_id, risk_flags)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
    )
    .bind(attempt.at)
    .bind(attempt.email)
    .bind(attempt.user)
    .bind(attempt.reason.outcome().as_str())
    .bind(attempt.reason.as_str())
    .bind(attempt.second_factor.map(SecondFactorKind::as_str))
    .bind(source.ip.map(|ip| ip.to_string()))
    .bind(location.label())
    .bind(&location.country_code)
    .bind(&location.city)
    .bind(location.latitude)
    .bind(location.longitude)
    .bind(source.device_id)
    .bind(&source.device_name)
    .bind(source.device_kind.as_str())
    .bind(&source.os)
    .bind(&source.client)
    .bind(attempt.session)
    .bind(attempt.risk_flags.bits())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// What a pending attempt (password right, code due) became.
pub(crate) struct Completion {
    pub attempt: ActivityId,
    pub second_factor: SecondFactorKind,
    pub device: DeviceId,
    pub session: SessionId,
    /// Assessed on completion (from the request that gave the code, which the challenge
    /// ties to the same device); they replace the pending attempt's.
    pub risk_flags: RiskFlags,
}

/// Turns a pending attempt (password right, code due) into the sign-in it became.
pub(crate) async fn complete(conn: &mut Tx, completion: &Completion) -> Result<()> {
    db::query(
        "UPDATE signin_attempts SET outcome = 'success', reason = $1, second_factor = $2, device_id = $3, session_id = $4,
                risk_flags = $5
         WHERE id = $6 AND outcome = 'pending'",
    )
    .bind(AttemptReason::SignedIn.as_str())
    .bind(completion.second_factor.as_str())
    .bind(completion.device)
    .bind(completion.session)
    .bind(completion.risk_flags.bits())
    .bind(completion.attempt)
    .execute(conn)
    .await?;
    Ok(())
}

impl Gatehouse {
    /// One page of attempts, newest first.
    pub async fn list_activity(&self, caller: Caller<'_>, filter: &ActivityFilter) -> Result<Vec<Attempt>> {
        let actor = self.authenticate(caller).await?;
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        self.query_activity(&actor, filter, filter.before, limit).await
    }

    /// Writes every attempt matching `filter` as CSV (UTC times, RFC 3339) to what `open`
    /// opens, once the request was accepted (see `export`); returns the count.
    pub async fn export_activity_csv<W: Write>(
        &self,
        caller: Caller<'_>,
        filter: &ActivityFilter,
        open: impl FnOnce() -> std::io::Result<W>,
    ) -> Result<u64> {
        let actor = self.authenticate(caller).await?;
        let mut page = self.query_activity(&actor, filter, filter.before, EXPORT_BATCH).await?;
        let mut csv = CsvExport::start(open, &CSV_HEADER)?;
        loop {
            for attempt in &page {
                csv.row(csv_row(attempt).iter().map(String::as_str))?;
            }
            match page.last() {
                Some(last) if page.len() == EXPORT_BATCH as usize => {
                    page = self.query_activity(&actor, filter, Some((last.at, last.id)), EXPORT_BATCH).await?;
                }
                _ => break,
            }
        }
        csv.finish()
    }

    async fn query_activity(
        &self,
        actor: &Actor,
        filter: &ActivityFilter,
        before: Option<(Timestamp, ActivityId)>,
        limit: u32,
    ) -> Result<Vec<Attempt>> {
        if let (Some(since), Some(until)) = (filter.since, filter.until)
            && since >= until
        {
            return Err(Error::invalid("Date range", "the start must be before the end."));
        }
        let mut sql = db::Builder::new(
            "SELECT id, at, email, user_id, outcome, reason, second_factor, ip, location, device_id, device_name,
                    device_kind, os, client, session_id, risk_flags, disowned_at FROM signin_attempts WHERE 1 = 1",
        );
        match filter.scope {
            ActivityScope::Own => {
                sql.push(" AND user_id = ").push_bind(actor.user.id);
            }
            ActivityScope::User(user) => {
                sql.push(" AND user_id = ").push_bind(actor.may_see(Some(user))?);
            }
            ActivityScope::Everyone => actor.require_admin()?,
        }
        if filter.failures_only {
            sql.push(" AND outcome = 'failure'");
        }
        if filter.flagged_only {
            // Spelled as in the partial indexes signin_attempts_flagged(_by_user), so they apply.
            sql.push(" AND risk_flags <> 0");
        }
        if let Some(since) = filter.since {
            sql.push(" AND at >= ").push_bind(since);
        }
        if let Some(until) = filter.until {
            sql.push(" AND at < ").push_bind(until);
        }
        if let Some((at, id)) = before {
            sql.push(" AND (at, id) < (").push_bind(at).push(", ").push_bind(id).push(")");
        }
        sql.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit);
        let rows = sql.build().fetch_all(&self.db).await?;
        rows.iter().map(attempt_from_row).collect()
    }
}

const CSV_HEADER: [&str; 12] = [
    "time_utc",
    "email",
    "outcome",
    "reason",
    "second_factor",
    "ip_address",
    "location",
    "device",
    "device_type",
    "os",
    "client",
    "risk_flags",
];

/// Flag codes (e.g. `new_device;new_place`) in the last column.
fn csv_row(attempt: &Attempt) -> [String; 12] {
    [
        attempt.at.to_rfc3339(),
        attempt.email.clone(),
        attempt.outcome.as_str().to_owned(),
        attempt.reason.describe().to_owned(),
        attempt.second_factor.map(SecondFactorKind::as_str).unwrap_or_default().to_owned(),
        attempt.ip.clone().unwrap_or_default(),
        attempt.location.clone(),
        attempt.device_name.clone(),
        attempt.device_kind.as_str().to_owned(),
        attempt.os.clone(),
        attempt.client.clone(),
        attempt.risk_flags.codes(";"),
    ]
}

fn attempt_from_row(row: &Row) -> Result<Attempt> {
    let reason = AttemptReason::parse(&row.try_get::<String>("reason")?);
    Ok(Attempt {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        email: row.try_get("email")?,
        user_id: row.try_get("user_id")?,
        outcome: reason.outcome(),
        reason,
        ip: row.try_get("ip")?,
        location: row.try_get("location")?,
        device_id: row.try_get("device_id")?,
        device_name: row.try_get("device_name")?,
        device_kind: DeviceKind::parse(&row.try_get::<String>("device_kind")?),
        os: row.try_get("os")?,
        client: row.try_get("client")?,
        session_id: row.try_get("session_id")?,
        second_factor: row.try_get::<Option<String>>("second_factor")?.as_deref().and_then(SecondFactorKind::parse),
        risk_flags: RiskFlags::from_bits(row.try_get("risk_flags")?),
        disowned_at: row.try_get("disowned_at")?,
    })
}
