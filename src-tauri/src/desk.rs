//! The app's state: where operations run (the local core on this computer's database —
//! or, in team mode, a server), the keychain, the current session token, and the clock.
//! Opening happens at start-up; when it fails (no keychain, unreadable database) the error
//! is shown by the UI and its Retry opens again.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gatehouse_api::{ApiError, ClientRequest, DeviceRequest, Run, Secret};
use gatehouse_client::{Connection, Local};
use gatehouse_core::{ClientInfo, ClientKind, Clock, Gatehouse, OpenOptions, SessionToken, SystemClock, Timestamp};
use gatehouse_host::{Keychain, KeychainDataKey, KeychainError, OsKeychain, SafeClipboard, SessionTokenStore};
use tokio::sync::{Mutex, OnceCell};

/// Everything commands need.
pub struct Desk {
    settings: Settings,
    opened: OnceCell<Opened>,
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
    connection: Connection,
    keychain: OsKeychain,
    /// The session token, loaded from the keychain when opening. The web view never sees it.
    token: Mutex<Option<SessionToken>>,
    /// A sign-in waiting for its two-factor code: its challenge and whose it is (memory only).
    challenge: Mutex<Option<(Secret, String)>>,
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

    /// Runs an operation as the current session (or signed out, without one).
    pub async fn call<O: Run>(&self, args: O) -> Result<O::Output, ApiError> {
        let opened = self.opened().await?;
        let token = opened.token.lock().await.clone();
        opened.connection.call(args, token.as_ref()).await
    }

    /// Runs the operation called `name` with JSON arguments, as the current session.
    pub async fn call_json(&self, name: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        let opened = self.opened().await?;
        let token = opened.token.lock().await.clone();
        opened.connection.call_json(name, args, token.as_ref()).await
    }

    /// The core on this computer, for first-run set-up (standalone only).
    pub async fn local_gate(&self) -> Result<&Gatehouse, ApiError> {
        match self.opened().await?.connection.local() {
            Some(Local { gate, .. }) => Ok(gate),
            None => Err(ApiError::new(
                "setup.on_server",
                "The server has no administrator yet: its operator creates one with gatehouse init.",
            )),
        }
    }

    /// The system clipboard (for copying addresses safely).
    pub fn clipboard(&self) -> std::sync::Arc<SafeClipboard> {
        self.clipboard.clone()
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether a session token is held.
    pub async fn has_token(&self) -> Result<bool, ApiError> {
        Ok(self.opened().await?.token.lock().await.is_some())
    }

    /// The token, for the watcher (which tells sessions apart).
    pub async fn maybe_token(&self) -> Result<Option<SessionToken>, ApiError> {
        Ok(self.opened().await?.token.lock().await.clone())
    }

    /// Fails with "signed out" unless a session token is held.
    pub async fn require_token(&self) -> Result<(), ApiError> {
        if self.has_token().await? { Ok(()) } else { Err(not_signed_in()) }
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
    pub async fn keep_challenge(&self, challenge: Secret, email: String) {
        if let Ok(opened) = self.opened().await {
            *opened.challenge.lock().await = Some((challenge, email));
        }
    }

    /// The pending sign-in's challenge.
    pub async fn challenge(&self) -> Option<Secret> {
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

    /// This installation as a sign-in names it: its device, and the app.
    pub async fn identity(&self) -> Result<(DeviceRequest, ClientRequest), ApiError> {
        let keychain = &self.opened().await?.keychain;
        let device = gatehouse_host::this_device(keychain, ClientKind::Desktop).map_err(keychain_error)?;
        Ok((DeviceRequest::of(&device), ClientRequest::of(&client())))
    }
}

/// This app, as sessions lists show it.
pub fn client() -> ClientInfo {
    ClientInfo {
        kind: ClientKind::Desktop,
        name: "Gatehouse desktop".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
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
    let connection = Connection::Local(Local { gate, ip: gatehouse_host::primary_ip() });
    Ok(Opened { connection, keychain, token: Mutex::new(token), challenge: Mutex::new(None) })
}

fn token_store(keychain: &OsKeychain) -> SessionTokenStore<'_> {
    SessionTokenStore::new(keychain as &dyn Keychain, ClientKind::Desktop)
}
