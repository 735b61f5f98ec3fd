//! Finding the data key, making it on first use, and the way out when it is lost.
//!
//! A key is made only when none is stored *and* nothing is sealed yet, under the database's
//! write lock, so the desktop app and the CLI can't each make one. When the key is missing
//! (or a different one is stored) but sealed secrets exist, Gatehouse never silently makes a
//! new one — that would lock everyone out of their 2FA for good. It says so, naming the two
//! ways out: restore the keychain entry, or have an administrator reset every user's 2FA
//! ([`Gatehouse::recover_lost_data_key`]).

use crate::accounts::Role;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::Origin;
use crate::data_key::DataKey;
use crate::db::{self, Lock, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::notices::{self, NewNotice};
use crate::sessions::{self, EndReason, Sessions};

impl Gatehouse {
    /// The data key, made on first use (see the module's rules).
    pub(crate) async fn data_key(&self) -> Result<DataKey> {
        let source = self
            .data_key
            .as_ref()
            .ok_or_else(|| Error::DataKeyUnavailable { reason: "no key source is configured".to_owned() })?;
        if let Some(key) = source.load()? {
            return Ok(key);
        }
        // Serialised with every other writer of this database (another process may be
        // making the key right now: look again once we hold the lock).
        let mut tx = self.write_tx().await?;
        tx.lock(Lock::DataKey).await?;
        if let Some(key) = source.load()? {
            return Ok(key);
        }
        if sealed_key_id(&mut tx).await?.is_some() {
            return Err(Error::DataKeyMissing);
        }
        let key = DataKey::generate();
        source.store(&key)?;
        tx.commit().await?;
        Ok(key)
    }

    /// An administrator's way out when the data key is lost (missing from the keychain, or a
    /// different key stored there) while secrets sealed with it exist: every user's
    /// authenticator and backup codes are removed, every session ends, each user is told,
    /// a new key is made, and the audit log records it. There is no session to use —
    /// signing in may itself need the lost key — so it takes an administrator's email and
    /// password (checked and throttled like a sign-in). Refused while the key still works.
    /// Returns how many users had two-factor authentication.
    pub async fn recover_lost_data_key(
        &self,
        email: &str,
        password: &str,
        origin: &Origin,
        now: Timestamp,
    ) -> Result<u64> {
        let admin = self.check_credentials(email, password, origin, now).await?;
        if admin.role != Role::Admin {
            return Err(Error::Forbidden);
        }
        let source = self
            .data_key
            .as_ref()
            .ok_or_else(|| Error::DataKeyUnavailable { reason: "no key source is configured".to_owned() })?;
        let mut tx = self.write_tx().await?;
        tx.lock(Lock::DataKey).await?;
        let sealed_with = sealed_key_id(&mut tx).await?;
        let stored = source.load()?;
        let lost = match (&sealed_with, &stored) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(id), Some(key)) => *id != key.id(),
        };
        if !lost {
            return Err(Error::invalid(
                "Data key",
                "the key that protects two-factor secrets is present and works; there is nothing to recover.",
            ));
        }
        let users: Vec<UserId> = db::query_scalar(
            "SELECT user_id FROM user_totp UNION SELECT user_id FROM totp_enrollments
             UNION SELECT user_id FROM backup_codes",
        )
        .fetch_all(&mut tx)
        .await?;
        for sql in ["DELETE FROM user_totp", "DELETE FROM totp_enrollments", "DELETE FROM backup_codes"] {
            db::query(sql).execute(&mut tx).await?;
        }
        let mut ended = 0;
        for user in &users {
            ended += sessions::end_matching(&mut tx, Sessions::OfUser(*user), now, EndReason::TwoFactorReset).await?;
        }
        let notice = NewNotice {
            kind: "two_factor.off.reset",
            title: "Two-factor authentication reset".to_owned(),
            body: format!(
                "The key protecting two-factor secrets on this Gatehouse was lost, so {} turned off everyone's \\
                 two-factor authentication. Set it up again from Security → Two-factor authentication.",
                admin.email
            ),
            subject: None,
            session: None,
            attempt: None,
        };
        notices::raise(&mut tx, &users, &notice, now).await?;
        let detail = format!(
            "{} recovered from a lost data key: two-factor authentication of {} user(s) reset, {ended} session(s) ended",
            admin.email,
            users.len()
        );
        audit::record_system(&mut tx, now, "2fa.recovered_lost_key", Some(admin.id), &detail).await?;
        source.store(&DataKey::generate())?;
        tx.commit().await?;
        Ok(users.len() as u64)
    }
}

/// The id of the key the stored secrets were sealed with, if any secret is stored.
async fn sealed_key_id(conn: &mut Tx) -> Result<Option<String>> {
    let row = db::query(
        "SELECT key_id FROM user_totp UNION ALL SELECT key_id FROM totp_enrollments
         UNION ALL SELECT key_id FROM backup_codes LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|row| row.try_get("key_id")).transpose()
}
