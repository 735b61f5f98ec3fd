//! What the local machine provides to Gatehouse's clients (desktop app and CLI): the data
//! folder, the OS keychain (or a data key file on a server), this installation's device identity, the machine's primary
//! IP address, the clipboard, desktop notifications and whether the desktop shows tray icons. The core never touches any of these; clients pass what they learn here in.

mod clipboard;
mod data_key;
mod device;
mod keychain;
mod network;
mod notifications;
mod paths;
mod tray_host;

pub use clipboard::{ClipboardError, SafeClipboard};
pub use data_key::{FileDataKey, KeychainDataKey, create_key_file};
pub use device::{detect_device_kind, this_device};
pub use keychain::{Keychain, KeychainError, OsKeychain, SessionTokenStore};
pub use network::primary_ip;
pub use notifications::{AlertResponse, DesktopAlert, NotificationError, show_alert};
pub use paths::default_data_dir;
pub use tray_host::tray_is_shown;
