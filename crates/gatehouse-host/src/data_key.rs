//! The data key that protects two-factor secrets, kept in the OS keychain and created on
//! first use. The database never holds it.

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
    fn data_key(&self) -> Result<DataKey, Error> {
        let unavailable = |reason: String| Error::DataKeyUnavailable { reason };
        match self.keychain.get(ENTRY).map_err(|err| unavailable(err.to_string()))? {
            Some(text) => {
                let bytes = STANDARD.decode(text.trim()).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
                bytes
                    .map(DataKey::from_bytes)
                    .ok_or_else(|| unavailable("the keychain entry holding it is damaged".to_owned()))
            }
            None => {
                let key = DataKey::generate();
                let text = zeroize::Zeroizing::new(STANDARD.encode(key.expose()));
                self.keychain.set(ENTRY, &text).map_err(|err| unavailable(err.to_string()))?;
                Ok(key)
            }
        }
    }
}
