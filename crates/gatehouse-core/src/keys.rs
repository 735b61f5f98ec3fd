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
use crate::data_key::{DataKey, Sealed};
use crate::db::{self, Lock, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::notices::{self, Audience, NewNotice};
use crate::sessions::{self, EndReason, Ending, Sessions};

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
        if sealed_secrets_exist(&mut tx).await? {
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
        let stored = source.load()?;
        if !some_secret_unopenable(&mut tx, stored.as_ref()).await? {
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
            ended += sessions::end_matching(
                &mut tx,
                Sessions::OfUser(*user),
                Ending::by_system(EndReason::TwoFactorReset, now),
            )
            .await?;
        }
        let notice = NewNotice {
            kind: "two_factor.off.reset",
            title: "Two-factor authentication reset".to_owned(),
            body: format!(
                "The key protecting two-factor secrets on this Gatehouse was lost, so {} turned off everyone's \
                 two-factor authentication. Set it up again from Security → Two-factor authentication.",
                admin.email
            ),
            subject: None,
            session: None,
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&users), &notice, now).await?;
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

/// Whether any two-factor secret or backup code is stored (sealed or keyed under some key).
async fn sealed_secrets_exist(conn: &mut Tx) -> Result<bool> {
    db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_totp) OR EXISTS (SELECT 1 FROM totp_enrollments)
                OR EXISTS (SELECT 1 FROM backup_codes)",
    )
    .fetch_one(conn)
    .await
}

/// Whether some stored secret was sealed (or keyed) under a key that `key` can't provide:
/// neither `key` itself nor an earlier key sealed under it (see [`previous_keys`]).
async fn some_secret_unopenable(conn: &mut Tx, key: Option<&DataKey>) -> Result<bool> {
    db::query_scalar(
        "SELECT EXISTS (
             SELECT 1 FROM (SELECT key_id FROM user_totp UNION ALL SELECT key_id FROM totp_enrollments
                            UNION ALL SELECT key_id FROM backup_codes) AS sealed
             WHERE sealed.key_id IS DISTINCT FROM $1
               AND sealed.key_id NOT IN (SELECT key_id FROM previous_data_keys WHERE sealed_with = $1))",
    )
    .bind(key.map(DataKey::id))
    .fetch_one(conn)
    .await
}

/// What earlier keys are sealed under: the current key, for this purpose only.
fn previous_key_context() -> &'static [u8] {
    b"gatehouse previous data key"
}

/// The earlier data keys `key` can open (an imported installation's), for the backup codes
/// keyed under them.
pub(crate) async fn previous_keys(db: &db::Pool, key: &DataKey) -> Result<Vec<DataKey>> {
    let rows = db::query("SELECT nonce, ciphertext, key_id FROM previous_data_keys WHERE sealed_with = $1")
        .bind(key.id())
        .fetch_all(db)
        .await?;
    let mut keys = Vec::new();
    for row in rows {
        let sealed = Sealed { key_id: key.id(), nonce: row.try_get("nonce")?, ciphertext: row.try_get("ciphertext")? };
        let bytes = key.open(previous_key_context(), &sealed)?;
        let bytes: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| Error::Internal("a previous data key is damaged".to_owned()))?;
        keys.push(DataKey::from_bytes(bytes));
    }
    Ok(keys)
}

/// Keeps `previous` (an imported installation's key), sealed under `key`.
pub(crate) async fn keep_previous_key(conn: &mut Tx, key: &DataKey, previous: &DataKey, now: Timestamp) -> Result<()> {
    let sealed = key.seal(previous_key_context(), previous.expose())?;
    db::query(
        "INSERT INTO previous_data_keys (key_id, sealed_with, nonce, ciphertext, added_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key_id) DO NOTHING",
    )
    .bind(previous.id())
    .bind(key.id())
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
