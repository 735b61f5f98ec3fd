//! User accounts: the first administrator, creating users, roles, disabling, password
//! changes and admin resets.

use zeroize::Zeroizing;

use crate::approvers;
use crate::audit;
use crate::clock::Timestamp;
use crate::confirmation::Proof;
use crate::context::{Caller, Origin, check_label};
use crate::db::{self, Row};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::UserId;
use crate::notices::{self, Audience, NewNotice};
use crate::passwords::check_new_password;
use crate::sessions::{self, EndReason, Ending, Obligation, Sessions, SignedIn};
use crate::throttle;

/// Longest email address accepted (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest display name accepted.
pub const NAME_MAX_CHARS: usize = 100;

/// A syntactically valid email address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Validates and normalises what the user typed.
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid("Email", "enter an email address."));
        }
        if trimmed.chars().count() > EMAIL_MAX_CHARS {
            return Err(Error::invalid("Email", format!("must be at most {EMAIL_MAX_CHARS} characters.")));
        }
        if !email_address::EmailAddress::is_valid(trimmed) || !trimmed.contains('@') {
            return Err(Error::invalid("Email", "enter a valid email address, like name@example.com."));
        }
        Ok(Email(trimmed.to_lowercase()))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Manages users and policy; sees everyone's sessions and activity.
    Admin,
    /// Manages shared withdrawal addresses and withdrawals.
    Finance,
    /// Manages their own account.
    Member,
}

impl Role {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Member => "member",
        }
    }

    /// Parses `admin`, `finance` or `member`.
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "finance" => Ok(Role::Finance),
            "member" => Ok(Role::Member),
            _ => Err(Error::invalid("Role", "must be admin, finance or member.")),
        }
    }
}

/// A user account as shown to the user and admins (never with its password hash).
#[derive(Debug, Clone)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When the account was created.
    pub created_at: Timestamp,
    /// When the password last changed.
    pub password_changed_at: Timestamp,
    /// Set after an admin reset: the user should choose a new password.
    pub must_change_password: bool,
    /// When the account was disabled, if it is.
    pub disabled_at: Option<Timestamp>,
    /// When sign-in for this email is blocked until, after repeated failures.
    pub locked_until: Option<Timestamp>,
    /// Locked after the policy's hard limit of consecutive failures, until an admin unlocks it.
    pub hard_locked: bool,
    /// Two-factor authentication (an authenticator app) is on.
    pub two_factor_enabled: bool,
    /// An admin or finance user an admin created, or whose password an admin reset, is a
    /// new approver: from this time on (the protection change delay later), not before, they
    /// may approve withdrawals and confirm policy changes. None: no wait.
    pub approves_from: Option<Timestamp>,
}

impl User {
    /// True for administrators.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A user to create. The password is wiped from memory when this is dropped.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Email as typed.
    pub email: String,
    /// Display name as typed (empty: derived from the email).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Initial password.
    pub password: Zeroizing<String>,
}

/// A validated [`NewUser`].
struct CheckedUser {
    email: Email,
    name: String,
    role: Role,
    /// The password's zxcvbn score.
    password_score: u8,
}

impl NewUser {
    fn check(&self) -> Result<CheckedUser> {
        let email = Email::parse(&self.email)?;
        let name = match self.name.trim() {
            "" => email.as_str().split('@').next().unwrap_or_default().to_owned(),
            name => name.to_owned(),
        };
        check_label("Name", &name, NAME_MAX_CHARS)?;
        let password_score = check_new_password(&self.password, &[email.as_str(), &name])?;
        Ok(CheckedUser { email, name, role: self.role, password_score })
    }
}

/// The columns [`user_from_row`] reads, from a `users` table aliased `u`; a macro so
/// queries that use it stay `&'static str` (sqlx 0.9 refuses runtime-built SQL by default).
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.role, u.created_at, u.password_changed_at, u.must_change_password, u.disabled_at, \
         u.approves_from, EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id) AS two_factor_enabled"
    };
}
pub(crate) use user_columns;

pub(crate) fn user_from_row(row: &Row) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: Role::parse(&row.try_get::<String>("role")?)?,
        created_at: row.try_get("created_at")?,
        password_changed_at: row.try_get("password_changed_at")?,
        must_change_password: row.try_get("must_change_password")?,
        disabled_at: row.try_get("disabled_at")?,
        locked_until: None,
        hard_locked: false,
        two_factor_enabled: row.try_get("two_factor_enabled")?,
        approves_from: row.try_get("approves_from")?,
    })
}

impl Gatehouse {
    /// True once the first administrator exists.
    pub async fn is_set_up(&self) -> Result<bool> {
        let exists: bool = db::query_scalar("SELECT EXISTS (SELECT 1 FROM users)").fetch_one(&self.db).await?;
        Ok(exists)
    }

    /// Creates the first administrator and signs them in. Refused once any user exists.
    pub async fn create_first_admin(&self, new: NewUser, origin: &Origin, now: Timestamp) -> Result<SignedIn> {
        let new = NewUser { role: Role::Admin, ..new };
        let checked = new.check()?;
        if self.is_set_up().await? {
            return Err(Error::AlreadySetUp);
        }
        let hash = self.hasher.hash(&new.password).await?;
        let mut tx = self.write_tx().await?;
        // One statement, so two processes racing through first run cannot both succeed
        // (SQLite: under the write lock; PostgreSQL: the unique index users_one_first_admin).
        let inserted: Result<Option<UserId>> = db::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, password_changed_at, created_at, password_score)
             SELECT $1, $2, 'admin', $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM users)
             RETURNING id",
        )
        .bind(checked.email.as_str())
        .bind(&checked.name)
        .bind(&hash)
        .bind(now)
        .bind(now)
        .bind(i64::from(checked.password_score))
        .fetch_optional(&mut tx)
        .await;
        let id = match inserted {
            Ok(Some(id)) => id,
            Ok(None) => return Err(Error::AlreadySetUp),
            Err(err) if err.is_unique_violation() => return Err(Error::AlreadySetUp),
            Err(err) => return Err(err),
        };
        audit::record_system(&mut tx, now, "user.created", Some(id), "first administrator created").await?;
        tx.commit().await?;
        // A brand-new account has no second factor: the outcome is always a session.
        self.sign_in(checked.email.as_str(), &new.password, origin, now)
            .await?
            .signed_in()
            .ok_or_else(|| Error::Internal("the first administrator could not be signed in".to_owned()))
    }

    /// Creates a user (admins, after a step-up). The admin chose the password, so it is
    /// temporary: the user must choose their own before doing anything else.
    pub async fn create_user(&self, caller: Caller<'_>, new: NewUser) -> Result<User> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let checked = new.check()?;
        actor.require_step_up()?;
        let hash = self.hasher.hash(&new.password).await?;
        let mut tx = self.write_tx().await?;
        let inserted: Option<UserId> = db::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, password_changed_at, must_change_password,
                                created_at, created_by, password_score)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $7, $8) ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(checked.email.as_str())
        .bind(&checked.name)
        .bind(checked.role.as_str())
        .bind(&hash)
        .bind(actor.now)
        .bind(actor.now)
        .bind(actor.user.id)
        .bind(i64::from(checked.password_score))
        .fetch_optional(&mut tx)
        .await?;
        let id = inserted.ok_or(Error::EmailTaken)?;
        let detail = format!("created {} as {}", checked.email, checked.role.as_str());
        audit::record(&mut tx, &actor, "user.created", Some(id), &detail).await?;
        approvers::hold_new(&mut tx, &actor, id, checked.email.as_str(), checked.role, approvers::Change::Added)
            .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Every user with their lockout state (admins only).
    pub async fn list_users(&self, caller: Caller<'_>) -> Result<Vec<User>> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let rows = db::query(concat!(
            "SELECT ",
            user_columns!(),
            ", t.blocked_until, t.hard_locked_at
             FROM users u LEFT JOIN signin_throttle t ON t.scope = 'account' AND t.key = u.email
             ORDER BY u.email"
        ))
        .fetch_all(&self.db)
        .await?;
        rows.iter()
            .map(|row| {
                let mut user = user_from_row(row)?;
                let blocked: Option<Timestamp> = row.try_get("blocked_until")?;
                user.locked_until = blocked.filter(|until| *until > actor.now);
                user.hard_locked = row.try_get::<Option<Timestamp>>("hard_locked_at")?.is_some();
                Ok(user)
            })
            .collect()
    }

    /// Finds a user by email: admins may look anyone up, others only themselves. A member
    /// naming anyone else is refused before the lookup, so the answer is the same whether or
    /// not that email has an account.
    pub async fn find_user(&self, caller: Caller<'_>, email: &str) -> Result<User> {
        let actor = self.authenticate(caller).await?;
        let email = Email::parse(email)?;
        if !actor.user.is_admin() && email.as_str() != actor.user.email {
            return Err(Error::Forbidden);
        }
        let user = db::query(concat!("SELECT ", user_columns!(), " FROM users u WHERE u.email = $1"))
            .bind(email.as_str())
            .fetch_optional(&self.db)
            .await?
            .map(|row| user_from_row(&row))
            .transpose()?
            .ok_or(Error::NotFound { what: "User" })?;
        actor.may_see(Some(user.id))?;
        Ok(user)
    }

    /// Disables or enables a user (admins only). Disabling ends all their sessions.
    pub async fn set_user_disabled(&self, caller: Caller<'_>, user: UserId, disabled: bool) -> Result<User> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        if disabled && user == actor.user.id {
            return Err(Error::WouldLockOut { reason: "You cannot disable your own account." });
        }
        let target = self.user(user).await?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        let disabled_at = disabled.then_some(actor.now);
        db::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled_at)
            .bind(user)
            .execute(&mut tx)
            .await?;
        let (action, detail) = if disabled {
            let ended =
                sessions::end_matching(&mut tx, Sessions::OfUser(user), Ending::by(&actor, EndReason::UserDisabled))
                    .await?;
            ("user.disabled", format!("disabled {}, {ended} session(s) ended", target.email))
        } else {
            ("user.enabled", format!("enabled {}", target.email))
        };
        audit::record(&mut tx, &actor, action, Some(user), &detail).await?;
        tx.commit().await?;
        self.user(user).await
    }

    /// Sets a new, temporary password for another user (admins only): their sessions end,
    /// sign-in lockout is cleared, and they must choose their own password before anything else.
    pub async fn reset_user_password(&self, caller: Caller<'_>, user: UserId, password: &str) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        if user == actor.user.id {
            return Err(Error::invalid("User", "use Change password for your own account."));
        }
        let target = self.user(user).await?;
        let score = check_new_password(password, &[&target.email, &target.name])?;
        actor.require_step_up()?;
        let hash = self.hasher.hash(password).await?;
        let mut tx = self.write_tx().await?;
        db::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = TRUE,
                              password_score = $3 WHERE id = $4",
        )
        .bind(&hash)
        .bind(actor.now)
        .bind(i64::from(score))
        .bind(user)
        .execute(&mut tx)
        .await?;
        let ended =
            sessions::end_matching(&mut tx, Sessions::OfUser(user), Ending::by(&actor, EndReason::PasswordReset))
                .await?;
        throttle::clear(&mut tx, throttle::Scope::Account, &target.email).await?;
        let detail = format!("reset the password of {}, {ended} session(s) ended", target.email);
        audit::record(&mut tx, &actor, "user.password_reset", Some(user), &detail).await?;
        let notice = NewNotice {
            kind: "password.changed.reset",
            title: "Your password was reset".to_owned(),
            body: format!("{} reset your password; you choose a new one at your next sign-in.", actor.user.email),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[user]), &notice, actor.now).await?;
        let reset = approvers::Change::PasswordReset;
        approvers::hold_new(&mut tx, &actor, user, &target.email, target.role, reset).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a sign-in lockout on a user's email (admins only).
    pub async fn unlock_user(&self, caller: Caller<'_>, user: UserId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let target = self.user(user).await?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        throttle::clear(&mut tx, throttle::Scope::Account, &target.email).await?;
        audit::record(
            &mut tx,
            &actor,
            "user.unlocked",
            Some(user),
            &format!("lifted the sign-in lockout of {}", target.email),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the caller's own password after checking the current one. Every other
    /// session of the user ends. This is the one thing a user with a temporary password may do.
    pub async fn change_password(&self, caller: Caller<'_>, current: &str, new: &str) -> Result<()> {
        let actor = self.authenticate_for(caller, Obligation::ChangePassword).await?;
        // The current password confirms it's the user; with 2FA on, a fresh code is due too.
        if actor.user.two_factor_enabled {
            actor.require_step_up()?;
        }
        self.confirm_in_session((&actor).into(), Proof::Password(current)).await?;
        if current == new {
            return Err(Error::WeakPassword { reason: "Choose a password different from the current one.".to_owned() });
        }
        let score = check_new_password(new, &[&actor.user.email, &actor.user.name])?;
        let hash = self.hasher.hash(new).await?;
        let mut tx = self.write_tx().await?;
        db::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = FALSE,
                              password_score = $3 WHERE id = $4",
        )
        .bind(&hash)
        .bind(actor.now)
        .bind(i64::from(score))
        .bind(actor.user.id)
        .execute(&mut tx)
        .await?;
        let others = Sessions::OfUserExcept(actor.user.id, actor.session_id);
        let ended = sessions::end_matching(&mut tx, others, Ending::by(&actor, EndReason::PasswordChanged)).await?;
        audit::record(
            &mut tx,
            &actor,
            "password.changed",
            Some(actor.user.id),
            &format!("{ended} other session(s) ended"),
        )
        .await?;
        let notice = NewNotice {
            kind: "password.changed",
            title: "Your password was changed".to_owned(),
            body: format!(
                "{ended} other session(s) were signed out. If you didn't change it, tell your administrator at once."
            ),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[actor.user.id]), &notice, actor.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads one user by id.
    pub(crate) async fn user(&self, id: UserId) -> Result<User> {
        db::query(concat!("SELECT ", user_columns!(), " FROM users u WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?
            .map(|row| user_from_row(&row))
            .transpose()?
            .ok_or(Error::NotFound { what: "User" })
    }
}
