//! Gatehouse's core: the whole domain (accounts, passwords, sign-in, sessions, devices,
//! sign-in activity and its risk flags, policy, audit log) and its storage.
//!
//! It knows nothing of Tauri, HTTP or JSON. Every operation takes its caller's context
//! explicitly — who is calling (a [`Caller`] carrying a session token) or where a sign-in
//! comes from (an [`Origin`]) — and the current time as a [`Timestamp`], so the desktop
//! shell, the CLI and a future server call it the same way and tests can move the clock.

mod accounts;
mod activity;
mod address_book;
mod alerts;
mod approvers;
mod audit;
mod backup_codes;
mod checkup;
mod clock;
mod confirmation;
mod context;
mod data_key;
mod db;
mod devices;
mod dialect;
mod error;
mod events;
mod export;
mod gatehouse;
mod geo;
mod ids;
mod import;
mod keys;
mod notices;
mod passwords;
mod policy;
mod policy_changes;
mod pool;
pub mod risk;
mod sessions;
mod signin;
mod store;
mod throttle;
mod tokens;
pub mod totp;
mod two_factor;
mod withdrawals;

pub use accounts::{Email, NAME_MAX_CHARS, NewUser, Role, User};
pub use activity::{ActivityFilter, ActivityScope, Attempt, AttemptReason, Outcome};
pub use address_book::{
    AddressChanges, AddressQuery, AddressScope, LABEL_MAX_CHARS, LookAlikeMatch, NewAddress, SavedAddress,
    check as check_address,
};
pub use alerts::{AlertKind, AlertSetting, Delivery};
pub use audit::AuditEntry;
pub use backup_codes::ANSWER_INPUT_MAX_CHARS;
pub use checkup::{
    COUNT_CAP, Check, CheckId, CheckItem, CheckStatus, Checkup, FLAGGED_REVIEW_DAYS, PASSWORD_GOOD_SCORE,
    PASSWORD_OLD_DAYS, STALE_ADDRESS_DAYS, STALE_DEVICE_DAYS, STALE_SESSION_DAYS,
};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use confirmation::SESSION_WRONG_ANSWERS_MAX;
pub use context::{Caller, ClientInfo, ClientKind, NOTE_MAX_CHARS, Origin};
pub use data_key::{DataKey, DataKeySource, StaticDataKey};
pub use devices::{DEVICE_NAME_MAX_CHARS, Device, DeviceInfo, DeviceKind};
pub use error::{Error, Result};
pub use events::{Change, ChangeListener, Missed, REPLAY_LIMIT, REPLAY_WINDOW, SessionEnd, Topic, Wakeup};
pub use gatehouse::{Database, Gatehouse, OpenOptions};
pub use gatehouse_chains as chains;
pub use geo::{GeoIp, Location, LocationKind};
pub use ids::{ActivityId, AddressId, DeviceId, PolicyChangeId, SessionId, UserId, WithdrawalId};
pub use import::ImportCounts;
pub use notices::{Notice, NoticeRecord, Reader};
pub use passwords::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, PasswordHasher};
pub use policy::{HARD_LOCKOUT_MAX, Policy, ranges as policy_ranges};
pub use policy_changes::{PendingChange, PolicyUpdate};
pub use risk::{RiskFlag, RiskFlags};
pub use sessions::{Actor, Obligation, SessionInfo, SessionState, SessionToken, SignedIn};
pub use signin::{Challenge, ChallengeToken, SignInOutcome};
pub use store::DATABASE_FILE;
pub use two_factor::{BACKUP_CODES_LOW, BackupCodes, Enrollment, SecondFactorKind, TwoFactorStatus};
pub use withdrawals::{NewWithdrawal, Withdrawal, WithdrawalQuery, WithdrawalStatus};
