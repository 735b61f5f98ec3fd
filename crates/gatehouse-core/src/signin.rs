//! Signing in: email and password, then — when two-factor authentication is on — a code
//! from the authenticator app or a backup code, as one sign-in. Also re-checking the
//! password of a signed-in user (unlock, password change, step-up without 2FA).
//!
//! Every attempt is recorded with its risk flags, assessed in the transaction that
//! records it (see `risk`); failures (wrong passwords and wrong codes alike) are
//! throttled. An unknown email and a wrong password get the same error after the same work
//! (a dummy hash is verified), so sign-in never reveals whether an account exists.
//! The path is kept to a few queries: it is measured against argon2 alone (benches/core.rs).

use std::net::IpAddr;
use std::time::Duration;

use sqlx::Row;

use crate::accounts::{Email, User, user_columns, user_from_row};
use crate::activity::{self, AttemptReason, AttemptSource, Completion, NewAttempt};
use crate::alerts;
use crate::clock::Timestamp;
use crate::context::{Caller, Origin};
use crate::devices::{self, DeviceKind, os_label};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::geo::{GeoIp, Location};
use crate::ids::{ActivityId, SessionId, UserId};
use crate::passwords::check_password_input;
use crate::policy::{Policy, policy_columns};
use crate::risk::{self, RiskFlag, RiskFlags};
use crate::sessions::{self, Actor, NewSession, SignedIn};
use crate::throttle::{self, Scope};
use crate::two_factor::SecondFactorKind;

/// How long the second step of a sign-in may take.
const CHALLENGE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Wrong codes after which the password must be entered again.
const CHALLENGE_MAX_FAILURES: i64 = 5;

crate::tokens::token_type!(
    /// Proof that the password step of a sign-in passed; exchanged for a session with a code.
    ChallengeToken,
    "ghc_",
    "Sign-in challenge",
    "sign-in challenge"
);

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignInOutcome {
    /// Signed in.
    SignedIn(SignedIn),
    /// Two-factor authentication is on: finish with [`Gatehouse::complete_sign_in`].
    SecondFactorRequired(Challenge),
}

impl SignInOutcome {
    /// The session, when no second factor was needed.
    pub fn signed_in(self) -> Option<SignedIn> {
        match self {
            SignInOutcome::SignedIn(signed_in) => Some(signed_in),
            SignInOutcome::SecondFactorRequired(_) => None,
        }
    }
}

/// The second step of a sign-in.
#[derive(Debug)]
pub struct Challenge {
    /// Handed back with the code.
    pub token: ChallengeToken,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// An account and its stored password hash.
pub(crate) struct Account {
    pub user: User,
    pub hash: String,
}

/// Everything a sign-in needs to know before checking a password or code, read in one query.
pub(crate) struct Known {
    pub policy: Policy,
    pub account: Option<Account>,
    pub counters: throttle::Counters,
}

/// One attempt under way: who it claims to be and where it comes from.
pub(crate) struct Attempt<'a> {
    pub email: &'a Email,
    pub user: Option<UserId>,
    pub source: &'a AttemptSource,
    pub policy: &'a Policy,
    pub now: Timestamp,
}

/// How a sign-in ends: with or without a second factor (and then the pending attempt to
/// complete).
#[derive(Clone, Copy)]
enum Ending {
    PasswordOnly,
    SecondFactor { attempt: ActivityId, kind: SecondFactorKind },
}

impl Gatehouse {
    /// Signs in with email and password from `origin`: a session, or — with two-factor
    /// authentication on — a challenge to finish with a code.
    pub async fn sign_in(&self, email: &str, password: &str, origin: &Origin, now: Timestamp) -> Result<SignInOutcome> {
        origin.device.validate()?;
        origin.client.validate()?;
        let email = Email::parse(email)?;
        check_password_input(password)?;
        let Known { policy, account, counters } = self.known(&email, origin.ip).await?;
        if account.is_none() && !self.is_set_up().await? {
            return Err(Error::NotSetUp);
        }
        let source = self.source_of(origin);
        let attempt =
            Attempt { email: &email, user: account.as_ref().map(|a| a.user.id), source: &source, policy: &policy, now };
        if let Err(refusal) = counters.check(&policy, now) {
            self.record_failure(&attempt, throttled_reason(&refusal), false).await?;
            return Err(refusal);
        }

        let verified = self.hasher.verify(password, account.as_ref().map(|a| a.hash.as_str())).await?;
        let Some(account) = account.filter(|_| verified.matches) else {
            let reason =
                if attempt.user.is_some() { AttemptReason::WrongPassword } else { AttemptReason::UnknownAccount };
            self.record_failure(&attempt, reason, true).await?;
            return Err(Error::InvalidCredentials);
        };
        if account.user.disabled_at.is_some() {
            self.record_failure(&attempt, AttemptReason::AccountDisabled, false).await?;
            return Err(Error::AccountDisabled);
        }
        let new_hash = match verified.needs_rehash {
            true => Some(self.hasher.hash(password).await?),
            false => None,
        };
        if account.user.two_factor_enabled {
            let challenge = self.start_challenge(&attempt, account.user.id, new_hash, origin).await?;
            return Ok(SignInOutcome::SecondFactorRequired(challenge));
        }
        let signed_in =
            self.open_session(&attempt, account.user, new_hash, counters.account, origin, Ending::PasswordOnly).await?;
        Ok(SignInOutcome::SignedIn(signed_in))
    }

    /// Finishes a sign-in with an authenticator code or a backup code.
    pub async fn complete_sign_in(
        &self,
        challenge: &ChallengeToken,
        answer: &str,
        origin: &Origin,
        now: Timestamp,
    ) -> Result<SignedIn> {
        origin.device.validate()?;
        origin.client.validate()?;
        let row = sqlx::query(
            "SELECT c.user_id, c.attempt_id, c.installation_id, c.expires_at, c.failures, c.used_at, u.email
             FROM signin_challenges c JOIN users u ON u.id = c.user_id WHERE c.token_hash = ?",
        )
        .bind(challenge.hash())
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::ChallengeExpired)?;
        let email = Email::parse(row.try_get("email")?)?;
        let user: UserId = row.try_get("user_id")?;
        let Known { policy, account, counters } = self.known(&email, origin.ip).await?;
        let source = self.source_of(origin);
        let attempt = Attempt { email: &email, user: Some(user), source: &source, policy: &policy, now };

        let expires_at: Timestamp = row.try_get("expires_at")?;
        let failures: i64 = row.try_get("failures")?;
        let used: Option<Timestamp> = row.try_get("used_at")?;
        let same_device = row.try_get::<&str, _>("installation_id")? == origin.device.installation_id;
        if used.is_some() || now >= expires_at || failures >= CHALLENGE_MAX_FAILURES || !same_device {
            self.record_failure(&attempt, AttemptReason::ChallengeExpired, false).await?;
            return Err(Error::ChallengeExpired);
        }
        let account = account.ok_or(Error::ChallengeExpired)?;
        if account.user.disabled_at.is_some() {
            self.record_failure(&attempt, AttemptReason::AccountDisabled, false).await?;
            return Err(Error::AccountDisabled);
        }
        if let Err(refusal) = counters.check(&policy, now) {
            self.record_failure(&attempt, throttled_reason(&refusal), false).await?;
            return Err(refusal);
        }
        let Some(kind) = self.use_second_factor(user, answer, now).await? else {
            sqlx::query("UPDATE signin_challenges SET failures = failures + 1 WHERE token_hash = ?")
                .bind(challenge.hash())
                .execute(&self.db)
                .await?;
            self.record_failure(&attempt, SecondFactorKind::of_answer(answer).failure_reason(), true).await?;
            return Err(Error::InvalidCode);
        };
        let claimed = sqlx::query("UPDATE signin_challenges SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
            .bind(now)
            .bind(challenge.hash())
            .execute(&self.db)
            .await?
            .rows_affected();
        if claimed != 1 {
            return Err(Error::ChallengeExpired);
        }
        let ending = Ending::SecondFactor { attempt: row.try_get("attempt_id")?, kind };
        self.open_session(&attempt, account.user, None, counters.account, origin, ending).await
    }

    /// Checks the password of a signed-in user before a sensitive change. Failures are
    /// recorded and throttled like sign-in failures.
    pub(crate) async fn confirm_password(&self, actor: &Actor, password: &str) -> Result<()> {
        self.confirm_password_for(&actor.user, actor.session_id, actor.ip, actor.now, password).await
    }

    /// Like [`Gatehouse::confirm_password`] for a session that is locked (no [`Actor`] yet).
    pub(crate) async fn confirm_session_password(
        &self,
        user: &User,
        session: SessionId,
        caller: Caller<'_>,
        password: &str,
    ) -> Result<()> {
        self.confirm_password_for(user, session, caller.ip, caller.now, password).await
    }

    async fn confirm_password_for(
        &self,
        user: &User,
        session: SessionId,
        ip: Option<IpAddr>,
        now: Timestamp,
        password: &str,
    ) -> Result<()> {
        check_password_input(password)?;
        let email = Email::parse(&user.email)?;
        let Known { policy, account, counters } = self.known(&email, ip).await?;
        let account = account.ok_or(Error::SignedOut)?;
        counters.check(&policy, now)?;
        let source = self.session_source(session, ip).await?;
        let attempt = Attempt { email: &email, user: Some(user.id), source: &source, policy: &policy, now };
        if !self.hasher.verify(password, Some(&account.hash)).await?.matches {
            self.record_failure(&attempt, AttemptReason::ConfirmationFailed, true).await?;
            return Err(Error::WrongPassword);
        }
        Ok(())
    }

    /// Records the pending attempt and opens a challenge for the second step.
    async fn start_challenge(
        &self,
        attempt: &Attempt<'_>,
        user: UserId,
        new_hash: Option<String>,
        origin: &Origin,
    ) -> Result<Challenge> {
        let challenge =
            Challenge { token: ChallengeToken::generate(), expires_at: attempt.now.plus(CHALLENGE_LIFETIME) };
        let mut tx = self.write_tx().await?;
        if let Some(hash) = new_hash {
            update_hash(&mut tx, user, &hash).await?;
        }
        let (email, ip, policy) = (attempt.email.as_str(), attempt.source.ip, attempt.policy);
        let risk_flags = risk::assess_pending(&mut tx, user, email, ip, policy, attempt.now).await?;
        let pending = NewAttempt { risk_flags, ..new_attempt(attempt, AttemptReason::SecondFactorRequired) };
        let attempt_id = activity::record(&mut tx, &pending, attempt.source).await?;
        sqlx::query(
            "INSERT INTO signin_challenges (token_hash, user_id, attempt_id, installation_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(challenge.token.hash())
        .bind(user)
        .bind(attempt_id)
        .bind(&origin.device.installation_id)
        .bind(attempt.now)
        .bind(challenge.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(challenge)
    }

    /// Opens the session of a successful sign-in, in one transaction: assesses its risk,
    /// clears the account's failure counter (`account_counter`, when it has one), saves the
    /// device and records (or completes) the attempt.
    async fn open_session(
        &self,
        attempt: &Attempt<'_>,
        user: User,
        new_hash: Option<String>,
        account_counter: Option<throttle::Counter>,
        origin: &Origin,
        ending: Ending,
    ) -> Result<SignedIn> {
        let now = attempt.now;
        let mut tx = self.write_tx().await?;
        let success = risk::Success {
            user: user.id,
            email: attempt.email.as_str(),
            ip: attempt.source.ip,
            location: &attempt.source.location,
            installation_id: &origin.device.installation_id,
            after_lockout: account_counter.is_some_and(|counter| counter.locked_at.is_some()),
            now,
        };
        let risk_flags = risk::assess_success(&mut tx, &success, attempt.policy).await?;
        if account_counter.is_some() {
            throttle::clear(&mut tx, Scope::Account, attempt.email.as_str()).await?;
        }
        if let Some(hash) = new_hash {
            update_hash(&mut tx, user.id, &hash).await?;
        }
        let device = devices::upsert(&mut tx, user.id, &origin.device, now).await?;
        let location = attempt.source.location.label();
        let second_factor = match ending {
            Ending::PasswordOnly => None,
            Ending::SecondFactor { kind, .. } => Some(kind),
        };
        let new_session = NewSession { user: user.id, device, origin, location: &location, second_factor };
        let (token, session_id) = sessions::create(&mut tx, &new_session, attempt.policy, now).await?;
        let attempt_id = match ending {
            Ending::PasswordOnly => {
                let success = NewAttempt {
                    session: Some(session_id),
                    risk_flags,
                    ..new_attempt(attempt, AttemptReason::SignedIn)
                };
                let source = AttemptSource { device_id: Some(device), ..attempt.source.clone() };
                activity::record(&mut tx, &success, &source).await?
            }
            Ending::SecondFactor { attempt: pending, kind } => {
                let completion =
                    Completion { attempt: pending, second_factor: kind, device, session: session_id, risk_flags };
                activity::complete(&mut tx, &completion).await?;
                pending
            }
        };
        let event = alerts::SignInEvent {
            user: &user,
            session: session_id,
            attempt: attempt_id,
            source: attempt.source,
            flags: risk_flags,
            at: now,
        };
        alerts::on_sign_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(SignedIn { token, session_id, user })
    }

    /// Records a refused attempt; `counts` says whether it counts toward throttling
    /// (a guessed password or code does; an attempt refused unchecked does not).
    pub(crate) async fn record_failure(
        &self,
        attempt: &Attempt<'_>,
        reason: AttemptReason,
        counts: bool,
    ) -> Result<()> {
        let (email, now, policy) = (attempt.email.as_str(), attempt.now, attempt.policy);
        let mut tx = self.write_tx().await?;
        let risk_flags = risk::assess_failure(&mut tx, email, attempt.source.ip, policy, now).await?;
        let recorded = NewAttempt { risk_flags, ..new_attempt(attempt, reason) };
        let attempt_id = activity::record(&mut tx, &recorded, attempt.source).await?;
        if risk_flags.contains(RiskFlag::FailureBurst) {
            let window = policy.failure_burst_window();
            alerts::on_failure_burst(&mut tx, email, attempt.user, attempt_id, attempt.source, window, now).await?;
        }
        if counts {
            throttle::record_failure(&mut tx, Scope::Account, email, policy, now).await?;
            if let Some(ip) = attempt.source.ip {
                throttle::record_failure(&mut tx, Scope::Ip, &ip.to_string(), policy, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The policy, the account (when the email has one) and the throttling counters of
    /// the email and the address: one query, as this is on every sign-in's path.
    pub(crate) async fn known(&self, email: &Email, ip: Option<IpAddr>) -> Result<Known> {
        let row = sqlx::query(concat!(
            "SELECT ",
            policy_columns!(),
            ", u.password_hash,
                    ta.failures AS account_failures, ta.blocked_until AS account_blocked_until,
                    ta.locked_at AS account_locked_at,
                    ti.failures AS ip_failures, ti.blocked_until AS ip_blocked_until, ti.locked_at AS ip_locked_at, ",
            user_columns!(),
            " FROM policy p
             LEFT JOIN users u ON u.email = ?
             LEFT JOIN signin_throttle ta ON ta.scope = 'account' AND ta.key = ?
             LEFT JOIN signin_throttle ti ON ti.scope = 'ip' AND ti.key = ?
             WHERE p.id = 1"
        ))
        .bind(email.as_str())
        .bind(email.as_str())
        .bind(ip.map(|ip| ip.to_string()))
        .fetch_one(&self.db)
        .await?;
        let account = match row.try_get::<Option<UserId>, _>("id")? {
            None => None,
            Some(_) => Some(Account { user: user_from_row(&row)?, hash: row.try_get("password_hash")? }),
        };
        let counter = |prefix: &str| -> Result<Option<throttle::Counter>> {
            let failures: Option<i64> = row.try_get(format!("{prefix}_failures").as_str())?;
            let blocked_until: Option<Timestamp> = row.try_get(format!("{prefix}_blocked_until").as_str())?;
            let locked_at: Option<Timestamp> = row.try_get(format!("{prefix}_locked_at").as_str())?;
            Ok(failures.zip(blocked_until).map(|(failures, blocked_until)| throttle::Counter {
                failures,
                blocked_until,
                locked_at,
            }))
        };
        let counters = throttle::Counters { account: counter("account")?, ip: counter("ip")? };
        Ok(Known { policy: Policy::from_row(&row)?, account, counters })
    }

    /// The flags a successful sign-in by `user` (`email`) from `origin` would get at `now`
    /// under `policy` (lockouts aside): the look-backs of [`risk`] alone, with nothing read
    /// before them and nothing written. Not part of the API — benches/core.rs times the
    /// look-backs with it. It answers for any account without a session, so no client may
    /// ever call it.
    #[doc(hidden)]
    pub async fn assess_success_risk_for_bench(
        &self,
        user: UserId,
        email: &str,
        origin: &Origin,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<RiskFlags> {
        let location = self.locate(origin.ip);
        let success = risk::Success {
            user,
            email,
            ip: origin.ip,
            location: &location,
            installation_id: &origin.device.installation_id,
            after_lockout: false,
            now,
        };
        let mut conn = self.db.acquire().await?;
        risk::assess_success(&mut conn, &success, policy).await
    }

    fn source_of(&self, origin: &Origin) -> AttemptSource {
        let device = &origin.device;
        AttemptSource {
            ip: origin.ip,
            location: self.locate(origin.ip),
            device_id: None,
            device_name: device.name.trim().to_owned(),
            device_kind: device.kind,
            os: os_label(&device.os, &device.os_version),
            client: origin.client.label(),
        }
    }

    /// The device and client of an existing session, for recording a failed confirmation.
    pub(crate) async fn session_source(&self, session: SessionId, ip: Option<IpAddr>) -> Result<AttemptSource> {
        let row = sqlx::query(
            "SELECT d.id, d.name, d.kind, d.os, d.os_version, s.client_name, s.client_version
             FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = ?",
        )
        .bind(session)
        .fetch_one(&self.db)
        .await?;
        let client_name: String = row.try_get("client_name")?;
        let client_version: String = row.try_get("client_version")?;
        Ok(AttemptSource {
            ip,
            location: self.locate(ip),
            device_id: row.try_get("id")?,
            device_name: row.try_get("name")?,
            device_kind: DeviceKind::parse(row.try_get("kind")?),
            os: os_label(row.try_get("os")?, row.try_get("os_version")?),
            client: format!("{client_name} {client_version}"),
        })
    }

    fn locate(&self, ip: Option<IpAddr>) -> Location {
        GeoIp::locate(self.geo.as_deref(), ip)
    }
}

fn new_attempt<'a>(attempt: &Attempt<'a>, reason: AttemptReason) -> NewAttempt<'a> {
    NewAttempt {
        at: attempt.now,
        email: attempt.email.as_str(),
        user: attempt.user,
        reason,
        second_factor: None,
        session: None,
        risk_flags: RiskFlags::NONE,
    }
}

fn throttled_reason(refusal: &Error) -> AttemptReason {
    if refusal.code() == "auth.locked_out" { AttemptReason::LockedOut } else { AttemptReason::Throttled }
}

async fn update_hash(conn: &mut sqlx::SqliteConnection, user: UserId, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?").bind(hash).bind(user).execute(conn).await?;
    Ok(())
}
