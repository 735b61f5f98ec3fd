//! Signing in with email and password, and re-checking the password of a signed-in user
//! (unlock, password change). Every attempt is recorded; failures are throttled. An unknown
//! email and a wrong password get the same error after the same work (a dummy hash is
//! verified), so sign-in never reveals whether an account exists.
//!
//! The path is kept to a few queries: it is measured against argon2 alone (benches/core.rs).

use std::net::IpAddr;

use sqlx::Row;

use crate::accounts::{Email, User, user_columns, user_from_row};
use crate::activity::{self, AttemptReason, AttemptSource};
use crate::clock::Timestamp;
use crate::context::{Caller, Origin};
use crate::devices::{self, DeviceKind, os_label};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::geo::{GeoIp, Location};
use crate::ids::{SessionId, UserId};
use crate::passwords::check_password_input;
use crate::policy::Policy;
use crate::sessions::{self, Actor, SignedIn};
use crate::throttle::{self, Scope};

/// An account and its stored password hash.
struct Account {
    user: User,
    hash: String,
}

/// Everything a sign-in needs to know before checking the password, read in one query.
struct Known {
    policy: Policy,
    account: Option<Account>,
    counters: throttle::Counters,
}

/// One attempt under way: who it claims to be and where it comes from.
struct Attempt<'a> {
    email: &'a Email,
    user: Option<UserId>,
    source: &'a AttemptSource,
    policy: &'a Policy,
    now: Timestamp,
}

impl Gatehouse {
    /// Signs in with email and password from `origin`, opening a session.
    pub async fn sign_in(&self, email: &str, password: &str, origin: &Origin, now: Timestamp) -> Result<SignedIn> {
        origin.device.validate()?;
        origin.client.validate()?;
        let email = Email::parse(email)?;
        check_password_input(password)?;
        let Known {
            policy,
            account,
            counters,
        } = self.known(&email, origin.ip).await?;
        if account.is_none() && !self.is_set_up().await? {
            return Err(Error::NotSetUp);
        }
        let source = self.source_of(origin);
        let attempt = Attempt {
            email: &email,
            user: account.as_ref().map(|a| a.user.id),
            source: &source,
            policy: &policy,
            now,
        };
        if let Err(refusal) = counters.check(&policy, now) {
            let locked = refusal.code() == "auth.locked_out";
            let reason = if locked {
                AttemptReason::LockedOut
            } else {
                AttemptReason::Throttled
            };
            self.record_failure(&attempt, reason, false).await?;
            return Err(refusal);
        }

        let verified = self
            .hasher
            .verify(password, account.as_ref().map(|a| a.hash.as_str()))
            .await?;
        let Some(account) = account.filter(|_| verified.matches) else {
            let reason = if attempt.user.is_some() {
                AttemptReason::WrongPassword
            } else {
                AttemptReason::UnknownAccount
            };
            self.record_failure(&attempt, reason, true).await?;
            return Err(Error::InvalidCredentials);
        };
        if account.user.disabled_at.is_some() {
            self.record_failure(&attempt, AttemptReason::AccountDisabled, false)
                .await?;
            return Err(Error::AccountDisabled);
        }
        let new_hash = match verified.needs_rehash {
            true => Some(self.hasher.hash(password).await?),
            false => None,
        };
        self.open_session(&attempt, account.user, new_hash, counters.account.is_some(), origin)
            .await
    }

    /// Checks the password of a signed-in user before a sensitive change. Failures are
    /// recorded and throttled like sign-in failures.
    pub(crate) async fn confirm_password(&self, actor: &Actor, password: &str) -> Result<()> {
        self.confirm_password_for(&actor.user, actor.session_id, actor.ip, actor.now, password)
            .await
    }

    /// Like [`Gatehouse::confirm_password`] for a session that is locked (no [`Actor`] yet).
    pub(crate) async fn confirm_session_password(
        &self,
        user: &User,
        session: SessionId,
        caller: Caller<'_>,
        password: &str,
    ) -> Result<()> {
        self.confirm_password_for(user, session, caller.ip, caller.now, password)
            .await
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
        let Known {
            policy,
            account,
            counters,
        } = self.known(&email, ip).await?;
        let account = account.ok_or(Error::SignedOut)?;
        counters.check(&policy, now)?;
        let source = self.session_source(session, ip).await?;
        let attempt = Attempt {
            email: &email,
            user: Some(user.id),
            source: &source,
            policy: &policy,
            now,
        };
        if !self.hasher.verify(password, Some(&account.hash)).await?.matches {
            self.record_failure(&attempt, AttemptReason::ConfirmationFailed, true)
                .await?;
            return Err(Error::WrongPassword);
        }
        Ok(())
    }

    /// Opens the session of a successful sign-in, in one transaction.
    async fn open_session(
        &self,
        attempt: &Attempt<'_>,
        user: User,
        new_hash: Option<String>,
        clear_failures: bool,
        origin: &Origin,
    ) -> Result<SignedIn> {
        let now = attempt.now;
        let mut tx = self.write_tx().await?;
        if clear_failures {
            throttle::clear(&mut tx, Scope::Account, attempt.email.as_str()).await?;
        }
        if let Some(hash) = new_hash {
            sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
                .bind(hash)
                .bind(user.id)
                .execute(&mut *tx)
                .await?;
        }
        let device = devices::upsert(&mut tx, user.id, &origin.device, now).await?;
        let location = attempt.source.location.label();
        let (token, session_id) =
            sessions::create(&mut tx, user.id, device, origin, &location, attempt.policy, now).await?;
        let source = AttemptSource {
            device_id: Some(device),
            ..attempt.source.clone()
        };
        let email = attempt.email.as_str();
        activity::record(
            &mut tx,
            now,
            email,
            Some(user.id),
            AttemptReason::SignedIn,
            &source,
            Some(session_id),
        )
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            token,
            session_id,
            user,
        })
    }

    /// Records a refused attempt; `counts` says whether it counts toward throttling
    /// (a guessed password does; an attempt refused unchecked does not).
    async fn record_failure(&self, attempt: &Attempt<'_>, reason: AttemptReason, counts: bool) -> Result<()> {
        let (email, now, policy) = (attempt.email.as_str(), attempt.now, attempt.policy);
        let mut tx = self.write_tx().await?;
        activity::record(&mut tx, now, email, attempt.user, reason, attempt.source, None).await?;
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
    async fn known(&self, email: &Email, ip: Option<IpAddr>) -> Result<Known> {
        let row = sqlx::query(concat!(
            "SELECT p.session_idle_minutes, p.session_absolute_minutes, p.idle_lock_minutes, p.lockout_threshold,
                    p.lockout_minutes, p.ip_lockout_threshold, u.password_hash,
                    ta.failures AS account_failures, ta.blocked_until AS account_blocked_until,
                    ti.failures AS ip_failures, ti.blocked_until AS ip_blocked_until, ",
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
            Some(_) => Some(Account {
                user: user_from_row(&row)?,
                hash: row.try_get("password_hash")?,
            }),
        };
        let counter = |prefix: &str| -> Result<Option<throttle::Counter>> {
            let failures: Option<i64> = row.try_get(format!("{prefix}_failures").as_str())?;
            let blocked_until: Option<Timestamp> = row.try_get(format!("{prefix}_blocked_until").as_str())?;
            Ok(failures
                .zip(blocked_until)
                .map(|(failures, blocked_until)| throttle::Counter {
                    failures,
                    blocked_until,
                }))
        };
        let counters = throttle::Counters {
            account: counter("account")?,
            ip: counter("ip")?,
        };
        Ok(Known {
            policy: Policy::from_row(&row)?,
            account,
            counters,
        })
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
    async fn session_source(&self, session: SessionId, ip: Option<IpAddr>) -> Result<AttemptSource> {
        let row = sqlx::query(
            "SELECT d.id, d.name, d.kind, d.os, d.os_version, s.client_name, s.client_version
             FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = ?",
        )
        .bind(session)
        .fetch_one(&self.db)
        .await?;
        let os: String = row.try_get("os")?;
        let os_version: String = row.try_get("os_version")?;
        let client_name: String = row.try_get("client_name")?;
        let client_version: String = row.try_get("client_version")?;
        Ok(AttemptSource {
            ip,
            location: self.locate(ip),
            device_id: row.try_get("id")?,
            device_name: row.try_get("name")?,
            device_kind: DeviceKind::parse(row.try_get("kind")?),
            os: os_label(&os, &os_version),
            client: format!("{client_name} {client_version}"),
        })
    }

    fn locate(&self, ip: Option<IpAddr>) -> Location {
        GeoIp::locate(self.geo.as_deref(), ip)
    }
}
