//! What Gatehouse's clients exchange with it — the desktop UI over Tauri, the CLI, and both
//! over HTTPS with the team server: the one list of operations (`operations`), what each
//! does against the core (`local`), and the types they carry, with their TypeScript
//! bindings (ts-rs writes them to `ui/src/lib/generated/` when this crate's tests run) and
//! JSON Schemas (for the server's OpenAPI document).
//!
//! Views are built from core types; requests are turned into core inputs. Times are
//! milliseconds since the Unix epoch (UTC); the UI formats them in the user's time zone.

mod address_book;
mod alerts;
mod checkup;
mod connection;
mod desktop;
#[cfg(test)]
mod drift;
mod error;
mod events;
pub mod limits;
pub mod local;
pub mod operations;
pub mod qr;
mod requests;
mod session;
pub mod typescript;
mod views;

pub use address_book::{
    AddressChangesRequest, AddressCheckView, AddressQueryRequest, AssetView, CopyResult, LookAlikeView, NetworkView,
    NewAddressRequest, NewWithdrawalRequest, SavedAddressResult, SavedAddressView, WithdrawalView, networks,
};
pub use alerts::{AlertSettingView, NoticeView, OpenNoticeEvent};
pub use checkup::{CheckItemView, CheckView, CheckupView, ThresholdsView};
pub use connection::{ConnectionView, ServerCheckView, TrustView};
pub use desktop::{DesktopPreferencesView, WindowRestoreView};
pub use error::ApiError;
pub use events::{ConnectionStatusEvent, DataChangedEvent, SessionEndedEvent, StreamEvent};
pub use operations::{Operation, OperationVisitor, Run, run_json, visit_operations};
pub use requests::{ActivityCursor, ActivityQuery, NewUserRequest};
pub use session::{
    ClientKindView, ClientRequest, CsvExport, DeviceRequest, PRODUCT, Secret, ServerInfoView, SessionStateView,
    SignInResult,
};
pub use views::{
    AppState, AttemptView, AuditView, BackupCodesView, DeviceKindView, DeviceView, EnrollmentView, ExportResult, Me,
    OutcomeView, PendingChangeView, PolicySavedView, PolicyView, RiskFlagCode, RiskFlagView, RoleView,
    SecondFactorView, SessionView, TwoFactorStatusView, UserView,
};
