//! What every command needs: the opened core, the keychain, this machine's origin, the
//! caller's session token, the clock and the secrets reader.

use std::net::IpAddr;

use gatehouse_api::ApiError;
use gatehouse_core::{
    Caller, ClientInfo, ClientKind, Clock, DataKeySource, Database, Gatehouse, OpenOptions, Origin, SessionToken,
    SystemClock, Timestamp,
};
use gatehouse_host::{FileDataKey, Keychain, KeychainDataKey, KeychainError, OsKeychain, SessionTokenStore};

use crate::args::Cli;
use crate::secrets::Secrets;

/// `--database URL`, else `--data-dir DIR`, else the OS's per-user data folder.
pub fn database(cli: &Cli) -> Result<Database, ApiError> {
    if let Some(url) = &cli.database {
        return Ok(Database::from_url(url)?);
    }
    let data_dir = match &cli.data_dir {
        Some(dir) => dir.clone(),
        None => gatehouse_host::default_data_dir()
            .ok_or_else(|| cli_error("cli.no_data_dir", "No home folder found: pass --data-dir DIR."))?,
    };
    Ok(Database::Sqlite { data_dir })
}

/// The CLI's options for opening a database, without its data key.
pub(crate) fn open_options(cli: &Cli) -> OpenOptions {
    OpenOptions {
        geoip: cli.geoip.clone(),
        pool_size: Some(cli.db_pool_size),
        statement_timeout: Some(std::time::Duration::from_secs(cli.db_statement_timeout)),
        ..Default::default()
    }
}

/// Opens `database` with `options`; the data key comes from `data_key_file`, else from this
/// computer's keychain entry for that database.
pub(crate) async fn open_gatehouse(
    database: &Database,
    mut options: OpenOptions,
    data_key_file: Option<&std::path::Path>,
) -> Result<Gatehouse, ApiError> {
    let data_key: std::sync::Arc<dyn DataKeySource> = match data_key_file {
        Some(file) => std::sync::Arc::new(FileDataKey::new(file)),
        None => std::sync::Arc::new(KeychainDataKey::new(OsKeychain::for_database(database))),
    };
    options.data_key = Some(data_key);
    Ok(Gatehouse::open_database(database, options).await?)
}

/// Overrides the keychain's session token (for scripts).
const TOKEN_VARIABLE: &str = "GATEHOUSE_TOKEN";

/// The opened CLI context.
pub struct App {
    pub gate: Gatehouse,
    /// Where the database is, as people read it (a folder, or a URL without credentials).
    pub database: String,
    pub secrets: Secrets,
    keychain: OsKeychain,
    /// How this database was opened (for opening another: `import`).
    options: OpenOptions,
    ip: Option<IpAddr>,
    clock: SystemClock,
}

/// Runs a sensitive core call; when it asks for a step-up, confirms (a code or the
/// password, from the prompt or stdin) and runs it once more. The call is written once and
/// evaluated twice, so it must not move anything.
macro_rules! stepped_up {
    ($app:expr, $token:expr, $call:expr) => {
        match $call.await {
            Err(err @ gatehouse_core::Error::StepUpRequired { .. }) => {
                $app.step_up($token, &err).await?;
                $call.await
            }
            other => other,
        }
    };
}
pub(crate) use stepped_up;

/// An error of the CLI itself (not of the core).
pub fn cli_error(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

fn keychain_error(err: KeychainError) -> ApiError {
    ApiError::new(err.code(), err.to_string())
}

impl App {
    /// Opens the chosen database: `--database URL`, else the data folder.
    pub async fn open(cli: &Cli) -> Result<App, ApiError> {
        let database = database(cli)?;
        let keychain = OsKeychain::for_database(&database);
        let options = open_options(cli);
        let gate = open_gatehouse(&database, options.clone(), cli.data_key_file.as_deref()).await?;
        Ok(App {
            options,
            keychain,
            gate,
            database: database.describe(),
            secrets: Secrets::from_stdin(),
            ip: gatehouse_host::primary_ip(),
            clock: SystemClock,
        })
    }

    /// Opens another database the way this one was opened, with its own data key.
    pub async fn open_other(
        &self,
        database: &Database,
        data_key_file: Option<&std::path::Path>,
    ) -> Result<Gatehouse, ApiError> {
        open_gatehouse(database, self.options.clone(), data_key_file).await
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The session token: `GATEHOUSE_TOKEN` if set, else the one in the keychain.
    pub fn token(&self) -> Result<SessionToken, ApiError> {
        if let Ok(text) = std::env::var(TOKEN_VARIABLE) {
            return Ok(SessionToken::parse(&text)?);
        }
        self.token_store()
            .load()
            .map_err(keychain_error)?
            .ok_or_else(|| cli_error("cli.not_signed_in", "You are not signed in."))
    }

    /// Whether the session in use comes from `GATEHOUSE_TOKEN` rather than the keychain.
    pub fn token_from_environment(&self) -> bool {
        std::env::var_os(TOKEN_VARIABLE).is_some()
    }

    /// A caller for `token`, now.
    pub fn caller<'a>(&self, token: &'a SessionToken) -> Caller<'a> {
        Caller { token, now: self.now(), ip: self.ip }
    }

    /// Where a sign-in from this CLI comes from.
    pub fn origin(&self) -> Result<Origin, ApiError> {
        let device = gatehouse_host::this_device(&self.keychain, ClientKind::Cli).map_err(keychain_error)?;
        Ok(Origin {
            ip: self.ip,
            device,
            client: ClientInfo {
                kind: ClientKind::Cli,
                name: "gatehouse CLI".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
        })
    }

    /// Confirms it's the user after Gatehouse asked for a step-up: a code when two-factor
    /// authentication is on, the password otherwise.
    pub async fn step_up(&self, token: &SessionToken, asked: &gatehouse_core::Error) -> Result<(), ApiError> {
        let prompt = match asked {
            gatehouse_core::Error::StepUpRequired { with_code: true } => "Authentication code (or a backup code)",
            _ => "Password",
        };
        let answer = self.secrets.read(prompt)?;
        self.gate.step_up(self.caller(token), &answer).await?;
        Ok(())
    }

    /// Keeps a new session's token in the keychain.
    pub fn save_token(&self, token: &SessionToken) -> Result<(), ApiError> {
        self.token_store().save(token).map_err(keychain_error)
    }

    /// Forgets the stored token (after signing out).
    pub fn forget_token(&self) -> Result<(), ApiError> {
        self.token_store().clear().map_err(keychain_error)
    }

    fn token_store(&self) -> SessionTokenStore<'_> {
        SessionTokenStore::new(&self.keychain as &dyn Keychain, ClientKind::Cli)
    }
}
