//! Secrets in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through the `keyring` crate, behind a small trait.

use zeroize::Zeroizing;

use gatehouse_core::{ClientKind, SessionToken};

/// The keychain service name every Gatehouse entry uses.
pub const SERVICE: &str = "gatehouse";

/// Why the keychain could not be used. Messages never contain the secret.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain is reachable (e.g. no Secret Service on the session bus).
    #[error(
        "No OS keychain is available ({0}). Gatehouse keeps its session token in the keychain: on Linux start a Secret Service such as GNOME Keyring or KWallet in your session."
    )]
    Unavailable(String),
    /// The keychain answered with an error.
    #[error("The OS keychain refused the request ({0}).")]
    Failed(String),
}

impl KeychainError {
    /// Stable code, in the style of gatehouse-core's error codes.
    pub fn code(&self) -> &'static str {
        match self {
            KeychainError::Unavailable(_) => "keychain.unavailable",
            KeychainError::Failed(_) => "keychain.failed",
        }
    }
}

/// Named secrets kept for this user.
pub trait Keychain: Send + Sync {
    /// The secret stored under `name`, if any.
    fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, KeychainError>;
    /// Stores `secret` under `name`, replacing any previous one.
    fn set(&self, name: &str, secret: &str) -> Result<(), KeychainError>;
    /// Deletes `name`; deleting what is not there is not an error.
    fn delete(&self, name: &str) -> Result<(), KeychainError>;
}

/// The OS keychain. Entries are scoped to one data folder, so two Gatehouse databases on
/// one machine (e.g. tests) never share a token or a device id.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    scope: String,
}

impl OsKeychain {
    /// Entries for the database in `data_dir`.
    pub fn for_data_dir(data_dir: &std::path::Path) -> Self {
        Self::for_database(&gatehouse_core::Database::Sqlite { data_dir: data_dir.to_path_buf() })
    }

    /// Entries for `database` (a data folder, or a PostgreSQL database by its URL without
    /// credentials).
    pub fn for_database(database: &gatehouse_core::Database) -> Self {
        OsKeychain { scope: database.describe() }
    }

    /// Entries for a team server, by its URL: one session token (and device id) per server.
    pub fn for_server(url: &str) -> Self {
        OsKeychain { scope: url.trim_end_matches('/').to_owned() }
    }

    /// The keychain account name for `name`: `<data folder>#<name>`.
    pub fn account(&self, name: &str) -> String {
        format!("{}#{name}", self.scope)
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(SERVICE, &self.account(name)).map_err(map_error)
    }
}

impl Keychain for OsKeychain {
    fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, KeychainError> {
        match self.entry(name)?.get_password() {
            Ok(secret) => Ok(Some(Zeroizing::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(map_error(err)),
        }
    }

    fn set(&self, name: &str, secret: &str) -> Result<(), KeychainError> {
        self.entry(name)?.set_password(secret).map_err(map_error)
    }

    fn delete(&self, name: &str) -> Result<(), KeychainError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(map_error(err)),
        }
    }
}

fn map_error(err: keyring::Error) -> KeychainError {
    match err {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            KeychainError::Unavailable(inner.to_string())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

/// Where a client keeps its session token: one keychain entry per client kind.
pub struct SessionTokenStore<'a> {
    keychain: &'a dyn Keychain,
    name: String,
}

impl<'a> SessionTokenStore<'a> {
    /// The token entry of `client` in `keychain`.
    pub fn new(keychain: &'a dyn Keychain, client: ClientKind) -> Self {
        SessionTokenStore { keychain, name: format!("session/{}", client.as_str()) }
    }

    /// The stored token; a malformed entry reads as none.
    pub fn load(&self) -> Result<Option<SessionToken>, KeychainError> {
        Ok(self.keychain.get(&self.name)?.and_then(|text| SessionToken::parse(&text).ok()))
    }

    /// Keeps `token`.
    pub fn save(&self, token: &SessionToken) -> Result<(), KeychainError> {
        self.keychain.set(&self.name, token.expose())
    }

    /// Forgets the token.
    pub fn clear(&self) -> Result<(), KeychainError> {
        self.keychain.delete(&self.name)
    }
}
