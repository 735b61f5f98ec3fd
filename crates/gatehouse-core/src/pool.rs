//! The connection pool (deadpool over sqlx connections) and transactions on its connections.
//!
//! Not sqlx's own pool: it pings every connection as it goes back to the pool, in a task
//! spawned after each statement, which then runs beside the next call. On PostgreSQL that is
//! a round trip per statement and a second server process woken on a 2-core machine (the
//! activity page p99 1.3 ms on pooled connections against 0.33 ms on a held one, measured
//! in benches/core.rs). Here a connection goes back as it is; one that sat idle for a while
//! is checked before it is used again, and a transaction dropped without commit is rolled
//! back before its connection goes back (see [`Transaction`]).

use std::time::Duration;

use deadpool::managed::{self, Manager, Metrics, Object, PoolError, RecycleResult};
use sqlx::{ConnectOptions, Connection};

use crate::error::{Error, Result};

/// A connection idle this long is pinged before it is used again (a server or a proxy may
/// have dropped it).
const PING_WHEN_IDLE: Duration = Duration::from_secs(30);

/// How long a call waits for a free connection before it fails (as sqlx's pool did).
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(30);

/// Options of a connection the pool can hold (SQLite's and PostgreSQL's).
pub(crate) trait Options: ConnectOptions<Connection: Sized + Send> {
    /// Runs `sql`, a statement without arguments or rows (`BEGIN`, `COMMIT`, `ROLLBACK`).
    fn run(connection: &mut Self::Connection, sql: &'static str) -> impl Future<Output = sqlx::Result<()>> + Send;
}

macro_rules! options {
    ($($options:ty),+) => {$(
        impl Options for $options {
            async fn run(connection: &mut Self::Connection, sql: &'static str) -> sqlx::Result<()> {
                sqlx::raw_sql(sql).execute(connection).await.map(drop)
            }
        }
    )+};
}

options!(sqlx::sqlite::SqliteConnectOptions, sqlx::postgres::PgConnectOptions);

/// Opens connections with `O` and checks idle ones before reuse.
#[derive(Debug)]
pub(crate) struct Connector<O>(O);

impl<O: Options> Manager for Connector<O> {
    type Type = O::Connection;
    type Error = sqlx::Error;

    async fn create(&self) -> std::result::Result<O::Connection, sqlx::Error> {
        self.0.connect().await
    }

    async fn recycle(&self, connection: &mut O::Connection, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        if metrics.last_used() >= PING_WHEN_IDLE {
            connection.ping().await?;
        }
        Ok(())
    }
}

/// Up to `size` connections opened with `O`.
pub(crate) type Connections<O> = managed::Pool<Connector<O>>;

/// A connection taken from [`Connections`]; it goes back when dropped.
pub(crate) type Pooled<O> = Object<Connector<O>>;

/// A pool of at most `size` connections opened with `options`; none is opened yet.
pub(crate) fn connections<O: Options>(options: O, size: u32) -> Result<Connections<O>> {
    managed::Pool::builder(Connector(options))
        .max_size(usize::try_from(size).unwrap_or(usize::MAX))
        // The connection used last is the one most likely still alive and with the
        // statements at hand already prepared.
        .queue_mode(managed::QueueMode::Lifo)
        .wait_timeout(Some(WAIT_FOR_CONNECTION))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|err| Error::Internal(format!("could not set up the connection pool: {err}")))
}

/// The options `pool` opens its connections with.
pub(crate) fn options<O: Options>(pool: &Connections<O>) -> &O {
    &pool.manager().0
}

/// A connection from `pool`, waiting for one to be free.
pub(crate) async fn get<O: Options>(pool: &Connections<O>) -> Result<Pooled<O>> {
    // Boxed: deadpool's future is large, and every query's future would carry it inline.
    Box::pin(pool.get()).await.map_err(|err| match err {
        PoolError::Backend(err) => err.into(),
        PoolError::Timeout(_) => sqlx::Error::PoolTimedOut.into(),
        PoolError::Closed => sqlx::Error::PoolClosed.into(),
        other => Error::Internal(format!("no database connection: {other}")),
    })
}

/// Puts a connection a statement ran on back in the pool, unless the statement's `outcome`
/// says the connection is gone: then it is closed, so that the next call opens a new one
/// instead of getting the dead one back (the pool hands out the connection used last), and
/// so are the pool's idle ones — a lost connection most often means the server restarted
/// or failed over, and took them all.
pub(crate) fn give_back<O: Options, T>(connection: Pooled<O>, outcome: &sqlx::Result<T>) {
    if let Err(err) = outcome
        && breaks_connection(err)
    {
        let pool = Object::pool(&connection);
        drop(Object::take(connection));
        if let Some(pool) = pool {
            pool.retain(|_, _| false);
        }
    }
}

/// Whether `err` means the connection can't be used again: it was lost, or the server ended
/// it (a restart, a failover). PostgreSQL says so with the SQLSTATE classes 08 (connection
/// exception) and 57P (the server shutting down).
pub(crate) fn breaks_connection(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(err) => err.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// Closes every idle connection and waits for each to close (SQLite: the last one
/// checkpoints the WAL); connections in use close when they come back.
pub(crate) async fn close<O: Options>(pool: &Connections<O>) {
    let idle = pool.retain(|_, _| false).removed;
    pool.close();
    for connection in idle {
        // A connection that fails to close cleanly is gone either way.
        let _ = connection.close().await;
    }
}

/// A transaction on a pooled connection. Dropped without [`Transaction::commit`], it rolls
/// back at once, in a task that then puts the connection back (a connection put back inside
/// a transaction would hold its locks on a PostgreSQL server until its next use).
pub(crate) struct Transaction<O: Options> {
    /// `None` once committed.
    connection: Option<Pooled<O>>,
}

impl<O: Options> Transaction<O> {
    /// Begins a transaction on a connection from `pool` with `begin` (`BEGIN`, or SQLite's
    /// `BEGIN IMMEDIATE`).
    pub(crate) async fn begin(pool: &Connections<O>, begin: &'static str) -> Result<Self> {
        // A transaction before BEGIN is sent: should BEGIN fail or its call be dropped halfway,
        // the connection is rolled back (or closed), not put back as it may be.
        let mut transaction = Transaction { connection: Some(get(pool).await?) };
        O::run(transaction.connection()?, begin).await?;
        Ok(transaction)
    }

    /// The transaction's connection, for its statements.
    pub(crate) fn connection(&mut self) -> Result<&mut O::Connection> {
        match self.connection.as_mut() {
            Some(connection) => Ok(connection),
            None => Err(Error::Internal("the transaction has ended".to_owned())),
        }
    }

    /// Makes the transaction's writes permanent.
    pub(crate) async fn commit(mut self) -> Result<()> {
        O::run(self.connection()?, "COMMIT").await?;
        // Back to the pool as it is: nothing is left to send.
        self.connection.take();
        Ok(())
    }
}

impl<O: Options> Drop for Transaction<O> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let mut unsettled = Unsettled(Some(connection));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            // After whatever statement the dropped call left running.
            runtime.spawn(async move {
                if let Some(connection) = unsettled.0.as_mut()
                    && O::run(connection, "ROLLBACK").await.is_ok()
                {
                    // Rolled back: back to the pool.
                    unsettled.0.take();
                }
            });
        }
    }
}

/// A connection that may still be inside a transaction: dropped, it is closed (which rolls
/// the transaction back) rather than put back in the pool. Also when the task meant to roll
/// it back never runs (a runtime shutting down).
struct Unsettled<O: Options>(Option<Pooled<O>>);

impl<O: Options> Drop for Unsettled<O> {
    fn drop(&mut self) {
        if let Some(connection) = self.0.take() {
            drop(Object::take(connection));
        }
    }
}
