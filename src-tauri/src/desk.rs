//! The app's state: the opened core, the keychain, the current session token, this
//! machine's address, and the clock. Opening happens at start-up; when it fails (no
//! keychain, unreadable database) the error is shown by the UI and its Retry opens again.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gatehouse_api::ApiError;
use gatehouse_core::{
    Caller, ChallengeToken, ClientInfo, ClientKind, Clock, Gatehouse, OpenOptions, Origin, SessionToken, SystemClock,
    Timestamp,
};
use gatehouse_host::{Keychain, KeychainDataKey, KeychainError, OsKeychain, SafeClipboard, SessionTokenStore};
use tokio::sync::{Mutex, OnceCell};

/// Everything commands need.
pub struct Desk {
    settings: Settings,
    opened: OnceCell<Opened>,
    ip: Option<IpAddr>,
    clock: SystemClock,
    clipboard: std::sync::Arc<SafeClipboard>,
    /// When the process started, for the start-up benchmark's log line.
    started: Instant,
    ui_ready_logged: AtomicBool,
}

/// Where the data is, from the command line or the environment.
pub struct Settings {
    /// The data folder (default: the OS's per-user data folder).
    pub data_dir: Option<PathBuf>,
    /// A GeoIP database instead of the saved setting.
    pub geoip: Option<PathBuf>,
}

struct Opened {
    gate: Gatehouse,
    keychain: OsKeychain,
    /// The session token, loaded from the keychain when opening. The web view never sees it.
    token: Mutex<Option<SessionToken>>,
    /// A sign-in waiting for its two-factor code, and whose it is (memory only).
    challenge: Mutex<Option<(ChallengeToken, String)>>,
}

pub fn keychain_error(err: KeychainError) -> ApiError {
    ApiError::new(err.code(), err.to_string())
}

fn not_signed_in() -> ApiError {
    ApiError::from(gatehouse_core::Error::SignedOut)
}

impl Desk {
    /// Opens the database and reads the stored session token. A failure is logged and
    /// left for the first command to report.
    pub async fn start(settings: Settings, started: Instant) -> Desk {
        let desk = Desk {
            settings,
            opened: OnceCell::new(),
            ip: gatehouse_host::primary_ip(),
            clock: SystemClock,
            clipboard: std::sync::Arc::default(),
            started,
            ui_ready_logged: AtomicBool::new(false),
        };
        if let Err(err) = desk.opened().await {
            tracing::error!(code = %err.code, "could not open Gatehouse: {}", err.message);
        }
        desk
    }

    /// The opened state, opening it now if an earlier attempt failed.
    async fn opened(&self) -> Result<&Opened, ApiError> {
        self.opened.get_or_try_init(|| open(&self.settings)).await
    }

    /// Logs, once, how long after process start the UI first asked for the app state
    /// (scripts/bench-startup reads this line).
    pub fn note_ui_ready(&self) {
        if !self.ui_ready_logged.swap(true, Ordering::Relaxed) {
            tracing::info!(elapsed_ms = self.started.elapsed().as_millis() as u64, "ui ready");
        }
    }

    /// The core.
    pub async fn gate(&self) -> Result<&Gatehouse, ApiError> {
        Ok(&self.opened().await?.gate)
    }

    /// The system clipboard (for copying addresses safely).
    pub fn clipboard(&self) -> std::sync::Arc<SafeClipboard> {
        self.clipboard.clone()
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The current session token, or "signed out".
    pub async fn token(&self) -> Result<SessionToken, ApiError> {
        self.maybe_token().await?.ok_or_else(not_signed_in)
    }

    /// The token, if any (for start-up and sign-out).
    pub async fn maybe_token(&self) -> Result<Option<SessionToken>, ApiError> {
        Ok(self.opened().await?.token.lock().await.clone())
    }

    /// A caller for `token`, now.
    pub fn caller<'a>(&self, token: &'a SessionToken) -> Caller<'a> {
        Caller { token, now: self.now(), ip: self.ip }
    }

    /// Keeps a new session's token in memory and in the keychain.
    pub async fn keep_token(&self, token: SessionToken) -> Result<(), ApiError> {
        let opened = self.opened().await?;
        token_store(&opened.keychain).save(&token).map_err(keychain_error)?;
        *opened.token.lock().await = Some(token);
        Ok(())
    }

    /// Forgets the token (signed out, or the session ended elsewhere).
    pub async fn forget_token(&self) -> Result<(), ApiError> {
        let opened = self.opened().await?;
        *opened.token.lock().await = None;
        token_store(&opened.keychain).clear().map_err(keychain_error)
    }

    /// Keeps the second step of a sign-in until the code comes.
    pub async fn keep_challenge(&self, challenge: ChallengeToken, email: String) {
        if let Ok(opened) = self.opened().await {
            *opened.challenge.lock().await = Some((challenge, email));
        }
    }

    /// The pending sign-in's challenge.
    pub async fn challenge(&self) -> Option<ChallengeToken> {
        let opened = self.opened().await.ok()?;
        opened.challenge.lock().await.as_ref().map(|(challenge, _)| challenge.clone())
    }

    /// Whose sign-in waits for a code.
    pub async fn challenge_email(&self) -> Option<String> {
        let opened = self.opened().await.ok()?;
        opened.challenge.lock().await.as_ref().map(|(_, email)| email.clone())
    }

    /// Drops the pending sign-in.
    pub async fn forget_challenge(&self) {
        if let Ok(opened) = self.opened().await {
            *opened.challenge.lock().await = None;
        }
    }

    /// Where a sign-in from this app comes from.
    pub async fn origin(&self) -> Result<Origin, ApiError> {
        let keychain = &self.opened().await?.keychain;
        let device = gatehouse_host::this_device(keychain, ClientKind::Desktop).map_err(keychain_error)?;
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

async fn open(settings: &Settings) -> Result<Opened, ApiError> {
    let data_dir = match &settings.data_dir {
        Some(dir) => dir.clone(),
        None => gatehouse_host::default_data_dir()
            .ok_or_else(|| ApiError::new("desktop.no_data_dir", "No home folder found for Gatehouse's data."))?,
    };
    let keychain = OsKeychain::for_data_dir(&data_dir);
    let options = OpenOptions {
        geoip: settings.geoip.clone(),
        data_key: Some(std::sync::Arc::new(KeychainDataKey::new(keychain.clone()))),
        ..Default::default()
    };
    let gate = Gatehouse::open(&data_dir, options).await?;
    let token = token_store(&keychain).load().map_err(keychain_error)?;
    tracing::info!(data_dir = %data_dir.display(), "opened Gatehouse");
    Ok(Opened { gate, keychain, token: Mutex::new(token), challenge: Mutex::new(None) })
}

fn token_store(keychain: &OsKeychain) -> SessionTokenStore<'_> {
    SessionTokenStore::new(keychain as &dyn Keychain, ClientKind::Desktop)
}
