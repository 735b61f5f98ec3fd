//! Signing in with email and password, and re-checking the password of a signed-in user
//! (unlock, password change). Every attempt is recorded; failures are throttled. An unknown
//! email and a wrong password get the same error after the same work (a dummy hash is
//! verified), so sign-in never reveals whether an account exists.

use sqlx::Row;

use crate::accounts::{Email, User};
use crate::activity::{self, AttemptReason, AttemptSource};
use crate::clock::Timestamp;
use crate::context::{Caller, Origin};
use crate::devices::{self, DeviceKind};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::geo::GeoIp;
use crate::ids::{SessionId, UserId};
use crate::passwords::check_password_input;
use crate::policy::Policy;
use crate::sessions::{self, Actor, SignedIn};
use crate::throttle::{self, Scope};

/// An account's id, state and stored password hash.
struct PasswordRecord {
    user_id: UserId,
    disabled: bool,
    hash: String,
}

impl Gatehouse {
    /// Signs in with email and password from `origin`, opening a session.
    pub async fn sign_in(&self, email: &str, password: &str, origin: &Origin, now: Timestamp) -> Result<SignedIn> {
        origin.device.validate()?;
        origin.client.validate()?;
        let email = Email::parse(email)?;
        check_password_input(password)?;
        if !self.is_set_up().await? {
            return Err(Error::NotSetUp);
        }
        let policy = self.policy_now().await?;
        let source = self.source_of(origin);
        let account = self.password_record(&email).await?;
        let user_id = account.as_ref().map(|record| record.user_id);

        if let Err(refusal) = self.check_throttles(&email, &source, &policy, now).await {
            let reason = if refusal.code() == "auth.locked_out" {
                AttemptReason::LockedOut
            } else {
                AttemptReason::Throttled
            };
            self.record_failure(&email, user_id, reason, &source, &policy, now, false)
                .await?;
            return Err(refusal);
        }

        let stored = account.as_ref().map(|record| record.hash.as_str());
        let verified = self.hasher.verify(password, stored).await?;
        let Some(account) = account.filter(|_| verified.matches) else {
            let reason = if user_id.is_some() {
                AttemptReason::WrongPassword
            } else {
                AttemptReason::UnknownAccount
            };
            self.record_failure(&email, user_id, reason, &source, &policy, now, true)
                .await?;
            return Err(Error::InvalidCredentials);
        };
        if account.disabled {
            self.record_failure(
                &email,
                user_id,
                AttemptReason::AccountDisabled,
                &source,
                &policy,
                now,
                false,
            )
            .await?;
            return Err(Error::AccountDisabled);
        }
        let new_hash = match verified.needs_rehash {
            true => Some(self.hasher.hash(password).await?),
            false => None,
        };
        self.open_session(&email, account.user_id, new_hash, origin, source, &policy, now)
            .await
    }

    /// Checks the password of a signed-in user before a sensitive change. Failures are
    /// recorded and throttled like sign-in failures.
    pub(crate) async fn confirm_password(&self, actor: &Actor, password: &str) -> Result<()> {
        let caller_ip = actor.ip;
        self.confirm_password_for(&actor.user, actor.session_id, caller_ip, actor.now, password)
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
        ip: Option<std::net::IpAddr>,
        now: Timestamp,
        password: &str,
    ) -> Result<()> {
        check_password_input(password)?;
        let email = Email::parse(&user.email)?;
        let policy = self.policy_now().await?;
        let source = self.session_source(session, ip).await?;
        self.check_throttles(&email, &source, &policy, now).await?;
        let record = self.password_record(&email).await?.ok_or(Error::SignedOut)?;
        let verified = self.hasher.verify(password, Some(&record.hash)).await?;
        if !verified.matches {
            let reason = AttemptReason::ConfirmationFailed;
            self.record_failure(&email, Some(user.id), reason, &source, &policy, now, true)
                .await?;
            return Err(Error::WrongPassword);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn open_session(
        &self,
        email: &Email,
        user: UserId,
        new_hash: Option<String>,
        origin: &Origin,
        mut source: AttemptSource,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<SignedIn> {
        let mut tx = self.write_tx().await?;
        throttle::clear(&mut tx, Scope::Account, email.as_str()).await?;
        if let Some(hash) = new_hash {
            sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
                .bind(hash)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        let device = devices::upsert(&mut tx, user, &origin.device, now).await?;
        source.device_id = Some(device);
        let location = source.location.label();
        let (token, session_id) = sessions::create(&mut tx, user, device, origin, &location, policy, now).await?;
        activity::record(
            &mut tx,
            now,
            email.as_str(),
            Some(user),
            AttemptReason::SignedIn,
            &source,
            Some(session_id),
        )
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            token,
            session_id,
            user: self.user(user).await?,
        })
    }

    async fn check_throttles(
        &self,
        email: &Email,
        source: &AttemptSource,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<()> {
        let mut conn = self.db.acquire().await?;
        throttle::check(&mut conn, Scope::Account, email.as_str(), policy, now).await?;
        if let Some(ip) = source.ip {
            throttle::check(&mut conn, Scope::Ip, &ip.to_string(), policy, now).await?;
        }
        Ok(())
    }

    /// Records a refused attempt; `counts` says whether it counts toward throttling
    /// (a guessed password does; an attempt refused unchecked does not).
    #[allow(clippy::too_many_arguments)]
    async fn record_failure(
        &self,
        email: &Email,
        user: Option<UserId>,
        reason: AttemptReason,
        source: &AttemptSource,
        policy: &Policy,
        now: Timestamp,
        counts: bool,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        activity::record(&mut tx, now, email.as_str(), user, reason, source, None).await?;
        if counts {
            throttle::record_failure(&mut tx, Scope::Account, email.as_str(), policy, now).await?;
            if let Some(ip) = source.ip {
                throttle::record_failure(&mut tx, Scope::Ip, &ip.to_string(), policy, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn password_record(&self, email: &Email) -> Result<Option<PasswordRecord>> {
        let row =
            sqlx::query("SELECT id, disabled_at IS NOT NULL AS disabled, password_hash FROM users WHERE email = ?")
                .bind(email.as_str())
                .fetch_optional(&self.db)
                .await?;
        row.map(|row| {
            Ok(PasswordRecord {
                user_id: row.try_get("id")?,
                disabled: row.try_get("disabled")?,
                hash: row.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    fn source_of(&self, origin: &Origin) -> AttemptSource {
        let device = &origin.device;
        AttemptSource {
            ip: origin.ip,
            location: self.locate(origin.ip),
            device_id: None,
            device_name: device.name.trim().to_owned(),
            device_kind: device.kind,
            os: format!("{} {}", device.os, device.os_version).trim().to_owned(),
            client: origin.client.label(),
        }
    }

    /// The device and client of an existing session, for recording a failed confirmation.
    async fn session_source(&self, session: SessionId, ip: Option<std::net::IpAddr>) -> Result<AttemptSource> {
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
            os: format!("{os} {os_version}").trim().to_owned(),
            client: format!("{client_name} {client_version}"),
        })
    }

    fn locate(&self, ip: Option<std::net::IpAddr>) -> crate::geo::Location {
        GeoIp::locate(self.geo.as_deref(), ip)
    }
}
