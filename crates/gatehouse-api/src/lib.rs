//! The types Gatehouse's clients exchange with it — the desktop UI over Tauri commands
//! today, the team server over HTTP later — and their TypeScript bindings (ts-rs writes
//! them to `ui/src/lib/generated/` when this crate's tests run).
//!
//! Views are built from core types; requests are turned into core inputs. Times are
//! milliseconds since the Unix epoch (UTC); the UI formats them in the user's time zone.

mod address_book;
mod alerts;
mod error;
pub mod limits;
pub mod qr;
mod requests;
mod views;

pub use address_book::{
    AddressChangesRequest, AddressCheckView, AddressQueryRequest, AssetView, CopyResult, LookAlikeView, NetworkView,
    NewAddressRequest, NewWithdrawalRequest, SavedAddressResult, SavedAddressView, WithdrawalView, networks,
};
pub use alerts::{AlertSettingView, NoticeView, OpenNoticeEvent};
pub use error::ApiError;
pub use requests::{ActivityCursor, ActivityQuery, NewUserRequest};
pub use views::{
    AppState, AttemptView, AuditView, BackupCodesView, DeviceKindView, DeviceView, EnrollmentView, ExportResult, Me,
    OutcomeView, PendingChangeView, PolicySavedView, PolicyView, RiskFlagCode, RiskFlagView, RoleView,
    SecondFactorView, SessionView, TwoFactorStatusView, UserView,
};
