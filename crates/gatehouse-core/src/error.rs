//! The core's one error type. Each variant has a stable [`Error::code`] that callers branch
//! on, and a `Display` text written for the person using the app. Neither ever contains a
//! password, a token or any other secret.

/// Shorthand for results of core operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a core operation can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field the caller sent is empty, too long or malformed. Nothing was changed.
    #[error("{field}: {reason}")]
    InvalidInput {
        /// The field as the user knows it, e.g. "Email".
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Wrong email or password. Deliberately the same for an unknown email.
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    /// Too many failures: sign-in is slowed down or temporarily locked.
    #[error("{}", throttled_message(*wait_seconds, *locked))]
    Throttled {
        /// Seconds until the next attempt is accepted.
        wait_seconds: u64,
        /// True for a lockout (after many failures), false for a short slow-down.
        locked: bool,
    },
    /// The account reached the policy's hard limit of consecutive failures: only an
    /// administrator's unlock lets it sign in again. The same for an unknown email.
    #[error("Sign-in to this account is locked after too many failed attempts. Ask an administrator to unlock it.")]
    AccountLocked,
    /// The password was right but the account is disabled.
    #[error("This account is disabled. Ask an administrator to enable it.")]
    AccountDisabled,
    /// A password given to confirm an action (change password, unlock) is wrong.
    #[error("The password is incorrect.")]
    WrongPassword,
    /// The session token is unknown or its session was ended.
    #[error("You are signed out. Sign in again.")]
    SignedOut,
    /// The session passed its idle or absolute lifetime.
    #[error("Your session has expired. Sign in again.")]
    SessionExpired,
    /// Five wrong answers to a step-up or unlock in one session: the session was ended.
    #[error("Too many wrong answers: this session was ended to protect your account. Sign in again.")]
    TooManyWrongAnswers,
    /// The app is locked after idle time or on request; the password unlocks it.
    #[error("Gatehouse is locked. Enter your password to continue.")]
    Locked,
    /// The caller's role does not allow this.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{what} was not found.")]
    NotFound {
        /// What was looked for, e.g. "Session".
        what: &'static str,
    },
    /// `init` when an administrator already exists.
    #[error("Gatehouse is already set up: an administrator exists.")]
    AlreadySetUp,
    /// Sign-in before the first administrator exists.
    #[error("Gatehouse is not set up yet: create the first administrator.")]
    NotSetUp,
    /// Creating a user whose email is already used.
    #[error("A user with this email already exists.")]
    EmailTaken,
    /// A new password fails the password rules.
    #[error("{reason}")]
    WeakPassword {
        /// Why, and how to do better.
        reason: String,
    },
    /// Removing the device the caller is using.
    #[error("This is the device you are using. Sign out instead of removing it.")]
    CurrentDevice,
    /// Disabling or demoting the last enabled administrator, or disabling yourself.
    #[error("{reason}")]
    WouldLockOut {
        /// Which rule was hit.
        reason: &'static str,
    },
    /// A one-time code (authenticator or backup) is wrong, expired or already used.
    #[error("That code is not valid. Codes work once; check your authenticator app or use another backup code.")]
    InvalidCode,
    /// The second step of a sign-in came too late or after too many wrong codes.
    #[error("This sign-in has expired. Enter your email and password again.")]
    ChallengeExpired,
    /// A sensitive action needs a fresh confirmation (sudo mode).
    #[error("{}", step_up_message(*with_code))]
    StepUpRequired {
        /// True when the confirmation is an authenticator code, false for the password.
        with_code: bool,
    },
    /// An administrator set this user's password (new account or reset): nothing else is
    /// possible until they choose their own.
    #[error("An administrator set your password. Choose your own password to continue.")]
    PasswordChangeRequired,
    /// Policy requires two-factor authentication and the user has not set it up yet.
    #[error("Your organisation requires two-factor authentication. Set it up to continue.")]
    EnrollmentRequired,
    /// Enrolling while two-factor authentication is already on.
    #[error("Two-factor authentication is already on.")]
    TwoFactorAlreadyOn,
    /// Disabling or regenerating while two-factor authentication is off.
    #[error("Two-factor authentication is not on.")]
    TwoFactorOff,
    /// Disabling two-factor authentication while policy requires it.
    #[error("Your organisation requires two-factor authentication, so it cannot be turned off.")]
    TwoFactorRequired,
    /// The key protecting two-factor secrets is missing or unreadable on this computer.
    #[error(
        "Gatehouse cannot use the key that protects two-factor secrets on this computer ({reason}). Ask an administrator to reset your two-factor authentication."
    )]
    DataKeyUnavailable {
        /// Why.
        reason: String,
    },
    /// The data key is missing from this computer's keychain while secrets sealed with it
    /// exist: Gatehouse will not make a new one (that would lose every user's 2FA for good).
    #[error(
        "The key that protects two-factor secrets is missing from this computer's keychain, but secrets sealed with it exist, so Gatehouse will not make a new one. Restore the keychain entry from a backup; or an administrator can run `gatehouse 2fa recover-lost-key --email ADMIN --yes`, which turns off every user's two-factor authentication so they set it up again."
    )]
    DataKeyMissing,
    /// The same address is already in this book.
    #[error("This address is already saved as {label:?}.")]
    DuplicateAddress {
        /// The existing entry's label.
        label: String,
    },
    /// Another entry of the same book has this label.
    #[error("Another saved address already has this label.")]
    LabelTaken,
    /// The address looks like a saved one (same start and end): possible address poisoning.
    #[error(
        "This address looks like {} (same first and last characters, different middle). This is how address poisoning works: check every character, and confirm only if you are sure.",
        quote_all(labels)
    )]
    LookAlike {
        /// Labels of the saved addresses it resembles.
        labels: Vec<String>,
    },
    /// The address is still in its cooling-off period.
    #[error("This address can be used for withdrawals from {usable_from_utc} (UTC), when its cooling-off period ends.")]
    CoolingOff {
        /// When it becomes usable, RFC 3339 UTC.
        usable_from_utc: String,
    },
    /// The address entry changed or was deleted while a withdrawal to it was being requested.
    #[error("This saved address was changed or deleted just now. Check the entry and make the request again.")]
    AddressChanged,
    /// A new approver (an admin created them or reset their password) approving or confirming
    /// before the protection change delay has passed.
    #[error(
        "You are a new approver: you can approve withdrawals and confirm policy changes from {from_utc} (UTC), \
         when the protection change delay after your account was set up ends. Another approver can act until then."
    )]
    NewApprover {
        /// When they may, RFC 3339 UTC.
        from_utc: String,
    },
    /// Confirming a policy change you proposed yourself.
    #[error("Another administrator must confirm this change; you proposed it.")]
    SecondAdminRequired,
    /// Approving or rejecting your own withdrawal.
    #[error("You cannot approve or reject your own withdrawal request; another approver must.")]
    SelfApproval,
    /// The withdrawal request was cancelled: its address entry was deleted or changed.
    #[error("This withdrawal request was cancelled: its saved address was deleted or changed.")]
    WithdrawalCancelled,
    /// The withdrawal was already approved or rejected.
    #[error("This withdrawal request was already decided.")]
    AlreadyDecided,
    /// An export's file could not be created or written.
    #[error("The export could not be written: {reason}")]
    Export {
        /// Why (the operating system's words, with the path).
        reason: String,
    },
    /// The configured GeoIP database cannot be read.
    #[error("The location database cannot be opened: {reason}")]
    GeoIp {
        /// Why it cannot be opened.
        reason: String,
    },
    /// The database failed. Details go to the log, not to the user.
    #[error("Gatehouse could not read or write its database. Try again; if it keeps happening, check the log.")]
    Storage(#[source] sqlx::Error),
    /// Something that should not happen; details go to the log.
    #[error("Something went wrong inside Gatehouse: {0}")]
    Internal(String),
}

impl Error {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::InvalidCredentials => "auth.invalid_credentials",
            Error::Throttled { locked: false, .. } => "auth.throttled",
            Error::Throttled { locked: true, .. } => "auth.locked_out",
            Error::AccountLocked => "auth.account_locked",
            Error::AccountDisabled => "auth.account_disabled",
            Error::WrongPassword => "auth.wrong_password",
            Error::SignedOut => "session.signed_out",
            Error::SessionExpired => "session.expired",
            Error::TooManyWrongAnswers => "session.ended_after_wrong_answers",
            Error::Locked => "session.locked",
            Error::Forbidden => "forbidden",
            Error::NotFound { .. } => "not_found",
            Error::AlreadySetUp => "setup.done",
            Error::NotSetUp => "setup.required",
            Error::EmailTaken => "user.email_taken",
            Error::WeakPassword { .. } => "password.weak",
            Error::CurrentDevice => "device.current",
            Error::WouldLockOut { .. } => "user.would_lock_out",
            Error::InvalidCode => "auth.invalid_code",
            Error::ChallengeExpired => "auth.challenge_expired",
            Error::StepUpRequired { .. } => "auth.step_up_required",
            Error::PasswordChangeRequired => "password.change_required",
            Error::EnrollmentRequired => "2fa.enrollment_required",
            Error::TwoFactorAlreadyOn => "2fa.already_on",
            Error::TwoFactorOff => "2fa.off",
            Error::TwoFactorRequired => "2fa.required_by_policy",
            Error::DataKeyUnavailable { .. } => "2fa.key_unavailable",
            Error::DataKeyMissing => "2fa.key_missing",
            Error::DuplicateAddress { .. } => "address.duplicate",
            Error::LabelTaken => "address.label_taken",
            Error::LookAlike { .. } => "address.lookalike",
            Error::CoolingOff { .. } => "address.cooling_off",
            Error::AddressChanged => "address.changed",
            Error::SecondAdminRequired => "policy.second_admin_required",
            Error::NewApprover { .. } => "approver.new",
            Error::SelfApproval => "withdrawal.self_approval",
            Error::WithdrawalCancelled => "withdrawal.cancelled",
            Error::AlreadyDecided => "withdrawal.decided",
            Error::Export { .. } => "export.failed",
            Error::GeoIp { .. } => "geoip.unavailable",
            Error::Storage(_) => "storage",
            Error::Internal(_) => "internal",
        }
    }

    /// Seconds to wait before retrying, for throttling errors.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        match self {
            Error::Throttled { wait_seconds, .. } => Some(*wait_seconds),
            _ => None,
        }
    }

    /// True when the caller has to sign in again (the session is gone or expired).
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Error::SignedOut | Error::SessionExpired | Error::TooManyWrongAnswers)
    }

    /// True for a storage error that broke a unique constraint.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, Error::Storage(sqlx::Error::Database(db)) if db.is_unique_violation())
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        let error = Error::Storage(err);
        // A unique violation is often an expected answer ("already saved"), read by the caller.
        if !error.is_unique_violation() {
            tracing::error!(error = %error.source_text(), "database error");
        }
        error
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        tracing::error!(error = %err, "migration error");
        Error::Internal(format!("the database could not be upgraded ({err})"))
    }
}

impl Error {
    /// The underlying database error's text, for the log.
    fn source_text(&self) -> String {
        match self {
            Error::Storage(err) => err.to_string(),
            other => other.to_string(),
        }
    }
}

fn quote_all(labels: &[String]) -> String {
    labels.iter().map(|label| format!("{label:?}")).collect::<Vec<_>>().join(", ")
}

fn step_up_message(with_code: bool) -> &'static str {
    if with_code {
        "Enter a code from your authenticator app (or a backup code) to confirm it's you."
    } else {
        "Enter your password to confirm it's you."
    }
}

fn throttled_message(wait_seconds: u64, locked: bool) -> String {
    let wait = human_wait(wait_seconds);
    if locked {
        format!(
            "Too many failed sign-in attempts. Sign-in is locked; try again in {wait}, or ask an administrator to unlock it."
        )
    } else {
        format!("Too many failed attempts. Wait {wait} before trying again.")
    }
}

/// "1 second", "45 seconds", "3 minutes" — rounded up so the user never retries too early.
fn human_wait(seconds: u64) -> String {
    let seconds = seconds.max(1);
    if seconds < 60 { plural(seconds, "second") } else { plural(seconds.div_ceil(60), "minute") }
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}
