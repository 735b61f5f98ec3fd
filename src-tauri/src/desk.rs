//! The app's state: the opened core (or why it could not open), the keychain, the current
//! session token, this machine's address, and the clock.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gatehouse_api::ApiError;
use gatehouse_core::{
    Caller, ClientInfo, ClientKind, Clock, Gatehouse, OpenOptions, Origin, SessionToken, SystemClock, Timestamp,
};
use gatehouse_host::{Keychain, KeychainError, OsKeychain, SessionTokenStore};
use tokio::sync::Mutex;

/// Everything commands need. Built once at start-up.
pub struct Desk {
    opened: Result<Opened, ApiError>,
    ip: Option<IpAddr>,
    clock: SystemClock,
    /// When the process started, for the start-up benchmark's log line.
    started: Instant,
    ui_ready_logged: AtomicBool,
}

struct Opened {
    gate: Gatehouse,
    keychain: OsKeychain,
    /// The session token, loaded from the keychain at start-up. The web view never sees it.
    token: Mutex<Option<SessionToken>>,
}

pub fn keychain_error(err: KeychainError) -> ApiError {
    ApiError::new(err.code(), err.to_string())
}

fn not_signed_in() -> ApiError {
    ApiError::from(gatehouse_core::Error::SignedOut)
}

impl Desk {
    /// Opens the database in `data_dir` (default: the OS's data folder) with the GeoIP
    /// database `geoip` (default: the saved setting). Failures are kept and shown by the
    /// UI instead of crashing.
    pub async fn start(data_dir: Option<PathBuf>, geoip: Option<PathBuf>, started: Instant) -> Desk {
        let opened = Self::open(data_dir, geoip).await;
        if let Err(err) = &opened {
            tracing::error!(code = %err.code, "could not open Gatehouse: {}", err.message);
        }
        Desk {
            opened,
            ip: gatehouse_host::primary_ip(),
            clock: SystemClock,
            started,
            ui_ready_logged: AtomicBool::new(false),
        }
    }

    async fn open(data_dir: Option<PathBuf>, geoip: Option<PathBuf>) -> Result<Opened, ApiError> {
        let data_dir = match data_dir {
            Some(dir) => dir,
            None => gatehouse_host::default_data_dir()
                .ok_or_else(|| ApiError::new("desktop.no_data_dir", "No home folder found for Gatehouse's data."))?,
        };
        let options = OpenOptions {
            geoip,
            ..Default::default()
        };
        let gate = Gatehouse::open(&data_dir, options).await?;
        let keychain = OsKeychain::for_data_dir(&data_dir);
        let token = SessionTokenStore::new(&keychain, ClientKind::Desktop)
            .load()
            .map_err(keychain_error)?;
        tracing::info!(data_dir = %data_dir.display(), "opened Gatehouse");
        Ok(Opened {
            gate,
            keychain,
            token: Mutex::new(token),
        })
    }

    /// Logs, once, how long after process start the UI first asked for the app state
    /// (scripts/bench-startup reads this line).
    pub fn note_ui_ready(&self) {
        if !self.ui_ready_logged.swap(true, Ordering::Relaxed) {
            tracing::info!(elapsed_ms = self.started.elapsed().as_millis() as u64, "ui ready");
        }
    }

    fn opened(&self) -> Result<&Opened, ApiError> {
        self.opened.as_ref().map_err(Clone::clone)
    }

    /// The core.
    pub fn gate(&self) -> Result<&Gatehouse, ApiError> {
        Ok(&self.opened()?.gate)
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The current session token, or "signed out".
    pub async fn token(&self) -> Result<SessionToken, ApiError> {
        self.opened()?.token.lock().await.clone().ok_or_else(not_signed_in)
    }

    /// The token, if any (for start-up and sign-out).
    pub async fn maybe_token(&self) -> Result<Option<SessionToken>, ApiError> {
        Ok(self.opened()?.token.lock().await.clone())
    }

    /// A caller for `token`, now.
    pub fn caller<'a>(&self, token: &'a SessionToken) -> Caller<'a> {
        Caller {
            token,
            now: self.now(),
            ip: self.ip,
        }
    }

    /// Keeps a new session's token in memory and in the keychain.
    pub async fn keep_token(&self, token: SessionToken) -> Result<(), ApiError> {
        let opened = self.opened()?;
        SessionTokenStore::new(&opened.keychain as &dyn Keychain, ClientKind::Desktop)
            .save(&token)
            .map_err(keychain_error)?;
        *opened.token.lock().await = Some(token);
        Ok(())
    }

    /// Forgets the token (signed out, or the session ended elsewhere).
    pub async fn forget_token(&self) -> Result<(), ApiError> {
        let opened = self.opened()?;
        *opened.token.lock().await = None;
        SessionTokenStore::new(&opened.keychain as &dyn Keychain, ClientKind::Desktop)
            .clear()
            .map_err(keychain_error)
    }

    /// Where a sign-in from this app comes from.
    pub fn origin(&self) -> Result<Origin, ApiError> {
        let device =
            gatehouse_host::this_device(&self.opened()?.keychain, ClientKind::Desktop).map_err(keychain_error)?;
        Ok(Origin {
            ip: self.ip,
            device,
            client: ClientInfo {
                kind: ClientKind::Desktop,
                name: "Gatehouse desktop".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
        })
    }
}
