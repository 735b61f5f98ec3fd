//! Sessions: random 256-bit tokens of which only a SHA-256 hash is stored, validated on
//! every call against idle and absolute lifetimes; listing and ending them; the desktop
//! app's idle lock.

use std::net::IpAddr;
use std::time::Duration;

use crate::accounts::{User, user_columns, user_from_row};
use crate::audit;
use crate::clock::Timestamp;
use crate::confirmation::{InSession, Proof};
use crate::context::{Caller, ClientKind, Origin};
use crate::db::{self, Row, Tx};
use crate::devices::{DeviceKind, os_label};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::{DeviceId, SessionId, UserId};
use crate::policy::{self, Policy, policy_columns};
use crate::two_factor::SecondFactorKind;

/// `last_active_at` is written at most this often, to keep validation read-only most of the time.
const TOUCH_INTERVAL: Duration = Duration::from_secs(30);

crate::tokens::token_type!(
    /// A session token. Never logged: `Debug` hides it, and it is wiped from memory on drop.
    SessionToken,
    "ghs_",
    "Session token",
    "session token"
);

/// A successful sign-in: the new session's token, its id, and the user.
#[derive(Debug)]
pub struct SignedIn {
    /// The token the client keeps (in the OS keychain).
    pub token: SessionToken,
    /// The new session.
    pub session_id: SessionId,
    /// The signed-in user.
    pub user: User,
}

/// A validated caller: the user, their session and device, and the time of the call.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The signed-in user.
    pub user: User,
    /// The session used.
    pub session_id: SessionId,
    /// The device the session belongs to.
    pub device_id: DeviceId,
    /// The time of the call.
    pub now: Timestamp,
    /// The caller's address.
    pub ip: Option<IpAddr>,
    /// The policy in force for this call.
    pub policy: Policy,
    /// When this session last confirmed it's really the user (step-up).
    pub stepped_up_at: Option<Timestamp>,
    /// When this session signed in.
    pub signed_in_at: Timestamp,
}

/// What a user must do before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obligation {
    /// An administrator set the password (new user, reset): choose your own first.
    ChangePassword,
    /// Policy requires two-factor authentication and it is not set up yet.
    EnrollTwoFactor,
}

impl Obligation {
    /// Stable name for clients: `change_password` or `enroll_two_factor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Obligation::ChangePassword => "change_password",
            Obligation::EnrollTwoFactor => "enroll_two_factor",
        }
    }

    /// The error that refuses everything else while this is pending.
    fn refusal(self) -> Error {
        match self {
            Obligation::ChangePassword => Error::PasswordChangeRequired,
            Obligation::EnrollTwoFactor => Error::EnrollmentRequired,
        }
    }
}

impl Actor {
    /// What this user must do before anything else, if anything: a temporary password
    /// comes first (an admin knows it), then two-factor enrolment.
    pub fn obligation(&self) -> Option<Obligation> {
        if self.user.must_change_password {
            Some(Obligation::ChangePassword)
        } else if self.policy.require_two_factor && !self.user.two_factor_enabled {
            Some(Obligation::EnrollTwoFactor)
        } else {
            None
        }
    }

    /// Refuses a sensitive change unless the session stepped up within the policy's window.
    pub(crate) fn require_step_up(&self) -> Result<()> {
        if self.stepped_up_recently() {
            Ok(())
        } else {
            Err(Error::StepUpRequired { with_code: self.user.two_factor_enabled })
        }
    }

    /// The session confirmed it's the user within the policy's step-up window.
    fn stepped_up_recently(&self) -> bool {
        self.stepped_up_at.is_some_and(|at| self.within_step_up_window(at))
    }

    /// `at` is no older than the policy's step-up window.
    fn within_step_up_window(&self, at: Timestamp) -> bool {
        at <= self.now && self.now.since(at) < self.policy.step_up()
    }

    /// Enrolling an authenticator needs a step-up (the password, as 2FA is off), so that a
    /// stolen session can't enrol the thief's phone. The one exception: the enrolment that
    /// policy forces, within the step-up window after signing in with the password.
    pub(crate) fn require_step_up_to_enroll(&self) -> Result<()> {
        let forced = self.obligation() == Some(Obligation::EnrollTwoFactor);
        if forced && self.within_step_up_window(self.signed_in_at) { Ok(()) } else { self.require_step_up() }
    }

    /// Refuses non-admins.
    pub(crate) fn require_admin(&self) -> Result<()> {
        if self.user.is_admin() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Resolves "which user's data": the caller's own by default; another user's only
    /// for admins.
    pub(crate) fn may_see(&self, user: Option<UserId>) -> Result<UserId> {
        match user {
            None => Ok(self.user.id),
            Some(id) if id == self.user.id => Ok(id),
            Some(id) => self.require_admin().map(|()| id),
        }
    }
}

/// What an app learns about its stored token at start-up.
#[derive(Debug)]
pub enum SessionState {
    /// Usable.
    Active(Actor),
    /// Valid but locked: the password unlocks it.
    Locked(User),
}

/// A session as listed.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Id.
    pub id: SessionId,
    /// Owner.
    pub user_id: UserId,
    /// Device.
    pub device_id: DeviceId,
    /// Device name.
    pub device_name: String,
    /// Device form factor.
    pub device_kind: DeviceKind,
    /// Operating system and version.
    pub os: String,
    /// Client app name.
    pub client_name: String,
    /// Client app version.
    pub client_version: String,
    /// Address at sign-in.
    pub ip: Option<String>,
    /// Location label at sign-in.
    pub location: String,
    /// The second factor passed at sign-in, if any.
    pub second_factor: Option<SecondFactorKind>,
    /// Sign-in time.
    pub created_at: Timestamp,
    /// Last activity.
    pub last_active_at: Timestamp,
    /// When it ends at the latest.
    pub expires_at: Timestamp,
    /// True for the caller's own session.
    pub is_current: bool,
}

/// Why a session ended; stored for the record and told to the app that held it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndReason {
    SignedOut,
    EndedByUser,
    EndedByAdmin,
    Expired,
    DeviceRemoved,
    UserDisabled,
    PasswordChanged,
    PasswordReset,
    TwoFactorReset,
    /// The account's owner said "This wasn't me" about its sign-in.
    Disowned,
    /// Too many wrong answers to step-up or unlock.
    WrongAnswers,
}

impl EndReason {
    const ALL: [EndReason; 11] = [
        EndReason::SignedOut,
        EndReason::EndedByUser,
        EndReason::EndedByAdmin,
        EndReason::Expired,
        EndReason::DeviceRemoved,
        EndReason::UserDisabled,
        EndReason::PasswordChanged,
        EndReason::PasswordReset,
        EndReason::TwoFactorReset,
        EndReason::Disowned,
        EndReason::WrongAnswers,
    ];

    pub(crate) fn parse(name: &str) -> Option<EndReason> {
        EndReason::ALL.into_iter().find(|reason| reason.as_str() == name)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EndReason::SignedOut => "signed_out",
            EndReason::EndedByUser => "ended_by_user",
            EndReason::EndedByAdmin => "ended_by_admin",
            EndReason::Expired => "expired",
            EndReason::DeviceRemoved => "device_removed",
            EndReason::UserDisabled => "user_disabled",
            EndReason::PasswordChanged => "password_changed",
            EndReason::PasswordReset => "password_reset",
            EndReason::TwoFactorReset => "two_factor_reset",
            EndReason::Disowned => "disowned",
            EndReason::WrongAnswers => "wrong_answers",
        }
    }
}

/// Which open sessions to end.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sessions {
    One(SessionId),
    OfUser(UserId),
    OfUserExcept(UserId, SessionId),
    OnDevice(DeviceId),
}

/// Why and by whom sessions end: the person who ended them (an admin, or the owner from
/// another session), none when the system did (expiry, too many wrong answers, signing out).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ending {
    pub reason: EndReason,
    pub by: Option<UserId>,
    pub at: Timestamp,
}

impl Ending {
    /// Ended by `actor`, now.
    pub(crate) fn by(actor: &Actor, reason: EndReason) -> Self {
        Ending { reason, by: Some(actor.user.id), at: actor.now }
    }

    /// Ended by the system (or the session's own sign-out) at `at`.
    pub(crate) fn by_system(reason: EndReason, at: Timestamp) -> Self {
        Ending { reason, by: None, at }
    }
}

/// Ends the open sessions selected by `which`; returns how many ended.
pub(crate) async fn end_matching(conn: &mut Tx, which: Sessions, ending: Ending) -> Result<u64> {
    macro_rules! end_where {
        ($condition:literal) => {
            concat!(
                "UPDATE sessions SET ended_at = $1, end_reason = $2, ended_by = $3 WHERE ended_at IS NULL AND ",
                $condition
            )
        };
    }
    let (sql, first, second) = match which {
        Sessions::One(id) => (end_where!("id = $4"), id.0, None),
        Sessions::OfUser(user) => (end_where!("user_id = $4"), user.0, None),
        Sessions::OfUserExcept(user, keep) => (end_where!("user_id = $4 AND id <> $5"), user.0, Some(keep.0)),
        Sessions::OnDevice(device) => (end_where!("device_id = $4"), device.0, None),
    };
    let mut query = db::query(sql).bind(ending.at).bind(ending.reason.as_str()).bind(ending.by).bind(first);
    if let Some(second) = second {
        query = query.bind(second);
    }
    query.execute(conn).await
}

/// What a new session is made of.
pub(crate) struct NewSession<'a> {
    pub user: UserId,
    pub device: DeviceId,
    pub origin: &'a Origin,
    pub location: &'a str,
    /// The second factor passed at sign-in, if any.
    pub second_factor: Option<SecondFactorKind>,
}

/// Opens a session for a successful sign-in.
pub(crate) async fn create(
    conn: &mut Tx,
    new: &NewSession<'_>,
    policy: &Policy,
    now: Timestamp,
) -> Result<(SessionToken, SessionId)> {
    let token = SessionToken::generate();
    let origin = new.origin;
    let id = db::query_scalar(
        "INSERT INTO sessions (user_id, device_id, token_hash, client_kind, client_name, client_version,
                               ip, location, second_factor, created_at, last_active_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(new.user)
    .bind(new.device)
    .bind(token.hash())
    .bind(origin.client.kind.as_str())
    .bind(&origin.client.name)
    .bind(&origin.client.version)
    .bind(origin.ip.map(|ip| ip.to_string()))
    .bind(new.location)
    .bind(new.second_factor.map(SecondFactorKind::as_str))
    .bind(now)
    .bind(now)
    .bind(now.plus(policy.session_absolute()))
    .fetch_one(conn)
    .await?;
    Ok((token, id))
}

/// Whether a call is someone using the app, which keeps the session active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    ByPerson,
    InBackground,
}

impl Gatehouse {
    /// Validates the caller's session (lifetimes, lock, account state) and returns who it
    /// is; refused while the user still has an [`Obligation`] to fulfil.
    pub async fn authenticate(&self, caller: Caller<'_>) -> Result<Actor> {
        let actor = self.authenticate_pending(caller).await?;
        match actor.obligation() {
            Some(obligation) => Err(obligation.refusal()),
            None => Ok(actor),
        }
    }

    /// Like [`Gatehouse::authenticate`] for the flow that fulfils `obligation` (choosing a
    /// password, enrolling): only that one may be pending.
    pub(crate) async fn authenticate_for(&self, caller: Caller<'_>, obligation: Obligation) -> Result<Actor> {
        let actor = self.authenticate_pending(caller).await?;
        match actor.obligation() {
            Some(pending) if pending != obligation => Err(pending.refusal()),
            _ => Ok(actor),
        }
    }

    /// Like [`Gatehouse::authenticate`], but lets a user with a pending obligation through:
    /// for confirming it's them, signing out and a few harmless reads.
    pub(crate) async fn authenticate_pending(&self, caller: Caller<'_>) -> Result<Actor> {
        match self.session_state(caller).await? {
            SessionState::Active(actor) => Ok(actor),
            SessionState::Locked(_) => Err(Error::Locked),
        }
    }

    /// Like [`Gatehouse::authenticate`], but a locked session is an answer, not an error:
    /// apps use it at start-up to choose between the lock screen and the main screen.
    pub async fn session_state(&self, caller: Caller<'_>) -> Result<SessionState> {
        self.check_session(caller, Use::ByPerson).await
    }

    /// Like [`Gatehouse::authenticate`] for background reads (an unread count polled every
    /// few seconds): they must not keep an unattended session alive or hold off its idle lock.
    pub(crate) async fn authenticate_in_background(&self, caller: Caller<'_>) -> Result<Actor> {
        match self.check_session(caller, Use::InBackground).await? {
            SessionState::Active(actor) => match actor.obligation() {
                Some(obligation) => Err(obligation.refusal()),
                None => Ok(actor),
            },
            SessionState::Locked(_) => Err(Error::Locked),
        }
    }

    async fn check_session(&self, caller: Caller<'_>, used: Use) -> Result<SessionState> {
        let mut row = self.session_row(caller).await?;
        if policy::change_due(&row, caller.now)? {
            self.apply_due_policy_changes(caller.now).await?;
            row = self.session_row(caller).await?;
        }
        let user = user_from_row(&row)?;
        let ended: Option<Timestamp> = row.try_get("ended_at")?;
        if ended.is_some() || user.disabled_at.is_some() {
            return Err(Error::SignedOut);
        }
        let policy = Policy::from_row(&row)?;
        let session_id: SessionId = row.try_get("session_id")?;
        let last_active: Timestamp = row.try_get("last_active_at")?;
        let expires_at: Timestamp = row.try_get("expires_at")?;
        let idle = caller.now.since(last_active);
        if caller.now >= expires_at || idle >= policy.session_idle() {
            let mut tx = self.write_tx().await?;
            end_matching(&mut tx, Sessions::One(session_id), Ending::by_system(EndReason::Expired, caller.now)).await?;
            tx.commit().await?;
            return Err(Error::SessionExpired);
        }
        let locked_at: Option<Timestamp> = row.try_get("locked_at")?;
        let client = ClientKind::parse(&row.try_get::<String>("client_kind")?);
        let idle_locked = client == ClientKind::Desktop && policy.idle_lock().is_some_and(|after| idle >= after);
        if locked_at.is_some() || idle_locked {
            if locked_at.is_none() {
                self.set_locked(session_id, Some(caller.now)).await?;
            }
            return Ok(SessionState::Locked(user));
        }
        let actor = Actor {
            user,
            session_id,
            device_id: row.try_get("device_id")?,
            now: caller.now,
            ip: caller.ip,
            policy,
            stepped_up_at: row.try_get("stepped_up_at")?,
            signed_in_at: row.try_get("signed_in_at")?,
        };
        if used == Use::ByPerson && idle >= TOUCH_INTERVAL {
            self.touch(&actor).await?;
        }
        Ok(SessionState::Active(actor))
    }

    /// The caller's session with its user and the policy, in one query.
    async fn session_row(&self, caller: Caller<'_>) -> Result<Row> {
        db::query(concat!(
            "SELECT s.id AS session_id, s.device_id, s.client_kind, s.created_at AS signed_in_at, s.last_active_at,
                    s.expires_at, s.locked_at, s.ended_at, s.stepped_up_at, ",
            policy_columns!(),
            ", ",
            user_columns!(),
            " FROM sessions s JOIN users u ON u.id = s.user_id JOIN policy p ON p.id = 1
             WHERE s.token_hash = $1"
        ))
        .bind(caller.token.hash())
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::SignedOut)
    }

    /// Open sessions of `user` (default: the caller), most recently active first.
    pub async fn list_sessions(&self, caller: Caller<'_>, user: Option<UserId>) -> Result<Vec<SessionInfo>> {
        let actor = self.authenticate(caller).await?;
        let user = actor.may_see(user)?;
        let policy = &actor.policy;
        let rows = db::query(
            "SELECT s.id, s.user_id, s.device_id, d.name AS device_name, d.kind AS device_kind,
                    d.os, d.os_version, s.client_name, s.client_version, s.ip, s.location, s.second_factor,
                    s.created_at, s.last_active_at, s.expires_at
             FROM sessions s JOIN devices d ON d.id = s.device_id
             WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 AND s.last_active_at > $3
             ORDER BY s.last_active_at DESC, s.id DESC",
        )
        .bind(user)
        .bind(actor.now)
        .bind(actor.now.minus(policy.session_idle()))
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(|row| session_from_row(row, actor.session_id)).collect()
    }

    /// Ends one session; it stops working on its next call. Admins may end anyone's.
    pub async fn end_session(&self, caller: Caller<'_>, session: SessionId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        let owner: UserId = db::query_scalar("SELECT user_id FROM sessions WHERE id = $1 AND ended_at IS NULL")
            .bind(session)
            .fetch_optional(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "Session" })?;
        actor.may_see(Some(owner))?;
        let reason = if owner == actor.user.id { EndReason::EndedByUser } else { EndReason::EndedByAdmin };
        // Ending one of your own sessions is always allowed; ending someone else's is an
        // admin change.
        if owner != actor.user.id {
            actor.require_step_up()?;
        }
        let mut tx = self.write_tx().await?;
        end_matching(&mut tx, Sessions::One(session), Ending::by(&actor, reason)).await?;
        audit::record(&mut tx, &actor, "session.ended", Some(owner), &format!("session {session} ended")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session of the caller except the current one (after a step-up); returns
    /// how many ended.
    pub async fn end_other_sessions(&self, caller: Caller<'_>) -> Result<u64> {
        let actor = self.authenticate(caller).await?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        let others = Sessions::OfUserExcept(actor.user.id, actor.session_id);
        let ended = end_matching(&mut tx, others, Ending::by(&actor, EndReason::EndedByUser)).await?;
        audit::record(
            &mut tx,
            &actor,
            "session.ended_others",
            Some(actor.user.id),
            &format!("{ended} other session(s) ended"),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Ends the caller's own session (works while locked, too).
    pub async fn sign_out(&self, caller: Caller<'_>) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let id: Option<SessionId> =
            db::query_scalar("SELECT id FROM sessions WHERE token_hash = $1 AND ended_at IS NULL")
                .bind(caller.token.hash())
                .fetch_optional(&mut tx)
                .await?;
        let id = id.ok_or(Error::SignedOut)?;
        end_matching(&mut tx, Sessions::One(id), Ending::by_system(EndReason::SignedOut, caller.now)).await?;
        tx.commit().await
    }

    /// Locks the caller's session until the password is entered again.
    pub async fn lock(&self, caller: Caller<'_>) -> Result<()> {
        let actor = self.authenticate_pending(caller).await?;
        self.set_locked(actor.session_id, Some(actor.now)).await
    }

    /// Unlocks a locked session with the user's password (five wrong ones end the session).
    pub async fn unlock(&self, caller: Caller<'_>, password: &str) -> Result<Actor> {
        let state = self.session_state(caller).await?;
        let user = match state {
            SessionState::Active(actor) => return Ok(actor),
            SessionState::Locked(user) => user,
        };
        let session_id: SessionId = db::query_scalar("SELECT id FROM sessions WHERE token_hash = $1")
            .bind(caller.token.hash())
            .fetch_one(&self.db)
            .await?;
        let asking = InSession { user: &user, session: session_id, ip: caller.ip, now: caller.now };
        self.confirm_in_session(asking, Proof::Password(password)).await?;
        db::query("UPDATE sessions SET locked_at = NULL, last_active_at = $1 WHERE id = $2")
            .bind(caller.now)
            .bind(session_id)
            .execute(&self.db)
            .await?;
        self.authenticate(caller).await
    }

    async fn set_locked(&self, session: SessionId, at: Option<Timestamp>) -> Result<()> {
        db::query("UPDATE sessions SET locked_at = $1 WHERE id = $2").bind(at).bind(session).execute(&self.db).await?;
        Ok(())
    }

    async fn touch(&self, actor: &Actor) -> Result<()> {
        let mut tx = self.write_tx().await?;
        db::query("UPDATE sessions SET last_active_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(actor.session_id)
            .execute(&mut tx)
            .await?;
        db::query("UPDATE devices SET last_used_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(actor.device_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn session_from_row(row: &Row, current: SessionId) -> Result<SessionInfo> {
    let id: SessionId = row.try_get("id")?;
    let os: String = row.try_get("os")?;
    let os_version: String = row.try_get("os_version")?;
    Ok(SessionInfo {
        id,
        user_id: row.try_get("user_id")?,
        device_id: row.try_get("device_id")?,
        device_name: row.try_get("device_name")?,
        device_kind: DeviceKind::parse(&row.try_get::<String>("device_kind")?),
        os: os_label(&os, &os_version),
        client_name: row.try_get("client_name")?,
        client_version: row.try_get("client_version")?,
        ip: row.try_get("ip")?,
        location: row.try_get("location")?,
        second_factor: row.try_get::<Option<String>>("second_factor")?.as_deref().and_then(SecondFactorKind::parse),
        created_at: row.try_get("created_at")?,
        last_active_at: row.try_get("last_active_at")?,
        expires_at: row.try_get("expires_at")?,
        is_current: id == current,
    })
}
