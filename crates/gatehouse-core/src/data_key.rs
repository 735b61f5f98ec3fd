//! The data key: 256 bits kept outside the database (in the OS keychain, by the client),
//! under which Gatehouse seals TOTP secrets (XChaCha20-Poly1305) and hashes backup codes
//! (HMAC-SHA-256). A copy of the database file alone therefore gives nothing usable.
//!
//! The core never reads the keychain: a [`DataKeySource`] hands the key in when needed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A 256-bit data key. Wiped from memory when dropped; never printed.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id())
    }
}

impl DataKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        DataKey(bytes)
    }

    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(Zeroizing::new(bytes))
    }

    /// The key's bytes, for storing it in a keychain.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// A public name for the key (16 hex digits of a hash of it), stored with what it sealed
    /// so that a different key is recognised as such instead of as tampering.
    pub fn id(&self) -> String {
        let digest = Sha256::new().chain_update(b"gatehouse data key id").chain_update(&self.0[..]).finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Seals `plaintext`, bound to `context` (e.g. which user it belongs to).
    pub(crate) fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Sealed> {
        let mut nonce = [0u8; 24];
        rand::fill(&mut nonce[..]);
        let ciphertext = self
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: context })
            .map_err(|_| Error::Internal("sealing a secret failed".to_owned()))?;
        Ok(Sealed { key_id: self.id(), nonce: nonce.to_vec(), ciphertext })
    }

    /// Opens what [`DataKey::seal`] sealed with the same key and context.
    pub(crate) fn open(&self, context: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>> {
        if sealed.key_id != self.id() {
            return Err(Error::DataKeyUnavailable {
                reason: "the two-factor secrets were sealed with a key this computer's keychain does not hold"
                    .to_owned(),
            });
        }
        let nonce: [u8; 24] =
            sealed.nonce.as_slice().try_into().map_err(|_| Error::Internal("a sealed secret is damaged".to_owned()))?;
        self.cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: &sealed.ciphertext, aad: context })
            .map(Zeroizing::new)
            .map_err(|_| Error::Internal("a sealed secret is damaged".to_owned()))
    }

    /// A keyed hash (HMAC-SHA-256) of `data`, e.g. of a backup code.
    pub fn mac(&self, data: &[u8]) -> Result<Vec<u8>> {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0[..])
            .map_err(|_| Error::Internal("bad data key length".to_owned()))?;
        mac.update(data);
        Ok(mac.finalize().into_bytes().to_vec())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }
}

/// A sealed secret as stored.
#[derive(Debug, Clone)]
pub(crate) struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Where the core gets the data key (the desktop app and the CLI: the OS keychain). The
/// core decides when a missing key may be made (see `Gatehouse::data_key`); a source only
/// reads and stores.
pub trait DataKeySource: Send + Sync + std::fmt::Debug {
    /// The stored key, `None` when there is none, or [`Error::DataKeyUnavailable`] saying
    /// why it can't be read.
    fn load(&self) -> Result<Option<DataKey>>;
    /// Keeps a newly made key.
    fn store(&self, key: &DataKey) -> Result<()>;
}

/// A key held in memory: for tests, benchmarks and servers that load their key themselves.
#[derive(Debug, Clone)]
pub struct StaticDataKey(pub DataKey);

impl DataKeySource for StaticDataKey {
    fn load(&self) -> Result<Option<DataKey>> {
        Ok(Some(self.0.clone()))
    }

    fn store(&self, _key: &DataKey) -> Result<()> {
        Err(Error::DataKeyUnavailable { reason: "a fixed key cannot be replaced".to_owned() })
    }
}
