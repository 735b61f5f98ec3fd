//! The command line, as clap parses it. `--help` text comes from these doc comments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Gatehouse: your team's account-security desk, from the terminal.
///
/// Secrets (passwords) are never taken from the command line: they are asked for at a
/// prompt, or read one per line from standard input when it is not a terminal.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Data folder holding the database [default: the OS's per-user data folder]
    #[arg(long, global = true, env = "GATEHOUSE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The database by URL instead: postgres://… or postgresql://… for PostgreSQL (TLS as
    /// its sslmode says), sqlite:DIR for a data folder
    #[arg(long, global = true, env = "GATEHOUSE_DATABASE", value_name = "URL", conflicts_with = "data_dir")]
    pub database: Option<String>,

    /// Run every command on your team's Gatehouse server instead (https://…); `init`,
    /// `import`, `keygen`, `serve` and `geoip` stay on the server host
    #[arg(long, global = true, env = "GATEHOUSE_SERVER", value_name = "URL", conflicts_with_all = ["data_dir", "database"])]
    pub server: Option<String>,

    /// With --server: trust the server's certificate if it chains to the CA in this PEM file
    /// (a private CA) instead of the system's roots
    #[arg(long, global = true, env = "GATEHOUSE_CA_FILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// With --server: trust exactly the certificate with this SHA-256 fingerprint (a
    /// self-signed server; on its host: openssl x509 -noout -fingerprint -sha256 -in cert.pem)
    #[arg(
        long,
        global = true,
        env = "GATEHOUSE_SERVER_FINGERPRINT",
        value_name = "SHA256",
        conflicts_with = "ca_file"
    )]
    pub server_fingerprint: Option<String>,

    /// PostgreSQL: connections in the pool
    #[arg(long, global = true, env = "GATEHOUSE_DB_POOL_SIZE", value_name = "N", default_value_t = 10)]
    pub db_pool_size: u32,

    /// PostgreSQL: the longest one statement may run, in seconds
    #[arg(long, global = true, env = "GATEHOUSE_DB_STATEMENT_TIMEOUT", value_name = "SECONDS", default_value_t = 10)]
    pub db_statement_timeout: u64,

    /// GeoIP database (MaxMind .mmdb) for locations, instead of the saved setting
    #[arg(long, global = true, env = "GATEHOUSE_GEOIP", value_name = "FILE")]
    pub geoip: Option<PathBuf>,

    /// The key that protects two-factor secrets, from a file (made by `gatehouse keygen`)
    /// instead of the OS keychain: for servers
    #[arg(long, global = true, env = "GATEHOUSE_DATA_KEY_FILE", value_name = "FILE")]
    pub data_key_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the first administrator (first run only) and sign in as them
    Init {
        /// The administrator's email
        #[arg(long)]
        email: String,
        /// The administrator's name [default: from the email]
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Make a new data key file (for --data-key-file on a server), readable only by you
    Keygen {
        /// Where to write it; an existing file is never overwritten
        file: PathBuf,
    },
    /// Copy a standalone installation (its data folder) into this database, which must be
    /// empty: how a team moves to PostgreSQL. Sessions end; everyone signs in again
    Import {
        /// The standalone installation's data folder
        #[arg(long, value_name = "DIR")]
        from_data_dir: PathBuf,
        /// Its data key from a file [default: this computer's keychain entry for that folder]
        #[arg(long, value_name = "FILE")]
        from_data_key_file: Option<PathBuf>,
    },
    /// Run the team server: the HTTPS API over this database, for the desktop apps and CLIs
    /// of the team (`--server URL`). Needs --data-key-file; run several on one PostgreSQL
    /// database and they behave as one server
    Serve(ServeArgs),
    /// Sign in; the session token is kept in the OS keychain
    Signin {
        /// Your email
        email: String,
        /// Also print the session token (for GATEHOUSE_TOKEN in scripts)
        #[arg(long)]
        print_token: bool,
    },
    /// End this session and forget its token
    Signout,
    /// Show who is signed in
    Whoami {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Manage users (admins)
    #[command(subcommand)]
    User(UserCommand),
    /// List and end sessions
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// List, rename and remove devices
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// Sign-in activity: list and export
    #[command(subcommand)]
    Activity(ActivityCommand),
    /// Your password
    #[command(subcommand)]
    Password(PasswordCommand),
    /// Security policy (admins change it)
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The saved GeoIP database setting (admins)
    #[command(subcommand)]
    Geoip(GeoipCommand),
    /// The audit log (admins)
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Two-factor authentication: enrol an authenticator app, backup codes, turn off
    #[command(subcommand, name = "2fa")]
    TwoFactor(TwoFactorCommand),
    /// The address book of trusted withdrawal addresses
    #[command(subcommand)]
    Address(AddressCommand),
    /// Withdrawal requests
    #[command(subcommand)]
    Withdraw(WithdrawCommand),
    /// Your notices (alerts): list them, or watch them arrive
    #[command(subcommand)]
    Notices(NoticesCommand),
    /// Your security checkup: what to fix, and how. Exits 1 when something needs attention
    Checkup {
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// The team's checks instead of yours (admins)
        #[arg(long)]
        team: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoticesCommand {
    /// List your notices, newest first
    List {
        /// Only those not read yet
        #[arg(long)]
        unread: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print each new notice as it arrives, until interrupted. Resumes where the last watch
    /// stopped (after a dropped connection too), printing what it missed once
    Watch {
        /// One JSON object per line (for a chat bot or a SIEM)
        #[arg(long)]
        json: bool,
        /// Where the last printed notice's cursor is kept
        /// [default: a file per server or database in Gatehouse's data folder]
        #[arg(long, value_name = "FILE")]
        cursor_file: Option<PathBuf>,
    },
}

/// `gatehouse serve`'s options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on
    #[arg(long, env = "GATEHOUSE_LISTEN", value_name = "ADDRESS:PORT", default_value = "0.0.0.0:8443")]
    pub listen: std::net::SocketAddr,
    /// The server's certificate chain (PEM, leaf first)
    #[arg(long, env = "GATEHOUSE_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM)
    #[arg(long, env = "GATEHOUSE_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS: only on a loopback address, behind a reverse proxy
    /// on the same host (or in tests)
    #[arg(long, env = "GATEHOUSE_INSECURE_LOOPBACK_HTTP", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub insecure_loopback_http: bool,
    /// A reverse proxy (address or range, e.g. 10.0.0.0/8) whose X-Forwarded-For is
    /// believed; repeat, or separate with commas
    #[arg(long, env = "GATEHOUSE_TRUSTED_PROXY", value_name = "RANGE", value_delimiter = ',')]
    pub trusted_proxy: Vec<String>,
    /// Log format: text, or json (one object per line, with each request's id)
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", value_name = "FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

/// How `serve` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum AddressCommand {
    /// Check an address without saving it: exit 0 when valid, 1 with the reason on stderr
    Check {
        /// bitcoin, ethereum, bsc, tron, litecoin, dogecoin, solana, ton or xrp (tokens use their chain)
        network: String,
        /// The address
        address: String,
        /// Destination tag (XRP) or memo (TON)
        #[arg(long)]
        memo: Option<String>,
    },
    /// Save an address (it can be used after the policy's cooling-off)
    Add {
        /// A label, unique in your book (or among shared addresses)
        label: String,
        /// Network name
        network: String,
        /// The address
        address: String,
        /// Destination tag (XRP) or memo (TON)
        #[arg(long)]
        memo: Option<String>,
        /// A note
        #[arg(long, default_value = "")]
        note: String,
        /// Share it with the whole team (admins and finance)
        #[arg(long)]
        shared: bool,
        /// Save it even though it looks like a saved address (after checking every character)
        #[arg(long)]
        accept_lookalike: bool,
    },
    /// List saved addresses you can use
    List {
        /// A fragment of a label or an address
        #[arg(long)]
        search: Option<String>,
        /// One network only
        #[arg(long)]
        network: Option<String>,
        /// Only addresses past their cooling-off
        #[arg(long)]
        usable: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change a saved address's label, address, memo or note
    Edit {
        /// Address id (from `address list`)
        id: String,
        /// New label
        #[arg(long)]
        label: Option<String>,
        /// New address (starts the cooling-off again)
        #[arg(long)]
        address: Option<String>,
        /// New destination tag or memo ("" to remove)
        #[arg(long)]
        memo: Option<String>,
        /// New note
        #[arg(long)]
        note: Option<String>,
        /// Save it even though it looks like a saved address
        #[arg(long)]
        accept_lookalike: bool,
    },
    /// Delete a saved address (withdrawals made to it keep their copy)
    Remove {
        /// Address id
        id: String,
    },
    /// Write the addresses you can see to a CSV file
    Export {
        /// The CSV file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum WithdrawCommand {
    /// Request a withdrawal to a saved, usable address
    Create {
        /// Saved address id (from `address list --usable`)
        address_id: String,
        /// Asset symbol, e.g. BTC or USDT
        asset: String,
        /// Amount, e.g. 250.5
        amount: String,
        /// A note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List withdrawal requests (approvers see everyone's)
    List {
        /// pending, approved or rejected
        #[arg(long)]
        status: Option<String>,
        /// Only your own requests
        #[arg(long)]
        mine: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Approve someone else's pending request (admins and finance)
    Approve {
        /// Request id
        id: String,
        /// A note for the requester
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject someone else's pending request (admins and finance)
    Reject {
        /// Request id
        id: String,
        /// Why
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Write the requests you can see to a CSV file
    Export {
        /// The CSV file
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TwoFactorCommand {
    /// Turn on two-factor authentication: shows a QR code and the key, asks for a code,
    /// then prints your backup codes
    Enroll,
    /// Show whether two-factor authentication is on and how many backup codes are left
    Status {
        /// Another user's state (admins)
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Make a new set of backup codes (the old ones stop working)
    BackupCodes,
    /// Turn two-factor authentication off; asks for your password and a current code
    Disable,
    /// When the key that protects two-factor secrets is lost from this computer's keychain:
    /// turn off every user's two-factor authentication (they set it up again) and make a new
    /// key. Asks for an administrator's password; needs no session (signing in may need the
    /// lost key). Audited.
    RecoverLostKey {
        /// An administrator's email
        #[arg(long)]
        email: String,
        /// Confirm: every user's two-factor authentication will be turned off
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; asks for their initial password
    Add {
        /// Email
        email: String,
        /// Role
        #[arg(long, value_parser = ["admin", "finance", "member"])]
        role: String,
        /// Display name [default: from the email]
        #[arg(long, default_value = "")]
        name: String,
    },
    /// List users
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Disable a user; their sessions end
    Disable {
        /// Email
        email: String,
    },
    /// Enable a disabled user
    Enable {
        /// Email
        email: String,
    },
    /// Set a new password for a user; asks for it; their sessions end
    ResetPassword {
        /// Email
        email: String,
    },
    /// Lift a sign-in lockout after repeated failures
    Unlock {
        /// Email
        email: String,
    },
    /// Reset a user's two-factor authentication (they lost their device): they enrol again
    #[command(name = "reset-2fa")]
    Reset2fa {
        /// Email
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List open sessions
    List {
        /// Another user's sessions (admins)
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// End a session: it stops working at once
    End {
        /// Session id (from `sessions list`)
        id: String,
    },
    /// End every session of yours except this one
    EndOthers,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// List devices
    List {
        /// Another user's devices (admins)
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Rename a device
    Rename {
        /// Device id (from `devices list`)
        id: String,
        /// New name
        name: String,
    },
    /// Remove a device: its sessions end and it must sign in again
    Remove {
        /// Device id (from `devices list`)
        id: String,
    },
}

/// Which attempts to show.
#[derive(Debug, Args)]
pub struct ActivityFilterArgs {
    /// Only failed attempts
    #[arg(long)]
    pub failures: bool,
    /// Only attempts with risk flags (new device, new place, failure burst, impossible travel, after lockout)
    #[arg(long)]
    pub flagged: bool,
    /// From this date or time (e.g. 2026-11-01, 2026-11-01T09:00, or RFC 3339), local time
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Before this date or time
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// One user's attempts (admins)
    #[arg(long, value_name = "EMAIL", conflicts_with = "all")]
    pub user: Option<String>,
    /// Everyone's attempts, including unknown emails (admins)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// List sign-in attempts, newest first
    List {
        #[command(flatten)]
        filter: ActivityFilterArgs,
        /// How many rows
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Write matching attempts to a CSV file
    Export {
        /// The CSV file to write
        file: PathBuf,
        #[command(flatten)]
        filter: ActivityFilterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Change your password; asks for the current and the new one
    Change,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Show the policy
    Show {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change policy values (admins); unnamed values stay as they are. Changes that weaken
    /// protection wait the protection change delay unless another admin confirms them
    Set(PolicySetArgs),
    /// Changes that weaken protection, waiting for their delay or a second admin (admins)
    Pending {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Confirm another admin's pending change: it applies at once (admins)
    Confirm {
        /// The change's id (see `policy pending`)
        id: String,
    },
    /// Cancel a pending change: the setting keeps its value (admins)
    Cancel {
        /// The change's id (see `policy pending`)
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct PolicySetArgs {
    /// Minutes of inactivity that end a session
    #[arg(long)]
    pub session_idle_minutes: Option<u32>,
    /// Minutes after sign-in that end a session regardless
    #[arg(long)]
    pub session_absolute_minutes: Option<u32>,
    /// Minutes of inactivity before the desktop app locks (0 = never)
    #[arg(long)]
    pub idle_lock_minutes: Option<u32>,
    /// Failed attempts on one account before it is locked out
    #[arg(long)]
    pub lockout_threshold: Option<u32>,
    /// Minutes a lockout lasts
    #[arg(long)]
    pub lockout_minutes: Option<u32>,
    /// Failed attempts from one address before it is locked out
    #[arg(long)]
    pub ip_lockout_threshold: Option<u32>,
    /// Require two-factor authentication for everyone (true or false)
    #[arg(long, value_name = "BOOL")]
    pub require_two_factor: Option<bool>,
    /// Minutes a step-up (a fresh code or password) lets sensitive changes through
    #[arg(long)]
    pub step_up_minutes: Option<u32>,
    /// Minutes before a new or changed address can be used for withdrawals (0 = at once)
    #[arg(long)]
    pub address_cooling_off_minutes: Option<u32>,
    /// Withdrawals wait for another admin's or finance user's approval (true or false)
    #[arg(long, value_name = "BOOL")]
    pub withdrawals_need_approval: Option<bool>,
    /// Failures on one account, or from one address, that flag a failure burst
    #[arg(long)]
    pub failure_burst_threshold: Option<u32>,
    /// Minutes those failures must fall within
    #[arg(long)]
    pub failure_burst_minutes: Option<u32>,
    /// Days after which a country or city flags a sign-in as a new place again
    #[arg(long)]
    pub new_place_days: Option<u32>,
    /// Speed (km/h) between two sign-ins' locations above which they flag impossible travel
    #[arg(long)]
    pub impossible_travel_kmh: Option<u32>,
    /// Consecutive failures on one account (across lockouts, until a success) after which it
    /// stays locked until an admin unlocks it (at most 100)
    #[arg(long)]
    pub hard_lockout_threshold: Option<u32>,
    /// Minutes a change that weakens protection waits unless a second admin confirms it (0 = at once)
    #[arg(long)]
    pub protection_change_delay_minutes: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum GeoipCommand {
    /// Show the saved GeoIP database
    Show,
    /// Save a GeoIP database (checked first) for locations
    Set {
        /// The .mmdb file
        file: PathBuf,
    },
    /// Stop using a GeoIP database
    Clear,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List the newest audit records
    List {
        /// How many
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}
