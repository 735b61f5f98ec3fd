//! Which events alert whom, and how: the catalogue of alert kinds, each user's choice per
//! kind (a native desktop notification, the in-app centre only, or off) and the defaults.
//! Raising and listing the alerts themselves is `notices`.

use std::time::Duration;

use crate::accounts::{Role, User};
use crate::activity::AttemptSource;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::Caller;
use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::{ActivityId, SessionId, UserId};
use crate::notices::{self, Audience, NewNotice};
use crate::risk::RiskFlags;
use crate::sessions::{self, EndReason, Ending, Sessions};

/// A kind of alert a user can switch between native, in-app only and off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// A new sign-in to your account (from another session).
    NewSignIn,
    /// A sign-in to your account with a risk flag.
    RiskySignIn,
    /// Many failed sign-ins on your account.
    FailureBurst,
    /// Sign-in to your account is locked until an admin unlocks it.
    AccountLocked,
    /// Two-factor authentication was turned on for your account.
    TwoFactorOn,
    /// Your two-factor authentication was turned off or reset.
    TwoFactorOff,
    /// Three or fewer backup codes left.
    BackupCodesLow,
    /// Your password was changed.
    PasswordChanged,
    /// An address in your book (or the shared one) was added, changed or deleted.
    AddressBook,
    /// A withdrawal to approve, or your request decided.
    Withdrawals,
    /// Admins: every new sign-in of any user.
    EveryoneSignIn,
    /// Admins: every flagged sign-in of any user.
    EveryoneRiskySignIn,
    /// Admins: an account locked until an admin unlocks it.
    EveryoneLocked,
    /// Admins and finance: a policy change that weakens protection, or a new approver.
    PolicyWeakened,
}

/// How an alert reaches its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A native desktop notification and an entry in the in-app centre.
    Native,
    /// The in-app centre only.
    InApp,
    /// Not at all.
    Off,
}

impl Delivery {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Native => "native",
            Delivery::InApp => "in_app",
            Delivery::Off => "off",
        }
    }

    /// Parses a stable name.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "native" => Ok(Delivery::Native),
            "in_app" => Ok(Delivery::InApp),
            "off" => Ok(Delivery::Off),
            _ => Err(Error::invalid("Delivery", "must be native, in_app or off.")),
        }
    }
}

impl AlertKind {
    /// Every kind, in the order settings list them.
    pub const ALL: [AlertKind; 14] = [
        AlertKind::NewSignIn,
        AlertKind::RiskySignIn,
        AlertKind::FailureBurst,
        AlertKind::AccountLocked,
        AlertKind::TwoFactorOn,
        AlertKind::TwoFactorOff,
        AlertKind::BackupCodesLow,
        AlertKind::PasswordChanged,
        AlertKind::AddressBook,
        AlertKind::Withdrawals,
        AlertKind::EveryoneSignIn,
        AlertKind::EveryoneRiskySignIn,
        AlertKind::EveryoneLocked,
        AlertKind::PolicyWeakened,
    ];

    /// Stable name, stored in settings and as the notice kind's prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NewSignIn => "sign_in.new",
            AlertKind::RiskySignIn => "sign_in.risky",
            AlertKind::FailureBurst => "sign_in.failure_burst",
            AlertKind::AccountLocked => "sign_in.locked",
            AlertKind::TwoFactorOn => "two_factor.on",
            AlertKind::TwoFactorOff => "two_factor.off",
            AlertKind::BackupCodesLow => "two_factor.backup_codes_low",
            AlertKind::PasswordChanged => "password.changed",
            AlertKind::AddressBook => "address",
            AlertKind::Withdrawals => "withdrawal",
            AlertKind::EveryoneSignIn => "everyone.sign_in",
            AlertKind::EveryoneRiskySignIn => "everyone.risky",
            AlertKind::EveryoneLocked => "everyone.locked",
            AlertKind::PolicyWeakened => "policy.weakened",
        }
    }

    /// What the settings page calls it.
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::NewSignIn => "New sign-in to your account",
            AlertKind::RiskySignIn => "Sign-in with a warning (new device or place, impossible travel…)",
            AlertKind::FailureBurst => "Many failed sign-ins on your account",
            AlertKind::AccountLocked => "Sign-in to your account locked after too many failures",
            AlertKind::TwoFactorOn => "Two-factor authentication turned on",
            AlertKind::TwoFactorOff => "Two-factor authentication turned off or reset",
            AlertKind::BackupCodesLow => "Backup codes running low",
            AlertKind::PasswordChanged => "Password changed",
            AlertKind::AddressBook => "Withdrawal address added, changed or deleted",
            AlertKind::Withdrawals => "Withdrawal requests to approve, and decisions on yours",
            AlertKind::EveryoneSignIn => "Every new sign-in of any user",
            AlertKind::EveryoneRiskySignIn => "Every flagged sign-in of any user",
            AlertKind::EveryoneLocked => "Any user's account locked after too many failures",
            AlertKind::PolicyWeakened => "A change that weakens protection (a policy change, a new approver)",
        }
    }

    /// Parses a stable name.
    pub fn parse(text: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| Error::invalid("Alert", "unknown kind."))
    }

    /// The kind a notice belongs to (`address.added` → `AddressBook`); `None` for a notice
    /// that is not an alert (always in-app).
    pub fn of_notice(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alert| kind == alert.as_str() || kind.starts_with(&format!("{}.", alert.as_str())))
    }

    /// Whether users with `role` may receive it (the "everyone" kinds are for admins, policy
    /// changes for admins and finance).
    pub fn applies_to(self, role: Role) -> bool {
        match self {
            AlertKind::EveryoneSignIn | AlertKind::EveryoneRiskySignIn | AlertKind::EveryoneLocked => {
                role == Role::Admin
            }
            AlertKind::PolicyWeakened => matches!(role, Role::Admin | Role::Finance),
            _ => true,
        }
    }

    /// Whether a user may turn it off. Alerts about your own account's security (a sign-in
    /// with a warning, 2FA on or off, your password, failures and lockouts) and about the
    /// team's protections can be in-app only, never off: whoever holds a stolen session
    /// must not be able to silence them.
    pub fn may_be_off(self) -> bool {
        !matches!(
            self,
            AlertKind::RiskySignIn
                | AlertKind::FailureBurst
                | AlertKind::AccountLocked
                | AlertKind::TwoFactorOn
                | AlertKind::TwoFactorOff
                | AlertKind::PasswordChanged
                | AlertKind::EveryoneLocked
                | AlertKind::PolicyWeakened
        )
    }

    /// How an alert of this kind reaches a user who chose `chosen`: the default when they
    /// chose nothing, in-app only when they chose off for a kind that may not be off (a
    /// choice made before the rule).
    pub(crate) fn delivery(self, chosen: Option<Delivery>) -> Delivery {
        match chosen {
            None => self.default_delivery(),
            Some(Delivery::Off) if !self.may_be_off() => Delivery::InApp,
            Some(chosen) => chosen,
        }
    }

    /// Before a user chooses: everything about your own account and money is native;
    /// backup codes running low waits in the app.
    pub fn default_delivery(self) -> Delivery {
        match self {
            AlertKind::BackupCodesLow => Delivery::InApp,
            _ => Delivery::Native,
        }
    }
}

/// One row of a user's alert settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertSetting {
    /// The kind.
    pub kind: AlertKind,
    /// The user's choice (or the default).
    pub delivery: Delivery,
}

impl Gatehouse {
    /// "This wasn't me" about the sign-in a notice reported: ends that session at once,
    /// marks its activity row and audits it. The caller should change their password next.
    /// Only for sign-ins to the caller's own account made after the caller's own.
    pub async fn disown_sign_in(&self, caller: Caller<'_>, notice: i64) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        let reported = self.notice(&actor, notice).await?.ok_or(Error::NotFound { what: "Sign-in alert" })?;
        let (Some(session), true) = (reported.session, reported.disownable) else {
            return Err(Error::invalid(
                "Alert",
                "only sign-ins to your account made after yours can be reported here; end older sessions from \
                 Security → Sessions.",
            ));
        };
        let attempt = reported.attempt;
        let mut tx = self.write_tx().await?;
        let ended =
            sessions::end_matching(&mut tx, Sessions::One(session), Ending::by(&actor, EndReason::Disowned)).await?;
        db::query("UPDATE signin_attempts SET disowned_at = $1 WHERE id = $2 AND user_id = $3")
            .bind(actor.now)
            .bind(attempt)
            .bind(actor.user.id)
            .execute(&mut tx)
            .await?;
        db::query("UPDATE notices SET read_at = coalesce(read_at, $1) WHERE id = $2")
            .bind(actor.now)
            .bind(notice)
            .execute(&mut tx)
            .await?;
        let detail = format!("said \"this wasn't me\" about session {}; {ended} session(s) ended", session.0);
        audit::record(&mut tx, &actor, "session.disowned", Some(actor.user.id), &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The caller's alert settings, every kind that applies to them.
    pub async fn alert_settings(&self, caller: Caller<'_>) -> Result<Vec<AlertSetting>> {
        let actor = self.authenticate(caller).await?;
        self.alert_settings_of(&actor.user).await
    }

    /// `user`'s alert settings, every kind that applies to them.
    pub(crate) async fn alert_settings_of(&self, user: &crate::accounts::User) -> Result<Vec<AlertSetting>> {
        let rows = db::query("SELECT kind, delivery FROM alert_settings WHERE user_id = $1")
            .bind(user.id)
            .fetch_all(&self.db)
            .await?;
        let mut chosen = Vec::new();
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let delivery: String = row.try_get("delivery")?;
            if let Ok(kind) = AlertKind::parse(&kind) {
                chosen.push((kind, Delivery::parse(&delivery)?));
            }
        }
        Ok(AlertKind::ALL
            .into_iter()
            .filter(|kind| kind.applies_to(user.role))
            .map(|kind| AlertSetting {
                kind,
                delivery: kind.delivery(chosen.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d)),
            })
            .collect())
    }

    /// Sets how the caller receives alerts of `kind` (step-up required: a stolen session must
    /// not quietly mute the alerts that would expose it). Some kinds can't be off
    /// ([`AlertKind::may_be_off`]); "off" for the others still keeps a record, already read.
    pub async fn set_alert_setting(&self, caller: Caller<'_>, kind: AlertKind, delivery: Delivery) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        if !kind.applies_to(actor.user.role) {
            return Err(Error::Forbidden);
        }
        if delivery == Delivery::Off && !kind.may_be_off() {
            return Err(Error::invalid(
                "Delivery",
                "alerts about your account's security can be in-app only, but not off.",
            ));
        }
        actor.require_step_up()?;
        db::query(
            "INSERT INTO alert_settings (user_id, kind, delivery) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery",
        )
        .bind(actor.user.id)
        .bind(kind.as_str())
        .bind(delivery.as_str())
        .execute(&self.db)
        .await?;
        Ok(())
    }
}

/// A successful sign-in, as alerts describe it.
pub(crate) struct SignInEvent<'a> {
    pub user: &'a User,
    pub session: SessionId,
    pub attempt: ActivityId,
    pub source: &'a AttemptSource,
    pub flags: RiskFlags,
    pub at: Timestamp,
}

/// "laptop-7 (Debian 12) · London, United Kingdom · 81.2.69.142 · Gatehouse desktop 0.1.0"
fn where_from(source: &AttemptSource) -> String {
    let ip = source.ip.map(|ip| format!(" · {ip}")).unwrap_or_default();
    format!("{} ({}) · {}{ip} · {}", source.device_name, source.os, source.location.label(), source.client)
}

fn flag_labels(flags: RiskFlags) -> String {
    flags.iter().map(|flag| flag.label()).collect::<Vec<_>>().join(", ")
}

/// Alerts for a successful sign-in: the user (every other session of theirs; the new one
/// itself never hears of it) and the admins who follow everyone's sign-ins.
pub(crate) async fn on_sign_in(conn: &mut Tx, event: &SignInEvent<'_>) -> Result<()> {
    let risky = !event.flags.is_empty();
    let from = where_from(event.source);
    let own = NewNotice {
        kind: if risky { AlertKind::RiskySignIn.as_str() } else { AlertKind::NewSignIn.as_str() },
        title: if risky {
            format!("Sign-in with a warning: {}", flag_labels(event.flags))
        } else {
            "New sign-in to your account".to_owned()
        },
        body: format!(
            "{} signed in on {from}. If this wasn't you, end that session and change your password.",
            event.user.email
        ),
        subject: Some(format!("session:{}", event.session.0)),
        session: Some(event.session),
        attempt: Some(event.attempt),
    };
    let everyone = NewNotice {
        kind: if risky { AlertKind::EveryoneRiskySignIn.as_str() } else { AlertKind::EveryoneSignIn.as_str() },
        title: if risky {
            format!("{} signed in with a warning: {}", event.user.email, flag_labels(event.flags))
        } else {
            format!("{} signed in", event.user.email)
        },
        body: format!("{} signed in on {from}.", event.user.email),
        subject: Some(format!("attempt:{}", event.attempt.0)),
        session: Some(event.session),
        attempt: Some(event.attempt),
    };
    let admins = Audience::Roles { roles: &[Role::Admin], except: Some(event.user.id) };
    notices::raise_each(conn, &[(&own, Audience::Users(&[event.user.id])), (&everyone, admins)], event.at).await
}

/// A failed attempt that completes a failure burst: the account's owner (when the email
/// has an account) and the admins hear of it, once per burst window.
pub(crate) async fn on_failure_burst(
    conn: &mut Tx,
    email: &str,
    owner: Option<UserId>,
    attempt: ActivityId,
    source: &AttemptSource,
    window: Duration,
    at: Timestamp,
) -> Result<()> {
    let since = at.minus(window);
    let already: bool = db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM notices n JOIN signin_attempts a ON a.id = n.attempt_id
                        WHERE n.kind IN ('sign_in.failure_burst', 'everyone.risky.failure_burst')
                          AND a.email = $1 AND n.at > $2)",
    )
    .bind(email)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    if already {
        return Ok(());
    }
    let from = where_from(source);
    let own = NewNotice {
        kind: AlertKind::FailureBurst.as_str(),
        title: "Many failed sign-ins on your account".to_owned(),
        body: format!(
            "Repeated wrong passwords or codes for {email}, the latest from {from}. If it isn't you, someone may be guessing: keep your password strong and 2FA on."
        ),
        subject: Some(format!("attempt:{}", attempt.0)),
        session: None,
        attempt: Some(attempt),
    };
    let everyone = NewNotice {
        kind: "everyone.risky.failure_burst",
        title: format!("Failure burst on {email}"),
        body: format!("Repeated failed sign-ins for {email}, the latest from {from}."),
        subject: Some(format!("attempt:{}", attempt.0)),
        session: None,
        attempt: Some(attempt),
    };
    let admins = Audience::Roles { roles: &[Role::Admin], except: owner };
    notices::raise_each(conn, &[(&own, Audience::Users(owner.as_slice())), (&everyone, admins)], at).await
}

/// An account reached the policy's hard limit of consecutive failures and is locked until an
/// admin unlocks it: its owner (when the email has an account) and every admin hear of it.
/// Emails without an account lock the same way, silently: there is no one to tell.
pub(crate) async fn on_hard_lock(
    conn: &mut Tx,
    email: &str,
    owner: Option<UserId>,
    attempt: ActivityId,
    source: &AttemptSource,
    at: Timestamp,
) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let from = where_from(source);
    let own = NewNotice {
        kind: AlertKind::AccountLocked.as_str(),
        title: "Sign-in to your account is locked".to_owned(),
        body: format!(
            "Too many wrong passwords or codes in a row for {email}, the latest from {from}. Someone may be guessing. \
             An administrator must unlock your account before you can sign in again; your open sessions keep working."
        ),
        subject: Some(format!("attempt:{}", attempt.0)),
        session: None,
        attempt: Some(attempt),
    };
    let everyone = NewNotice {
        kind: AlertKind::EveryoneLocked.as_str(),
        title: format!("{email} is locked after too many failures"),
        body: format!(
            "Too many wrong passwords or codes in a row for {email}, the latest from {from}. Check with them, then \
             unlock the account from Users."
        ),
        subject: Some(format!("attempt:{}", attempt.0)),
        session: None,
        attempt: Some(attempt),
    };
    let admins = Audience::Roles { roles: &[Role::Admin], except: Some(owner) };
    notices::raise_each(conn, &[(&own, Audience::Users(&[owner])), (&everyone, admins)], at).await
}
