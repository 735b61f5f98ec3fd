//! Two-factor authentication: enrolling an authenticator app (TOTP), backup codes,
//! checking a second factor (with replay protection), disabling, an admin's reset, and
//! the step-up ("sudo mode") that sensitive changes require.

use zeroize::Zeroizing;

use crate::activity::AttemptReason;
use crate::alerts::AlertKind;
use crate::audit;
use crate::backup_codes;
use crate::clock::Timestamp;
use crate::confirmation::Proof;
use crate::context::Caller;
use crate::data_key::{DataKey, Sealed};
use crate::db::{self, Row, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::keys;
use crate::notices::{self, Audience, NewNotice};
use crate::sessions::{self, Actor, EndReason, Ending, Obligation, Sessions};
use crate::totp;

/// Which second factor was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorKind {
    /// A code from an authenticator app.
    Totp,
    /// A one-time backup code.
    BackupCode,
}

impl SecondFactorKind {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorKind::Totp => "totp",
            SecondFactorKind::BackupCode => "backup_code",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "totp" => Some(SecondFactorKind::Totp),
            "backup_code" => Some(SecondFactorKind::BackupCode),
            _ => None,
        }
    }

    /// Which kind an answer looks like: six digits are an authenticator code, anything
    /// else is taken for a backup code.
    pub(crate) fn of_answer(answer: &str) -> Self {
        if totp::normalise(answer).is_some() { SecondFactorKind::Totp } else { SecondFactorKind::BackupCode }
    }

    /// The activity reason for a wrong answer of this kind.
    pub(crate) fn failure_reason(self) -> AttemptReason {
        match self {
            SecondFactorKind::Totp => AttemptReason::WrongCode,
            SecondFactorKind::BackupCode => AttemptReason::WrongBackupCode,
        }
    }
}

/// A secret shown for enrolment. Everything here is secret: wiped on drop.
#[derive(Debug)]
pub struct Enrollment {
    /// The key in base32, as authenticator apps take it.
    pub secret: Zeroizing<String>,
    /// The key in groups of four, for typing by hand.
    pub secret_grouped: Zeroizing<String>,
    /// The `otpauth://` URI (what the QR code holds).
    pub uri: Zeroizing<String>,
}

/// A new set of backup codes, shown once.
#[derive(Debug)]
pub struct BackupCodes(pub Vec<Zeroizing<String>>);

/// A user's two-factor state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorStatus {
    /// An authenticator app is enrolled.
    pub enabled: bool,
    /// Since when.
    pub enabled_at: Option<Timestamp>,
    /// Unused backup codes left.
    pub backup_codes_left: u32,
    /// Policy requires two-factor authentication.
    pub required: bool,
}

/// Backup codes left at or below which the user is warned.
pub const BACKUP_CODES_LOW: u32 = 3;

/// The context a user's TOTP secret is sealed under (binds it to that user).
pub(crate) fn totp_context(user: UserId) -> Vec<u8> {
    format!("gatehouse totp secret, user {user}").into_bytes()
}

impl Gatehouse {
    /// Starts enrolling an authenticator app (step-up required, see
    /// [`Actor::require_step_up_to_enroll`]): a new secret, kept sealed until the first code
    /// confirms it. Starting again replaces an unconfirmed secret.
    pub async fn begin_two_factor_enrollment(&self, caller: Caller<'_>) -> Result<Enrollment> {
        let actor = self.authenticate_for(caller, Obligation::EnrollTwoFactor).await?;
        if actor.user.two_factor_enabled {
            return Err(Error::TwoFactorAlreadyOn);
        }
        actor.require_step_up_to_enroll()?;
        let key = self.data_key().await?;
        let secret = totp::generate_secret();
        let sealed = key.seal(&totp_context(actor.user.id), &secret)?;
        db::query(
            "INSERT INTO totp_enrollments (user_id, key_id, nonce, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce,
                 ciphertext = excluded.ciphertext, created_at = excluded.created_at",
        )
        .bind(actor.user.id)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(actor.now)
        .execute(&self.db)
        .await?;
        let base32 = totp::base32(&secret);
        Ok(Enrollment {
            secret_grouped: totp::grouped(&base32),
            uri: totp::otpauth_uri(&actor.user.email, &secret),
            secret: base32,
        })
    }

    /// Confirms enrolment with a code from the app (step-up required, as to begin):
    /// two-factor authentication is on, the user's other sessions are alerted, and the first
    /// set of backup codes is returned (shown once).
    pub async fn confirm_two_factor_enrollment(&self, caller: Caller<'_>, code: &str) -> Result<BackupCodes> {
        let actor = self.authenticate_for(caller, Obligation::EnrollTwoFactor).await?;
        if actor.user.two_factor_enabled {
            return Err(Error::TwoFactorAlreadyOn);
        }
        if totp::normalise(code).is_none() {
            return Err(Error::invalid("Code", "enter the 6-digit code your authenticator app shows."));
        }
        actor.require_step_up_to_enroll()?;
        let row = db::query("SELECT key_id, nonce, ciphertext FROM totp_enrollments WHERE user_id = $1")
            .bind(actor.user.id)
            .fetch_optional(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "Two-factor set-up" })?;
        let sealed = sealed_from_row(&row)?;
        let key = self.data_key().await?;
        let secret = key.open(&totp_context(actor.user.id), &sealed)?;
        let step = totp::matching_step(&secret, code, actor.now, None)?.ok_or(Error::InvalidCode)?;
        let codes = backup_codes::generate();
        let mut tx = self.write_tx().await?;
        db::query(
            "INSERT INTO user_totp (user_id, key_id, nonce, ciphertext, last_step, enabled_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(actor.user.id)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(step_i64(step))
        .bind(actor.now)
        .execute(&mut tx)
        .await?;
        db::query("DELETE FROM totp_enrollments WHERE user_id = $1").bind(actor.user.id).execute(&mut tx).await?;
        replace_backup_codes(&mut tx, &key, actor.user.id, &codes, actor.now).await?;
        audit::record(&mut tx, &actor, "2fa.enabled", Some(actor.user.id), "authenticator app enrolled").await?;
        let notice = NewNotice {
            kind: AlertKind::TwoFactorOn.as_str(),
            title: "Two-factor authentication turned on".to_owned(),
            body: "Signing in now needs a code from the authenticator app set up just now. If you didn't do this, \
                   someone has your session: sign out everywhere, change your password and tell your administrator."
                .to_owned(),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[actor.user.id]), &notice, actor.now).await?;
        tx.commit().await?;
        Ok(BackupCodes(codes))
    }

    /// The caller's (or, for admins, a user's) two-factor state.
    pub async fn two_factor_status(&self, caller: Caller<'_>, user: Option<UserId>) -> Result<TwoFactorStatus> {
        let actor = self.authenticate_pending(caller).await?;
        let user = actor.may_see(user)?;
        let row = db::query(
            "SELECT (SELECT enabled_at FROM user_totp WHERE user_id = $1) AS enabled_at,
                    (SELECT COUNT(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL) AS left",
        )
        .bind(user)
        .fetch_one(&self.db)
        .await?;
        let enabled_at: Option<Timestamp> = row.try_get("enabled_at")?;
        let left: i64 = row.try_get("left")?;
        Ok(TwoFactorStatus {
            enabled: enabled_at.is_some(),
            enabled_at,
            backup_codes_left: u32::try_from(left).unwrap_or(0),
            required: actor.policy.require_two_factor,
        })
    }

    /// Replaces the caller's backup codes with a new set (step-up required); the old ones
    /// stop working.
    pub async fn regenerate_backup_codes(&self, caller: Caller<'_>) -> Result<BackupCodes> {
        let actor = self.authenticate(caller).await?;
        if !actor.user.two_factor_enabled {
            return Err(Error::TwoFactorOff);
        }
        actor.require_step_up()?;
        let key = self.data_key().await?;
        let codes = backup_codes::generate();
        let mut tx = self.write_tx().await?;
        replace_backup_codes(&mut tx, &key, actor.user.id, &codes, actor.now).await?;
        audit::record(&mut tx, &actor, "2fa.backup_codes_regenerated", Some(actor.user.id), "new backup codes").await?;
        tx.commit().await?;
        Ok(BackupCodes(codes))
    }

    /// Turns two-factor authentication off, confirmed with the password and a current code
    /// (or a backup code). Refused while policy requires it.
    pub async fn disable_two_factor(&self, caller: Caller<'_>, password: &str, code: &str) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        if actor.policy.require_two_factor {
            return Err(Error::TwoFactorRequired);
        }
        if !actor.user.two_factor_enabled {
            return Err(Error::TwoFactorOff);
        }
        self.confirm_in_session((&actor).into(), Proof::Password(password)).await?;
        self.confirm_second_factor(&actor, code).await?;
        let mut tx = self.write_tx().await?;
        remove_two_factor(&mut tx, actor.user.id).await?;
        audit::record(&mut tx, &actor, "2fa.disabled", Some(actor.user.id), "turned off by the user").await?;
        let notice = NewNotice {
            kind: "two_factor.off",
            title: "Two-factor authentication turned off".to_owned(),
            body: "Signing in now needs only your password. If you didn't do this, change your password and tell your \
                   administrator."
                .to_owned(),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[actor.user.id]), &notice, actor.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resets another user's two-factor authentication (admins, with step-up), e.g. after
    /// they lost their phone: their authenticator and backup codes are removed and their
    /// sessions end; they enrol again (at next sign-in when policy requires it).
    pub async fn reset_two_factor(&self, caller: Caller<'_>, user: UserId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        actor.require_step_up()?;
        if user == actor.user.id {
            return Err(Error::invalid("User", "turn off your own two-factor authentication from Security."));
        }
        let target = self.user(user).await?;
        let mut tx = self.write_tx().await?;
        remove_two_factor(&mut tx, user).await?;
        let ended =
            sessions::end_matching(&mut tx, Sessions::OfUser(user), Ending::by(&actor, EndReason::TwoFactorReset))
                .await?;
        let detail = format!("reset the two-factor authentication of {}, {ended} session(s) ended", target.email);
        audit::record(&mut tx, &actor, "2fa.reset", Some(user), &detail).await?;
        let notice = NewNotice {
            kind: "two_factor.off.reset",
            title: "Two-factor authentication reset".to_owned(),
            body: format!(
                "{} reset your two-factor authentication; set it up again at your next sign-in.",
                actor.user.email
            ),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[user]), &notice, actor.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Confirms it's really the user before sensitive changes: an authenticator or backup
    /// code when two-factor authentication is on, the password otherwise. Opens the
    /// policy's step-up window for this session.
    pub async fn step_up(&self, caller: Caller<'_>, answer: &str) -> Result<()> {
        let actor = self.authenticate_pending(caller).await?;
        if actor.user.two_factor_enabled {
            self.confirm_second_factor(&actor, answer).await?;
        } else {
            self.confirm_in_session((&actor).into(), Proof::Password(answer)).await?;
        }
        db::query("UPDATE sessions SET stepped_up_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(actor.session_id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Checks a second factor for `user` and uses it up: an authenticator code's time step
    /// can't be used again, a backup code is spent. `None` when it is not valid.
    pub(crate) async fn use_second_factor(
        &self,
        user: UserId,
        answer: &str,
        now: Timestamp,
    ) -> Result<Option<SecondFactorKind>> {
        match SecondFactorKind::of_answer(answer) {
            SecondFactorKind::Totp => self.use_totp_code(user, answer, now).await,
            SecondFactorKind::BackupCode => self.use_backup_code(user, answer, now).await,
        }
    }

    async fn use_totp_code(&self, user: UserId, code: &str, now: Timestamp) -> Result<Option<SecondFactorKind>> {
        let Some(row) = db::query("SELECT key_id, nonce, ciphertext, last_step FROM user_totp WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let sealed = sealed_from_row(&row)?;
        let last_step: i64 = row.try_get("last_step")?;
        let secret = self.data_key().await?.open(&totp_context(user), &sealed)?;
        let last_used = u64::try_from(last_step).ok();
        let Some(step) = totp::matching_step(&secret, code, now, last_used)? else { return Ok(None) };
        // Only one caller can move last_step past this step: a concurrent replay loses.
        let moved = db::query("UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND last_step < $3")
            .bind(step_i64(step))
            .bind(user)
            .bind(step_i64(step))
            .execute(&self.db)
            .await?;
        Ok((moved == 1).then_some(SecondFactorKind::Totp))
    }

    /// Spends a backup code and — with [`BACKUP_CODES_LOW`] or fewer left — says so, in one
    /// transaction: of two tries with the same code exactly one wins, and the count the
    /// notice gives is the count after that one.
    async fn use_backup_code(&self, user: UserId, answer: &str, now: Timestamp) -> Result<Option<SecondFactorKind>> {
        let Some(code) = backup_codes::normalise(answer) else { return Ok(None) };
        let key = self.data_key().await?;
        let hash = key.mac(code.as_bytes())?;
        // Codes made on an installation this one was imported from are keyed under its key.
        let earlier =
            keys::previous_keys(&self.db, &key).await?.first().map(|old| old.mac(code.as_bytes())).transpose()?;
        let mut tx = self.write_tx().await?;
        let spent = db::query(
            // `used_at IS NULL` on the row itself, not only in the subquery: PostgreSQL re-checks
            // it when a concurrent spend of the same code commits first (READ COMMITTED), so
            // exactly one spend wins.
            "UPDATE backup_codes SET used_at = $1
             WHERE id = (SELECT id FROM backup_codes
                         WHERE user_id = $2 AND code_hash IN ($3, $4) AND used_at IS NULL LIMIT 1)
               AND used_at IS NULL",
        )
        .bind(now)
        .bind(user)
        .bind(&hash)
        .bind(earlier.as_ref().unwrap_or(&hash))
        .execute(&mut tx)
        .await?;
        if spent != 1 {
            return Ok(None);
        }
        let left: i64 = db::query_scalar("SELECT count(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .fetch_one(&mut tx)
            .await?;
        if left <= i64::from(BACKUP_CODES_LOW) {
            let notice = NewNotice {
                kind: "two_factor.backup_codes_low",
                title: format!("{left} backup code(s) left"),
                body: "Make a new set in Security → Two-factor authentication before you run out.".to_owned(),
                subject: None,
                session: None,
                attempt: None,
            };
            notices::raise(&mut tx, Audience::Users(&[user]), &notice, now).await?;
        }
        tx.commit().await?;
        Ok(Some(SecondFactorKind::BackupCode))
    }

    /// Checks a second factor from a signed-in user (step-up, disabling), counted against
    /// the session's wrong answers (see `confirmation`); a backup code used is audited.
    async fn confirm_second_factor(&self, actor: &Actor, answer: &str) -> Result<()> {
        let used = self.confirm_in_session(actor.into(), Proof::SecondFactor(answer)).await?;
        if used == Some(SecondFactorKind::BackupCode) {
            let mut tx = self.write_tx().await?;
            audit::record(&mut tx, actor, "2fa.backup_code_used", Some(actor.user.id), "to confirm a change").await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// Removes a user's authenticator, pending enrolment and backup codes.
async fn remove_two_factor(conn: &mut Tx, user: UserId) -> Result<()> {
    for sql in [
        "DELETE FROM user_totp WHERE user_id = $1",
        "DELETE FROM totp_enrollments WHERE user_id = $1",
        "DELETE FROM backup_codes WHERE user_id = $1",
    ] {
        db::query(sql).bind(user).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn replace_backup_codes(
    conn: &mut Tx,
    key: &DataKey,
    user: UserId,
    codes: &[Zeroizing<String>],
    now: Timestamp,
) -> Result<()> {
    db::query("DELETE FROM backup_codes WHERE user_id = $1").bind(user).execute(&mut *conn).await?;
    for code in codes {
        let normalised = backup_codes::normalise(code).ok_or_else(|| Error::Internal("bad backup code".to_owned()))?;
        db::query("INSERT INTO backup_codes (user_id, key_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user)
            .bind(key.id())
            .bind(key.mac(normalised.as_bytes())?)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn sealed_from_row(row: &Row) -> Result<Sealed> {
    Ok(Sealed { key_id: row.try_get("key_id")?, nonce: row.try_get("nonce")?, ciphertext: row.try_get("ciphertext")? })
}

fn step_i64(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}
