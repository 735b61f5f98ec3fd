//! Shared fixtures: a fresh data folder, a manual clock, origins and callers.

use std::net::IpAddr;
use std::time::Duration;

use gatehouse_core::{
    Caller, ClientInfo, ClientKind, Clock, DataKey, Database, DeviceInfo, DeviceKind, Gatehouse, ManualClock, NewUser,
    OpenOptions, Origin, Policy, Role, SessionToken, SignedIn, StaticDataKey, Timestamp,
};
use tempfile::TempDir;
use zeroize::Zeroizing;

pub const ADMIN_EMAIL: &str = "ada@example.com";
pub const ADMIN_PASSWORD: &str = "violet-harbor-lantern-42";
pub const USER_PASSWORD: &str = "quiet-meadow-copper-77";
/// The second admin [`Fixture::set_policy_now`] makes to confirm weakening changes.
pub const DEPUTY_EMAIL: &str = "deputy@example.com";
/// The temporary password an admin gives a new user (who must replace it at once).
pub const TEMPORARY_PASSWORD: &str = "amber-window-falcon-19";

/// 2026-11-22T12:00:00Z
pub const START: Timestamp = Timestamp::from_millis(1_795_348_800_000);

pub struct Fixture {
    pub dir: TempDir,
    pub gate: Gatehouse,
    pub clock: ManualClock,
    /// Where the data lives: a SQLite file in `dir`, or a fresh PostgreSQL database.
    pub database: Database,
}

/// The PostgreSQL cluster the suite runs against instead of SQLite, when set (by
/// scripts/with-postgres): the maintenance database's URL.
const POSTGRES_VARIABLE: &str = "GATEHOUSE_TEST_POSTGRES";

/// Connections a test's PostgreSQL pool may open: enough for twenty tasks at once.
const TEST_POOL_SIZE: u32 = 24;

impl Fixture {
    pub async fn new() -> Self {
        Self::with_options(OpenOptions::default()).await
    }

    /// A fixture on the suite's backend: SQLite, or PostgreSQL when the suite runs inside
    /// scripts/with-postgres (a fresh database for each fixture).
    pub async fn with_options(options: OpenOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = match std::env::var(POSTGRES_VARIABLE) {
            Ok(cluster) => fresh_postgres_database(&cluster).await,
            Err(_) => Database::Sqlite { data_dir: dir.path().to_path_buf() },
        };
        Self::on(dir, database, options).await
    }

    /// A fixture on SQLite whatever the suite's backend (tests of the SQLite file itself).
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::Sqlite { data_dir: dir.path().to_path_buf() };
        Self::on(dir, database, OpenOptions::default()).await
    }

    async fn on(dir: TempDir, database: Database, options: OpenOptions) -> Self {
        let gate = Gatehouse::open_database(&database, with_test_defaults(options)).await.unwrap();
        Fixture { dir, gate, clock: ManualClock::new(START), database }
    }

    /// Another handle on the same database (as a second process would open it).
    pub async fn reopen(&self, options: OpenOptions) -> Gatehouse {
        Gatehouse::open_database(&self.database, OpenOptions { pool_size: Some(TEST_POOL_SIZE), ..options })
            .await
            .unwrap()
    }

    /// Runs `sql` (`$1` bound to `n`) straight on the database, beside Gatehouse.
    pub async fn execute_raw(&self, sql: &'static str, n: i64) {
        match &self.database {
            Database::Sqlite { data_dir } => {
                let url = format!("sqlite://{}", data_dir.join("gatehouse.db").display());
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(sql).bind(n).execute(&pool).await.unwrap();
                pool.close().await;
            }
            Database::Postgres { url } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                sqlx::query(sql).bind(n).execute(&pool).await.unwrap();
                pool.close().await;
            }
        }
    }

    /// How many rows `table` holds, read straight from the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"));
        match &self.database {
            Database::Sqlite { data_dir } => {
                let url = format!("sqlite://{}", data_dir.join("gatehouse.db").display());
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                let count = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
                pool.close().await;
                count
            }
            Database::Postgres { url } => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                let count = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
                pool.close().await;
                count
            }
        }
    }

    /// Everything the database holds, as bytes to search for secrets: the SQLite file and
    /// its WAL, or a `pg_dump` of the PostgreSQL database.
    pub async fn stored_bytes(&self) -> Vec<u8> {
        self.gate.close().await;
        match &self.database {
            Database::Sqlite { data_dir } => {
                let mut bytes = std::fs::read(data_dir.join("gatehouse.db")).unwrap();
                if let Ok(wal) = std::fs::read(data_dir.join("gatehouse.db-wal")) {
                    bytes.extend(wal);
                }
                bytes
            }
            Database::Postgres { url } => {
                let dump = std::process::Command::new("pg_dump").args(["--data-only", url]).output().unwrap();
                assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
                assert!(dump.stdout.len() > 1_000, "pg_dump wrote the data");
                dump.stdout
            }
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub fn caller<'a>(&self, token: &'a SessionToken) -> Caller<'a> {
        Caller { token, now: self.now(), ip: None }
    }

    /// Creates the first admin from the default desktop origin.
    pub async fn admin(&self) -> SignedIn {
        let new = new_user(ADMIN_EMAIL, "Ada Admin", Role::Admin, ADMIN_PASSWORD);
        self.gate.create_first_admin(new, &desktop(), self.now()).await.unwrap()
    }

    /// Steps `who` up (sudo mode) with their password, for the sensitive changes that follow.
    pub async fn confirm(&self, who: &SignedIn) {
        let password = if who.user.email == ADMIN_EMAIL { ADMIN_PASSWORD } else { USER_PASSWORD };
        self.gate.step_up(self.caller(&who.token), password).await.unwrap();
    }

    /// Creates a user (as `admin`, stepping them up) with a temporary password, signs them
    /// in from `origin` and has them choose [`USER_PASSWORD`]. An admin or finance user
    /// made so is settled at once, as if the team had known them for longer than the
    /// protection change delay: tests/core/approvers.rs tests that wait with a moved clock.
    pub async fn user(&self, admin: &SignedIn, email: &str, role: Role, origin: &Origin) -> SignedIn {
        let signed_in = self.new_approver_or_member(admin, email, role, origin).await;
        self.execute_raw("UPDATE users SET approves_from = NULL WHERE id = $1", signed_in.user.id.0).await;
        signed_in
    }

    /// [`Fixture::user`] as the core makes them: an admin or finance user may still have to
    /// wait before they count as the second person.
    pub async fn new_approver_or_member(&self, admin: &SignedIn, email: &str, role: Role, origin: &Origin) -> SignedIn {
        self.confirm(admin).await;
        let new = new_user(email, "", role, TEMPORARY_PASSWORD);
        self.gate.create_user(self.caller(&admin.token), new).await.unwrap();
        let signed_in =
            self.gate.sign_in(email, TEMPORARY_PASSWORD, origin, self.now()).await.unwrap().signed_in().unwrap();
        self.gate.change_password(self.caller(&signed_in.token), TEMPORARY_PASSWORD, USER_PASSWORD).await.unwrap();
        signed_in
    }

    /// Saves `policy` as `admin` (who must have stepped up); what weakens protection is
    /// confirmed at once by a second admin (made on first use), so tests needn't wait the
    /// protection change delay. Returns the policy in force.
    pub async fn set_policy_now(&self, admin: &SignedIn, policy: &Policy) -> Policy {
        let update = self.gate.set_policy(self.caller(&admin.token), policy).await.unwrap();
        let mut in_force = update.policy;
        if update.delayed.is_empty() {
            return in_force;
        }
        let deputy = match self.gate.find_user(self.caller(&admin.token), DEPUTY_EMAIL).await {
            Ok(_) => self
                .gate
                .sign_in(DEPUTY_EMAIL, USER_PASSWORD, &terminal(), self.now())
                .await
                .unwrap()
                .signed_in()
                .unwrap(),
            Err(_) => self.user(admin, DEPUTY_EMAIL, Role::Admin, &terminal()).await,
        };
        self.confirm(&deputy).await;
        for change in &update.delayed {
            in_force = self.gate.confirm_policy_change(self.caller(&deputy.token), change.id).await.unwrap();
        }
        in_force
    }
}

/// A data key source shared like one OS keychain entry (by the app and the CLI): it can lose
/// its key, and it counts how often a new key was stored. It stores slowly, so that two
/// processes needing a key at once really overlap.
#[derive(Debug, Default)]
pub struct SharedKeychainEntry {
    key: std::sync::Mutex<Option<DataKey>>,
    pub stores: std::sync::atomic::AtomicUsize,
}

impl SharedKeychainEntry {
    /// The entry is gone (a new machine, a wiped keychain).
    pub fn lose(&self) {
        *self.key.lock().unwrap() = None;
    }

    pub fn holds_a_key(&self) -> bool {
        self.key.lock().unwrap().is_some()
    }
}

impl gatehouse_core::DataKeySource for SharedKeychainEntry {
    fn load(&self) -> gatehouse_core::Result<Option<DataKey>> {
        Ok(self.key.lock().unwrap().clone())
    }

    fn store(&self, key: &DataKey) -> gatehouse_core::Result<()> {
        std::thread::sleep(std::time::Duration::from_millis(50));
        self.stores.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *self.key.lock().unwrap() = Some(key.clone());
        Ok(())
    }
}

/// Test defaults: a random data key unless one is given; a PostgreSQL pool big enough for
/// the concurrency tests.
fn with_test_defaults(mut options: OpenOptions) -> OpenOptions {
    if options.data_key.is_none() {
        options.data_key = Some(std::sync::Arc::new(StaticDataKey(DataKey::generate())));
    }
    options.pool_size = options.pool_size.or(Some(TEST_POOL_SIZE));
    options
}

/// A new, empty database in the test cluster at `cluster` (its maintenance database's URL).
async fn fresh_postgres_database(cluster: &str) -> Database {
    use sqlx::Connection;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name =
        format!("gatehouse_test_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    let mut admin = sqlx::PgConnection::connect(cluster).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    let (server, _) = cluster.rsplit_once('/').unwrap();
    Database::Postgres { url: format!("{server}/{name}") }
}

pub fn new_user(email: &str, name: &str, role: Role, password: &str) -> NewUser {
    NewUser { email: email.to_owned(), name: name.to_owned(), role, password: Zeroizing::new(password.to_owned()) }
}

pub fn origin(installation: &str, kind: DeviceKind, client: ClientKind, ip: Option<&str>) -> Origin {
    Origin {
        ip: ip.map(|ip| ip.parse::<IpAddr>().unwrap()),
        device: DeviceInfo {
            installation_id: installation.to_owned(),
            name: format!("{installation}-host"),
            kind,
            os: "Debian".to_owned(),
            os_version: "12".to_owned(),
        },
        client: ClientInfo {
            kind: client,
            name: match client {
                ClientKind::Desktop => "Gatehouse desktop".to_owned(),
                ClientKind::Cli => "gatehouse CLI".to_owned(),
            },
            version: "0.1.0".to_owned(),
        },
    }
}

/// The desktop app on a laptop in the office network.
pub fn desktop() -> Origin {
    origin("laptop-0001", DeviceKind::Laptop, ClientKind::Desktop, Some("10.0.0.5"))
}

/// The CLI on a terminal.
pub fn terminal() -> Origin {
    origin("terminal-0002", DeviceKind::Terminal, ClientKind::Cli, Some("10.0.0.6"))
}

pub fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// The error code of a failed result (panics on success, with the value's debug text).
pub fn code<T: std::fmt::Debug>(result: Result<T, gatehouse_core::Error>) -> &'static str {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(err) => err.code(),
    }
}

/// Every attempt recorded, as seen by an admin.
pub async fn all_attempts(fx: &Fixture, admin: &SignedIn) -> Vec<gatehouse_core::Attempt> {
    let filter = gatehouse_core::ActivityFilter {
        scope: gatehouse_core::ActivityScope::Everyone,
        limit: Some(1000),
        ..Default::default()
    };
    fx.gate.list_activity(fx.caller(&admin.token), &filter).await.unwrap()
}
