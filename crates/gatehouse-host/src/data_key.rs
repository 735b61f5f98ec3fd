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
