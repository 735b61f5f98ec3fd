//! Opening the database: the embedded SQLite file (a private folder and file, WAL, foreign
//! keys, a busy timeout for several processes — desktop app and CLI — sharing one file) or a
//! PostgreSQL server (a pool of the configured size, a statement timeout, TLS as the URL's
//! `sslmode` says); each with its own embedded, append-only migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use crate::db::{Dialect, Pool};
use crate::error::{Error, Result};
use crate::pool;

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "gatehouse.db";

/// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
pub(crate) async fn open(data_dir: &Path) -> Result<Pool> {
    create_private_dir(data_dir)?;
    let path = data_dir.join(DATABASE_FILE);
    create_private_file(&path)?;
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // Pages read through a memory map, without a system call and a copy each.
        .pragma("mmap_size", "268435456")
        .busy_timeout(Duration::from_secs(10));
    let pool = pool::connections(options, SQLITE_CONNECTIONS)?;
    // `run_direct`: `run` on a borrowed connection makes the future of every caller unable to
    // prove it is `Send` ("implementation of `Acquire` is not general enough").
    sqlx::migrate!("./migrations/sqlite").run_direct(None, &mut *pool::get(&pool).await?, false).await?;
    Ok(Pool::Sqlite(pool))
}

/// Connections to the SQLite file: readers run beside each other and beside the one writer.
const SQLITE_CONNECTIONS: u32 = 4;

/// The newest migration this build embeds for `dialect`.
pub(crate) fn latest_migration(dialect: Dialect) -> i64 {
    let migrator = match dialect {
        Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.iter().map(|migration| migration.version).max().unwrap_or(0)
}

/// Connects to the PostgreSQL database at `url` and brings its schema up to date.
pub(crate) async fn open_postgres(url: &str, pool_size: u32, statement_timeout: Duration) -> Result<Pool> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|_| Error::invalid("Database URL", "is not a PostgreSQL URL (postgres://user@host/database)."))?;
    let timeout = format!("{}ms", statement_timeout.as_millis());
    let options = options.options([("statement_timeout", timeout.as_str())]);
    let pool = pool::connections(options, pool_size)?;
    sqlx::migrate!("./migrations/postgres").run_direct(None, &mut *pool::get(&pool).await?, false).await?;
    Ok(Pool::Postgres(pool))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|err| io_error("create the data folder", dir, &err))
}

/// Creates the file readable only by its owner before SQLite opens it; SQLite gives its
/// -wal and -shm files the same permissions.
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop).map_err(|err| io_error("create the database file", path, &err))
}

fn io_error(what: &str, path: &Path, err: &std::io::Error) -> Error {
    Error::Internal(format!("could not {what} {}: {err}", path.display()))
}
