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

use crate::accounts::{Email, User, user_columns, user_from_row};
use crate::activity::{self, AttemptReason, AttemptSource, Completion, NewAttempt};
use crate::alerts;
use crate::clock::Timestamp;
use crate::context::Origin;
use crate::db::{self, Row, Tx};
use crate::devices::{self, DeviceKind, os_label};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::geo::{GeoIp, Location};
use crate::ids::{ActivityId, SessionId, UserId};
use crate::passwords::check_password_input;
use crate::policy::{self, Policy, policy_columns};
use crate::risk::{self, RiskFlag, RiskFlags};
use crate::sessions::{self, NewSession, SignedIn};
use crate::throttle::{self, Claim, Scope, Ticket};
use crate::two_factor::SecondFactorKind;

/// How long the second step of a sign-in may take.
const CHALLENGE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Codes one challenge accepts (the password must be entered again after that).
const CHALLENGE_MAX_ANSWERS: i64 = 5;

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
    pub counters: Counters,
}

/// The failure counters an attempt is checked against before anything is claimed or hashed.
pub(crate) struct Counters {
    /// The counter of the email address (whether or not it has an account), if it has one.
    pub account: Option<throttle::Counter>,
    /// The counter of the address the attempt comes from, if it has one.
    pub ip: Option<throttle::Counter>,
}

/// What a refused attempt still counts toward throttling (see `throttle`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting<'a> {
    /// Nothing more: refused unchecked, or already counted by the sign-in's claim.
    Nothing,
    /// Nothing, and the claim is given back: the password was right (a disabled account).
    Released(&'a Ticket),
    /// A wrong password or code of a sign-in, whose claim counted it on the account: count
    /// it on the address too.
    Address,
    /// A wrong answer inside a session (step-up, unlock), which claimed nothing: count it on
    /// the account and the address.
    AccountAndAddress,
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
        let Known { policy, account, counters } = self.known(&email, origin.ip, now).await?;
        if account.is_none() && !self.is_set_up().await? {
            return Err(Error::NotSetUp);
        }
        let source = self.source_of(origin);
        let attempt =
            Attempt { email: &email, user: account.as_ref().map(|a| a.user.id), source: &source, policy: &policy, now };
        self.check_counters(&attempt, &counters).await?;
        // A sign-in without a second factor opens its session right after the password step:
        // its look-backs need no verdict, so they read while argon2 runs.
        let password_only = account.as_ref().filter(|a| !a.user.two_factor_enabled).map(|a| a.user.id);
        let (step, looked_back) = tokio::join!(
            self.password_step(&attempt, account, password),
            self.look_back_if(password_only, &attempt, origin),
        );
        let (account, needs_rehash, claim) = step?;
        let new_hash = match needs_rehash {
            true => Some(self.hasher.hash(password).await?),
            false => None,
        };
        // Looked back exactly when the account (the one the password step returns) has no
        // second factor; with one, a code finishes the sign-in.
        let Some(looked_back) = looked_back? else {
            let challenge = self.start_challenge(&attempt, account.user.id, new_hash, &claim, origin).await?;
            return Ok(SignInOutcome::SecondFactorRequired(challenge));
        };
        let risk_flags = looked_back.with_if(RiskFlag::AfterLockout, claim.last_lockout().is_some());
        let signed_in =
            self.open_session(&attempt, account.user, new_hash, risk_flags, origin, Ending::PasswordOnly).await?;
        Ok(SignInOutcome::SignedIn(signed_in))
    }

    /// Checks an email and password like a sign-in — throttled, failures recorded — without
    /// opening a session: for database-side work such as recovering from a lost data key.
    pub(crate) async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        origin: &Origin,
        now: Timestamp,
    ) -> Result<User> {
        origin.device.validate()?;
        origin.client.validate()?;
        let email = Email::parse(email)?;
        check_password_input(password)?;
        let Known { policy, account, counters } = self.known(&email, origin.ip, now).await?;
        let source = self.source_of(origin);
        let attempt =
            Attempt { email: &email, user: account.as_ref().map(|a| a.user.id), source: &source, policy: &policy, now };
        self.check_counters(&attempt, &counters).await?;
        let (account, _, _) = self.password_step(&attempt, account, password).await?;
        let mut tx = self.write_tx().await?;
        throttle::clear(&mut tx, Scope::Account, email.as_str()).await?;
        tx.commit().await?;
        Ok(account.user)
    }

    /// The password step shared by signing in and checking credentials, once the counters
    /// read with the account let the attempt through (`check_counters`, so a throttled
    /// guesser costs no hash): claims the attempt, verifies the password (against a dummy
    /// hash for an unknown email), records and refuses a wrong one or a disabled account.
    /// Returns the account, whether its hash needs new parameters, and the claim.
    ///
    /// The claim commits while argon2 runs on its blocking thread, so a sign-in takes little
    /// longer than its hash; the verdict is used only once the claim stands.
    async fn password_step(
        &self,
        attempt: &Attempt<'_>,
        account: Option<Account>,
        password: &str,
    ) -> Result<(Account, bool, Ticket)> {
        let stored_hash = account.as_ref().map(|a| a.hash.as_str());
        // The hash first: it is the long pole, and the claim's statements run while it does.
        let (verified, claim) = tokio::join!(self.hasher.verify(password, stored_hash), self.claim_attempt(attempt));
        let (claim, verified) = (claim?, verified?);
        let Some(account) = account.filter(|_| verified.matches) else {
            let reason =
                if attempt.user.is_some() { AttemptReason::WrongPassword } else { AttemptReason::UnknownAccount };
            self.record_failure(attempt, reason, Counting::Address).await?;
            return Err(Error::InvalidCredentials);
        };
        if account.user.disabled_at.is_some() {
            self.record_failure(attempt, AttemptReason::AccountDisabled, Counting::Released(&claim)).await?;
            return Err(Error::AccountDisabled);
        }
        Ok((account, verified.needs_rehash, claim))
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
        let row = db::query(
            "SELECT c.user_id, c.attempt_id, u.email
             FROM signin_challenges c JOIN users u ON u.id = c.user_id WHERE c.token_hash = $1",
        )
        .bind(challenge.hash())
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::ChallengeExpired)?;
        let email = Email::parse(&row.try_get::<String>("email")?)?;
        let user: UserId = row.try_get("user_id")?;
        let Known { policy, account, counters } = self.known(&email, origin.ip, now).await?;
        let source = self.source_of(origin);
        let attempt = Attempt { email: &email, user: Some(user), source: &source, policy: &policy, now };

        if !self.claim_challenge(challenge, origin, now).await? {
            self.record_failure(&attempt, AttemptReason::ChallengeExpired, Counting::Nothing).await?;
            return Err(Error::ChallengeExpired);
        }
        let account = account.ok_or(Error::ChallengeExpired)?;
        if account.user.disabled_at.is_some() {
            self.record_failure(&attempt, AttemptReason::AccountDisabled, Counting::Nothing).await?;
            return Err(Error::AccountDisabled);
        }
        self.check_counters(&attempt, &counters).await?;
        let last_lockout = self.claim_attempt(&attempt).await?.last_lockout();
        let Some(kind) = self.use_second_factor(user, answer, now).await? else {
            self.record_failure(&attempt, SecondFactorKind::of_answer(answer).failure_reason(), Counting::Address)
                .await?;
            return Err(Error::InvalidCode);
        };
        let claimed = db::query("UPDATE signin_challenges SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(now)
            .bind(challenge.hash())
            .execute(&self.db)
            .await?;
        if claimed != 1 {
            return Err(Error::ChallengeExpired);
        }
        let ending = Ending::SecondFactor { attempt: row.try_get("attempt_id")?, kind };
        let looked_back = self.look_back(&attempt, user, origin).await?;
        let risk_flags = looked_back.with_if(RiskFlag::AfterLockout, last_lockout.is_some());
        self.open_session(&attempt, account.user, None, risk_flags, origin, ending).await
    }

    /// The look-back risk flags of `attempt` succeeding for `user` (see
    /// `risk::assess_success`), from one read transaction.
    async fn look_back(&self, attempt: &Attempt<'_>, user: UserId, origin: &Origin) -> Result<RiskFlags> {
        let success = risk::Success {
            user,
            email: attempt.email.as_str(),
            ip: attempt.source.ip,
            location: &attempt.source.location,
            installation_id: &origin.device.installation_id,
            now: attempt.now,
        };
        let mut read = self.db.begin_read().await?;
        let flags = risk::assess_success(&mut read, &success, attempt.policy).await?;
        read.commit().await?;
        Ok(flags)
    }

    /// [`Self::look_back`] for `user`, or nothing when there is none.
    async fn look_back_if(
        &self,
        user: Option<UserId>,
        attempt: &Attempt<'_>,
        origin: &Origin,
    ) -> Result<Option<RiskFlags>> {
        match user {
            Some(user) => self.look_back(attempt, user, origin).await.map(Some),
            None => Ok(None),
        }
    }

    /// Takes one of a challenge's five answers, in one conditional update (so parallel
    /// answers can't exceed them): false when it is used, expired, out of answers or from
    /// another device.
    async fn claim_challenge(&self, challenge: &ChallengeToken, origin: &Origin, now: Timestamp) -> Result<bool> {
        let claimed = db::query(
            "UPDATE signin_challenges SET failures = failures + 1
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND failures < $3 AND installation_id = $4",
        )
        .bind(challenge.hash())
        .bind(now)
        .bind(CHALLENGE_MAX_ANSWERS)
        .bind(&origin.device.installation_id)
        .execute(&self.db)
        .await?;
        Ok(claimed == 1)
    }

    /// Refuses an attempt that the address's or the account's counter makes wait, as read
    /// with everything else the attempt needed: no claim, no hash. The refusal is recorded.
    async fn check_counters(&self, attempt: &Attempt<'_>, counters: &Counters) -> Result<()> {
        let (policy, now) = (attempt.policy, attempt.now);
        let open = counters
            .ip
            .map_or(Ok(()), |counter| counter.check(Scope::Ip, policy, now))
            .and_then(|()| counters.account.map_or(Ok(()), |counter| counter.check(Scope::Account, policy, now)));
        if let Err(refusal) = open {
            self.record_failure(attempt, throttled_reason(&refusal), Counting::Nothing).await?;
            return Err(refusal);
        }
        Ok(())
    }

    /// Claims the attempt on the account (see `throttle`): what decides, as a parallel
    /// attempt may have claimed since the counters were read. A refusal is recorded and
    /// returned.
    async fn claim_attempt(&self, attempt: &Attempt<'_>) -> Result<Ticket> {
        let mut tx = self.write_tx().await?;
        let claim = throttle::claim(&mut tx, attempt.email.as_str(), attempt.policy, attempt.now).await?;
        tx.commit().await?;
        match claim {
            Claim::Granted(ticket) => Ok(ticket),
            Claim::Refused(refusal) => {
                self.record_failure(attempt, throttled_reason(&refusal), Counting::Nothing).await?;
                Err(refusal)
            }
        }
    }

    /// Records the pending attempt and opens a challenge for the second step. The right
    /// password gives its claim back: from here the code decides.
    async fn start_challenge(
        &self,
        attempt: &Attempt<'_>,
        user: UserId,
        new_hash: Option<String>,
        claim: &Ticket,
        origin: &Origin,
    ) -> Result<Challenge> {
        let challenge =
            Challenge { token: ChallengeToken::generate(), expires_at: attempt.now.plus(CHALLENGE_LIFETIME) };
        let mut tx = self.write_tx().await?;
        throttle::release(&mut tx, attempt.email.as_str(), claim).await?;
        if let Some(hash) = new_hash {
            update_hash(&mut tx, user, &hash).await?;
        }
        let (email, ip, policy) = (attempt.email.as_str(), attempt.source.ip, attempt.policy);
        let risk_flags = risk::assess_pending(&mut tx, user, email, ip, policy, attempt.now).await?;
        let pending = NewAttempt { risk_flags, ..new_attempt(attempt, AttemptReason::SecondFactorRequired) };
        let attempt_id = activity::record(&mut tx, &pending, attempt.source).await?;
        db::query(
            "INSERT INTO signin_challenges (token_hash, user_id, attempt_id, installation_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(challenge.token.hash())
        .bind(user)
        .bind(attempt_id)
        .bind(&origin.device.installation_id)
        .bind(attempt.now)
        .bind(challenge.expires_at)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(challenge)
    }

    /// Opens the session of a successful sign-in, in one transaction: clears the account's
    /// failure counter, saves the device and records (or completes) the attempt with its
    /// `risk_flags`.
    async fn open_session(
        &self,
        attempt: &Attempt<'_>,
        user: User,
        new_hash: Option<String>,
        risk_flags: RiskFlags,
        origin: &Origin,
        ending: Ending,
    ) -> Result<SignedIn> {
        let now = attempt.now;
        let mut tx = self.write_tx().await?;
        throttle::clear(&mut tx, Scope::Account, attempt.email.as_str()).await?;
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

    /// Records a refused attempt, counts it as `counting` says, and — when that brings the
    /// account to the policy's hard limit — locks it until an admin unlocks it and alerts.
    pub(crate) async fn record_failure(
        &self,
        attempt: &Attempt<'_>,
        reason: AttemptReason,
        counting: Counting<'_>,
    ) -> Result<()> {
        let (email, now, policy) = (attempt.email.as_str(), attempt.now, attempt.policy);
        let mut tx = self.write_tx().await?;
        let risk_flags = risk::assess_failure(&mut tx, email, attempt.source.ip, policy, now).await?;
        let recorded = NewAttempt { risk_flags, ..new_attempt(attempt, reason) };
        let attempt_id = activity::record(&mut tx, &recorded, attempt.source).await?;
        match counting {
            Counting::Nothing | Counting::Address => {}
            Counting::Released(claim) => throttle::release(&mut tx, email, claim).await?,
            Counting::AccountAndAddress => throttle::count_failure(&mut tx, Scope::Account, email, policy, now).await?,
        }
        let mut hard_locked = false;
        if matches!(counting, Counting::Address | Counting::AccountAndAddress) {
            if let Some(ip) = attempt.source.ip {
                throttle::count_failure(&mut tx, Scope::Ip, &ip.to_string(), policy, now).await?;
            }
            hard_locked = throttle::hard_lock_if_due(&mut tx, email, policy, now).await?;
        }
        // Alerts last: raising one takes the notices lock until commit, which must never
        // wait for a row another writer holds while it waits for that lock.
        if risk_flags.contains(RiskFlag::FailureBurst) {
            let window = policy.failure_burst_window();
            alerts::on_failure_burst(&mut tx, email, attempt.user, attempt_id, attempt.source, window, now).await?;
        }
        if hard_locked {
            alerts::on_hard_lock(&mut tx, email, attempt.user, attempt_id, attempt.source, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The policy, the account (when the email has one) and the throttling counter of the
    /// address: one query, as this is on every sign-in's path (applying policy changes that
    /// fell due first).
    pub(crate) async fn known(&self, email: &Email, ip: Option<IpAddr>, now: Timestamp) -> Result<Known> {
        let mut row = self.known_row(email, ip).await?;
        if policy::change_due(&row, now)? {
            self.apply_due_policy_changes(now).await?;
            row = self.known_row(email, ip).await?;
        }
        let account = match row.try_get::<Option<UserId>>("id")? {
            None => None,
            Some(_) => Some(Account { user: user_from_row(&row)?, hash: row.try_get("password_hash")? }),
        };
        let counters = Counters { account: counter_from_row(&row, "account")?, ip: counter_from_row(&row, "ip")? };
        Ok(Known { policy: Policy::from_row(&row)?, account, counters })
    }

    async fn known_row(&self, email: &Email, ip: Option<IpAddr>) -> Result<Row> {
        let row = db::query(concat!(
            "SELECT ",
            policy_columns!(),
            ", u.password_hash,
                    ti.failures AS ip_failures, ti.blocked_until AS ip_blocked_until,
                    ti.locked_at AS ip_locked_at, ti.hard_locked_at AS ip_hard_locked_at,
                    ta.failures AS account_failures, ta.blocked_until AS account_blocked_until,
                    ta.locked_at AS account_locked_at, ta.hard_locked_at AS account_hard_locked_at, ",
            user_columns!(),
            " FROM policy p
             LEFT JOIN users u ON u.email = $1
             LEFT JOIN signin_throttle ti ON ti.scope = 'ip' AND ti.key = $2
             LEFT JOIN signin_throttle ta ON ta.scope = 'account' AND ta.key = $1
             WHERE p.id = 1"
        ))
        .bind(email.as_str())
        .bind(ip.map(|ip| ip.to_string()))
        .fetch_one(&self.db)
        .await?;
        Ok(row)
    }

    /// The flags a successful sign-in by `user` (`email`) from `origin` would get at `now`
    /// under `policy` (lockouts aside): the look-backs a sign-in reads (`look_back`) alone,
    /// with nothing read before them and nothing written. Not part of the API — benches/core.rs times the
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
        let email = Email::parse(email)?;
        let source = self.source_of(origin);
        let attempt = Attempt { email: &email, user: Some(user), source: &source, policy, now };
        self.look_back(&attempt, user, origin).await
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
        let row = db::query(
            "SELECT d.id, d.name, d.kind, d.os, d.os_version, s.client_name, s.client_version
             FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = $1",
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
            device_kind: DeviceKind::parse(&row.try_get::<String>("kind")?),
            os: os_label(&row.try_get::<String>("os")?, &row.try_get::<String>("os_version")?),
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

/// The counter read as `{prefix}_failures`, `{prefix}_blocked_until`… (none when the
/// key has no row).
fn counter_from_row(row: &Row, prefix: &str) -> Result<Option<throttle::Counter>> {
    let failures: Option<i64> = row.try_get(&format!("{prefix}_failures"))?;
    let blocked_until: Option<Timestamp> = row.try_get(&format!("{prefix}_blocked_until"))?;
    let (Some(failures), Some(blocked_until)) = (failures, blocked_until) else {
        return Ok(None);
    };
    Ok(Some(throttle::Counter {
        failures,
        blocked_until,
        locked_at: row.try_get(&format!("{prefix}_locked_at"))?,
        hard_locked_at: row.try_get(&format!("{prefix}_hard_locked_at"))?,
    }))
}

fn throttled_reason(refusal: &Error) -> AttemptReason {
    match refusal {
        Error::Throttled { locked: true, .. } | Error::AccountLocked => AttemptReason::LockedOut,
        _ => AttemptReason::Throttled,
    }
}

async fn update_hash(conn: &mut Tx, user: UserId, hash: &str) -> Result<()> {
    db::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user).execute(conn).await?;
    Ok(())
}
