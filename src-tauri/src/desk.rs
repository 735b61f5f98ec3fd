//! The app's state: where operations run (the local core on this computer's database, or
//! the team's server — as `connection.json` remembers), the keychain entry for it, the
//! current session token, and the clock. Opening happens at start-up; when it fails (no
//! keychain, unreadable database) the error is shown by the UI and its Retry opens again.
//! Choosing another connection replaces the opened state.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use std::sync::Arc;

use gatehouse_api::{ApiError, ClientRequest, ConnectionView, DeviceRequest, Run, Secret};
use gatehouse_client::{Connection, EventStream, Local, Remote};
use gatehouse_core::{ClientInfo, ClientKind, Clock, Gatehouse, OpenOptions, SessionToken, SystemClock, Timestamp};
use gatehouse_host::{Keychain, KeychainDataKey, KeychainError, OsKeychain, SafeClipboard, SessionTokenStore};
use tokio::sync::{Mutex, RwLock};

use crate::connection;
use crate::preferences::{self, Preferences};

/// Everything commands need.
pub struct Desk {
    settings: Settings,
    opened: RwLock<Option<Arc<Opened>>>,
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
    /// What was chosen.
    choice: ConnectionView,
    /// Where operations run; none until a choice is made.
    connection: Option<Connection>,
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

fn unchosen() -> ApiError {
    ApiError::new("desktop.no_connection", "Choose first: Gatehouse on this computer, or your team's server.")
}

impl Desk {
    /// The desk for `settings`. Nothing is opened yet: see [`Desk::open_now`].
    pub fn new(settings: Settings, started: Instant) -> Desk {
        Desk {
            settings,
            opened: RwLock::new(None),
            clock: SystemClock,
            clipboard: std::sync::Arc::default(),
            started,
            ui_ready_logged: AtomicBool::new(false),
        }
    }

    /// Opens the database (or the server connection) and reads the stored session token
    /// now rather than on the first command. A failure is logged and left for the first
    /// command to report (it tries again).
    pub async fn open_now(&self) {
        if let Err(err) = self.opened().await {
            tracing::error!(code = %err.code, "could not open Gatehouse: {}", err.message);
        }
    }

    /// The opened state, opening it now if an earlier attempt failed.
    async fn opened(&self) -> Result<Arc<Opened>, ApiError> {
        if let Some(opened) = self.opened.read().await.as_ref() {
            return Ok(opened.clone());
        }
        let mut slot = self.opened.write().await;
        if let Some(opened) = slot.as_ref() {
            return Ok(opened.clone());
        }
        let data_dir = self.data_dir()?;
        let opened = Arc::new(open(&self.settings, &data_dir, connection::load(&data_dir)?).await?);
        *slot = Some(opened.clone());
        Ok(opened)
    }

    fn data_dir(&self) -> Result<PathBuf, ApiError> {
        match &self.settings.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => gatehouse_host::default_data_dir()
                .ok_or_else(|| ApiError::new("desktop.no_data_dir", "No home folder found for Gatehouse's data.")),
        }
    }

    /// This computer's preferences for the app.
    pub fn preferences(&self) -> Result<Preferences, ApiError> {
        preferences::load(&self.data_dir()?)
    }

    /// Saves this computer's preferences for the app.
    pub fn save_preferences(&self, saved: &Preferences) -> Result<(), ApiError> {
        preferences::save(&self.data_dir()?, saved)
    }

    /// Where the app runs, as chosen.
    pub async fn choice(&self) -> Result<ConnectionView, ApiError> {
        Ok(self.opened().await?.choice.clone())
    }

    /// Switches to `choice` (checked by the caller), remembering it when `remember`.
    pub async fn switch_to(&self, choice: ConnectionView, remember: bool) -> Result<(), ApiError> {
        let data_dir = self.data_dir()?;
        let opened = Arc::new(open(&self.settings, &data_dir, choice.clone()).await?);
        if remember {
            connection::save(&data_dir, &choice)?;
        }
        *self.opened.write().await = Some(opened);
        Ok(())
    }

    /// Logs, once, how long after process start the UI first asked for the app state.
    pub fn note_ui_ready(&self) {
        if !self.ui_ready_logged.swap(true, Ordering::Relaxed) {
            tracing::info!(elapsed_ms = self.elapsed_ms(), "ui ready");
        }
    }

    /// Milliseconds since the process started (for the start-up benchmark's log lines).
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs an operation as the current session (or signed out, without one).
    pub async fn call<O: Run>(&self, args: O) -> Result<O::Output, ApiError> {
        let opened = self.opened().await?;
        let token = opened.token.lock().await.clone();
        opened.connection.as_ref().ok_or_else(unchosen)?.call(args, token.as_ref()).await
    }

    /// Runs the operation called `name` with JSON arguments, as the current session.
    pub async fn call_json(&self, name: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        let opened = self.opened().await?;
        let token = opened.token.lock().await.clone();
        opened.connection.as_ref().ok_or_else(unchosen)?.call_json(name, args, token.as_ref()).await
    }

    /// Creates the first administrator on this computer's database (standalone only).
    pub async fn create_first_admin(&self, new: gatehouse_core::NewUser) -> Result<(), ApiError> {
        let opened = self.opened().await?;
        let Some(Local { gate, ip }) = opened.connection.as_ref().and_then(Connection::local) else {
            return Err(ApiError::new(
                "setup.on_server",
                "The server has no administrator yet: its operator creates one with gatehouse init.",
            ));
        };
        let (device, client) = self.identity().await?;
        let origin = gatehouse_core::Origin { ip: *ip, device: device.to_core(), client: client.to_core() };
        let signed_in = gate.create_first_admin(new, &origin, self.now()).await?;
        self.keep_token(signed_in.token).await
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

    /// The events of the session holding `token` (see gatehouse-client's `EventStream`),
    /// resuming after `cursor`.
    pub async fn events(&self, token: SessionToken, cursor: Option<i64>) -> Result<EventStream, ApiError> {
        Ok(self.opened().await?.connection.as_ref().ok_or_else(unchosen)?.events(token, cursor))
    }

    /// Forgets `ended` if it is still the token held (the session ended elsewhere; a newer
    /// sign-in is kept).
    pub async fn forget_ended_token(&self, ended: &SessionToken) -> Result<(), ApiError> {
        let opened = self.opened().await?;
        let mut held = opened.token.lock().await;
        if held.as_ref() != Some(ended) {
            return Ok(());
        }
        *held = None;
        token_store(&opened.keychain).clear().map_err(keychain_error)
    }

    /// Ends the session held, if any, and forgets its token (also when the session had
    /// already ended).
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        if self.has_token().await? {
            match self.call(gatehouse_api::operations::SignOut {}).await {
                Err(err) if !err.needs_sign_in() => return Err(err),
                _ => self.forget_token().await?,
            }
        }
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
        let opened = self.opened().await?;
        let device = gatehouse_host::this_device(&opened.keychain, ClientKind::Desktop).map_err(keychain_error)?;
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

/// Opens what `choice` names: this computer's database, a team server (nothing is sent
/// to it yet), or nothing until the first run's choice is made.
async fn open(settings: &Settings, data_dir: &std::path::Path, choice: ConnectionView) -> Result<Opened, ApiError> {
    let (connection, keychain) = match &choice {
        ConnectionView::Unchosen => (None, OsKeychain::for_data_dir(data_dir)),
        ConnectionView::ThisComputer => {
            let keychain = OsKeychain::for_data_dir(data_dir);
            let options = OpenOptions {
                geoip: settings.geoip.clone(),
                data_key: Some(Arc::new(KeychainDataKey::new(keychain.clone()))),
                ..Default::default()
            };
            let gate = Gatehouse::open(data_dir, options).await?;
            tracing::info!(data_dir = %data_dir.display(), "opened Gatehouse");
            (Some(Connection::Local(Local { gate, ip: gatehouse_host::primary_ip() })), keychain)
        }
        ConnectionView::TeamServer { url, trust } => {
            let remote = Remote::new(url, &connection::trust(trust)?)?;
            tracing::info!(server = remote.url(), "using the team server");
            (Some(Connection::Remote(remote)), OsKeychain::for_server(url))
        }
    };
    let token = match connection {
        Some(_) => token_store(&keychain).load().map_err(keychain_error)?,
        None => None,
    };
    Ok(Opened { choice, connection, keychain, token: Mutex::new(token), challenge: Mutex::new(None) })
}

fn token_store(keychain: &OsKeychain) -> SessionTokenStore<'_> {
    SessionTokenStore::new(keychain as &dyn Keychain, ClientKind::Desktop)
}
