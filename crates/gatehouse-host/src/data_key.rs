//! The data key that protects two-factor secrets, kept in the OS keychain (the core decides
//! when one may be made). The database never holds it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gatehouse_core::{DataKey, DataKeySource, Error};

use crate::keychain::{Keychain, OsKeychain};

/// The keychain entry's name.
const ENTRY: &str = "data-key";

/// A [`DataKeySource`] backed by the OS keychain.
#[derive(Debug, Clone)]
pub struct KeychainDataKey {
    keychain: OsKeychain,
}

impl KeychainDataKey {
    /// The data key of the database whose keychain entries `keychain` scopes.
    pub fn new(keychain: OsKeychain) -> Self {
        KeychainDataKey { keychain }
    }
}

impl DataKeySource for KeychainDataKey {
    fn load(&self) -> Result<Option<DataKey>, Error> {
        let Some(text) = self.keychain.get(ENTRY).map_err(unavailable)? else { return Ok(None) };
        let bytes = STANDARD.decode(text.trim()).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
        bytes
            .map(|bytes| Some(DataKey::from_bytes(bytes)))
            .ok_or_else(|| Error::DataKeyUnavailable { reason: "the keychain entry holding it is damaged".to_owned() })
    }

    fn store(&self, key: &DataKey) -> Result<(), Error> {
        let text = zeroize::Zeroizing::new(STANDARD.encode(key.expose()));
        self.keychain.set(ENTRY, &text).map_err(unavailable)
    }
}

fn unavailable(err: crate::keychain::KeychainError) -> Error {
    Error::DataKeyUnavailable { reason: err.to_string() }
}

/// A [`DataKeySource`] reading a key file, for servers (which have no desktop keychain): 32
/// random bytes in base64, made by `gatehouse keygen FILE` ([`create_key_file`]). A file that
/// anyone but its owner may read is refused, and a missing one is an error — never "no key
/// yet", which could lead to a new key.
#[derive(Debug, Clone)]
pub struct FileDataKey {
    path: std::path::PathBuf,
}

impl FileDataKey {
    /// The key in `path`.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        FileDataKey { path: path.into() }
    }
}

impl DataKeySource for FileDataKey {
    fn load(&self) -> Result<Option<DataKey>, Error> {
        let path = self.path.display();
        let unavailable = |reason: String| Error::DataKeyUnavailable { reason };
        let file = std::fs::File::open(&self.path).map_err(|err| {
            unavailable(format!(
                "the key file {path} cannot be opened ({err}); make one with `gatehouse keygen {path}`"
            ))
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().map_err(|err| unavailable(format!("{path}: {err}")))?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(unavailable(format!(
                    "the key file {path} may be read by others (mode {:o}); run `chmod 600 {path}`",
                    mode & 0o777
                )));
            }
        }
        let mut text = zeroize::Zeroizing::new(String::new());
        std::io::Read::read_to_string(&mut &file, &mut text).map_err(|err| unavailable(format!("{path}: {err}")))?;
        let bytes = STANDARD.decode(text.trim()).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
        bytes
            .map(|bytes| Some(DataKey::from_bytes(bytes)))
            .ok_or_else(|| unavailable(format!("the key file {path} is damaged (expected 32 bytes in base64)")))
    }

    fn store(&self, _key: &DataKey) -> Result<(), Error> {
        Err(Error::DataKeyUnavailable {
            reason: format!("a key file is made with `gatehouse keygen {}`, never on the fly", self.path.display()),
        })
    }
}

/// Writes a new random data key to `path`, readable only by its owner; refuses to overwrite
/// an existing file (that would orphan whatever the old key sealed).
pub fn create_key_file(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    let key = DataKey::generate();
    let text = zeroize::Zeroizing::new(format!("{}\n", STANDARD.encode(key.expose())));
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()
}
