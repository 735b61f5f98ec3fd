//! What every command needs: where operations run (this computer's database, or a team
//! server with `--server`), the keychain, the caller's session token and the secrets reader.

use gatehouse_api::{ApiError, ClientRequest, DeviceRequest, Run};
use gatehouse_client::{Connection, Fingerprint, Local, Remote, Trust};
use gatehouse_core::{
    ClientInfo, ClientKind, Clock, DataKeySource, Database, Gatehouse, OpenOptions, Origin, SessionToken, SystemClock,
    Timestamp,
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
    connection: Connection,
    /// Where operations run, as people read it (a folder, a database URL without
    /// credentials, or a server's URL).
    pub location: String,
    pub secrets: Secrets,
    keychain: OsKeychain,
    /// How the database was opened (for opening another: `import`); none with `--server`.
    options: Option<OpenOptions>,
    clock: SystemClock,
}

/// Runs a sensitive operation; when Gatehouse asks for a step-up, confirms (a code or the
/// password, from the prompt or stdin) and runs it once more. The call is written once and
/// evaluated twice, so it must not move anything.
macro_rules! stepped_up {
    ($app:expr, $token:expr, $call:expr) => {
        match $call.await {
            Err(err) if err.code == "auth.step_up_required" => {
                $app.step_up($token, &err).await?;
                $call.await
            }
            other => other,
        }
    };
}
pub(crate) use stepped_up;

/// An error of the CLI itself (not of Gatehouse).
pub fn cli_error(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

fn keychain_error(err: KeychainError) -> ApiError {
    ApiError::new(err.code(), err.to_string())
}

impl App {
    /// Opens where operations run: `--server URL`, else `--database URL`, else the data folder.
    pub async fn open(cli: &Cli) -> Result<App, ApiError> {
        if let Some(server) = &cli.server {
            let trust = match (&cli.ca_file, &cli.server_fingerprint) {
                (_, Some(fingerprint)) => Trust::Pinned(Fingerprint::parse(fingerprint)?),
                (Some(file), None) => Trust::CaFile(file.clone()),
                (None, None) => Trust::SystemRoots,
            };
            let remote = Remote::new(server, &trust)?;
            return Ok(App {
                keychain: OsKeychain::for_server(remote.url()),
                location: remote.url().to_owned(),
                connection: Connection::Remote(remote),
                secrets: Secrets::from_stdin(),
                options: None,
                clock: SystemClock,
            });
        }
        let database = database(cli)?;
        let options = open_options(cli);
        let gate = open_gatehouse(&database, options.clone(), cli.data_key_file.as_deref()).await?;
        Ok(App {
            keychain: OsKeychain::for_database(&database),
            location: database.describe(),
            connection: Connection::Local(Local { gate, ip: gatehouse_host::primary_ip() }),
            secrets: Secrets::from_stdin(),
            options: Some(options),
            clock: SystemClock,
        })
    }

    /// The events of the session holding `token`, resuming after `cursor`.
    pub fn events(&self, token: SessionToken, cursor: Option<i64>) -> gatehouse_client::EventStream {
        self.connection.events(token, cursor)
    }

    /// Runs an operation as the holder of `token`.
    pub async fn call<O: Run>(&self, token: &SessionToken, args: O) -> Result<O::Output, ApiError> {
        self.connection.call(args, Some(token)).await
    }

    /// Runs an operation that needs no session (signing in).
    pub async fn call_signed_out<O: Run>(&self, args: O) -> Result<O::Output, ApiError> {
        self.connection.call(args, None).await
    }

    /// The database itself, for what runs beside it (`init`, `import`, `geoip`, key
    /// recovery) — refused with `--server`.
    pub fn local(&self, command: &str) -> Result<&Gatehouse, ApiError> {
        match self.connection.local() {
            Some(Local { gate, .. }) => Ok(gate),
            None => Err(cli_error(
                "cli.database_side",
                format!(
                    "`gatehouse {command}` runs on the server host, against its database (--database URL), \
                     not with --server."
                ),
            )),
        }
    }

    /// The database itself, to change what the opened core holds (the GeoIP setting).
    pub fn local_mut(&mut self, command: &str) -> Result<&mut Gatehouse, ApiError> {
        self.local(command)?;
        match self.connection.local_mut() {
            Some(Local { gate, .. }) => Ok(gate),
            None => Err(cli_error("internal", "no local database")),
        }
    }

    /// Opens another database the way this one was opened, with its own data key.
    pub async fn open_other(
        &self,
        database: &Database,
        data_key_file: Option<&std::path::Path>,
    ) -> Result<Gatehouse, ApiError> {
        self.local("import")?;
        open_gatehouse(database, self.options.clone().unwrap_or_default(), data_key_file).await
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

    /// This installation as a sign-in names it: its device and the CLI.
    pub fn identity(&self) -> Result<(DeviceRequest, ClientRequest), ApiError> {
        let device = gatehouse_host::this_device(&self.keychain, ClientKind::Cli).map_err(keychain_error)?;
        let client = ClientInfo {
            kind: ClientKind::Cli,
            name: "gatehouse CLI".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        Ok((DeviceRequest::of(&device), ClientRequest::of(&client)))
    }

    /// Where a sign-in from this CLI comes from, for the database-side commands.
    pub fn origin(&self) -> Result<Origin, ApiError> {
        let (device, client) = self.identity()?;
        Ok(Origin { ip: gatehouse_host::primary_ip(), device: device.to_core(), client: client.to_core() })
    }

    /// Confirms it's the user after Gatehouse asked for a step-up: a code when two-factor
    /// authentication is on, the password otherwise.
    pub async fn step_up(&self, token: &SessionToken, asked: &ApiError) -> Result<(), ApiError> {
        let prompt = match asked.step_up_with.as_deref() {
            Some("code") => "Authentication code (or a backup code)",
            _ => "Password",
        };
        let answer = self.secrets.read(prompt)?;
        self.call(token, gatehouse_api::operations::StepUp { answer: gatehouse_api::Secret::new(answer.as_str()) })
            .await
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
