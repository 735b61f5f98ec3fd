//! The one query API the core's modules use, whatever the database behind it: queries with
//! owned arguments, rows, scalar reads, transactions and a builder for queries with optional
//! parts. Query texts number their placeholders `$1, $2 …`, which SQLite reads as numbered
//! parameters just as PostgreSQL does, so a statement is written once wherever the dialects
//! agree.
//!
//! Two backends stand behind it: the embedded SQLite file (standalone, `store`) and
//! PostgreSQL (team mode). The few statements whose dialects differ ask [`Tx::dialect`] or
//! [`Pool::dialect`]; everything else is one text.

use sqlx::postgres::{PgConnectOptions, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnectOptions, SqliteRow};
use sqlx::{AssertSqlSafe, Decode, Row as _, Type};

use crate::error::Result;
use crate::pool::{self, Connections, Transaction};

/// A pool of connections to the database.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(Connections<SqliteConnectOptions>),
    Postgres(Connections<PgConnectOptions>),
}

/// Which SQL a statement must be written in, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A transaction; dropping it without [`Tx::commit`] rolls it back.
pub(crate) struct Tx(TxInner);

enum TxInner {
    Sqlite(Transaction<SqliteConnectOptions>),
    /// With the advisory locks it holds already (see [`Tx::lock`]).
    Postgres(Transaction<PgConnectOptions>, Vec<Lock>),
}

/// What a writer locks for the length of its transaction where no row or constraint can hold
/// an invariant (see ARCHITECTURE.md's concurrency model). On SQLite the write lock taken by
/// `begin_write` already serialises every writer, so these cost nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// Saving or moving an address-book entry (the look-alike check reads before it writes).
    AddressBook,
    /// Making the data key on first use.
    DataKey,
    /// Reading and writing the policy row and its pending changes.
    Policy,
    /// Writing notices: held from a transaction's first notice until it commits, so notice
    /// ids grow in commit order and a reader that has seen id n never finds a smaller one
    /// committed later (a plain sequence hands out ids at insert time, not at commit).
    Notices,
}

impl Lock {
    /// The PostgreSQL advisory lock key (any fixed number unique within Gatehouse).
    fn key(self) -> i64 {
        match self {
            Lock::AddressBook => 0x6761_7465_0001,
            Lock::DataKey => 0x6761_7465_0002,
            Lock::Policy => 0x6761_7465_0003,
            Lock::Notices => 0x6761_7465_0004,
        }
    }
}

impl Pool {
    /// A transaction for writes. SQLite takes the database's write lock up front
    /// (`BEGIN IMMEDIATE`), so two processes writing at once wait for each other instead of
    /// failing halfway; PostgreSQL runs READ COMMITTED, with invariants held by constraints,
    /// conditional statements, row locks and [`Tx::lock`].
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx(TxInner::Sqlite(Transaction::begin(pool, "BEGIN IMMEDIATE").await?)),
            Pool::Postgres(pool) => Tx(TxInner::Postgres(Transaction::begin(pool, "BEGIN").await?, Vec::new())),
        })
    }

    /// A transaction that only reads (a consistent view across several statements).
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        Ok(match self {
            Pool::Sqlite(pool) => Tx(TxInner::Sqlite(Transaction::begin(pool, "BEGIN").await?)),
            Pool::Postgres(pool) => Tx(TxInner::Postgres(Transaction::begin(pool, "BEGIN").await?, Vec::new())),
        })
    }

    /// Closes every connection (SQLite: checkpoints the WAL).
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(pool) => pool::close(pool).await,
            Pool::Postgres(pool) => pool::close(pool).await,
        }
    }

    /// Starts hearing about other connections' commits (see [`Listener`]).
    pub(crate) async fn listen(&self) -> Result<Listener> {
        Ok(match self {
            Pool::Sqlite(pool) => {
                let mut listener = Listener::Sqlite { pool: pool.clone(), versions: Vec::new() };
                listener.changed_topics().await?;
                listener
            }
            Pool::Postgres(connections) => {
                // One connection of its own, which sqlx's listener opens again when it is lost.
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .max_lifetime(None)
                    .idle_timeout(None)
                    .connect_lazy_with(pool::options(connections).clone());
                Listener::Postgres { listener: Some(pg_listener(&pool).await?), pool }
            }
        })
    }

    /// The backend's SQL dialect.
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }
}

impl Tx {
    /// Makes the transaction's writes permanent.
    pub(crate) async fn commit(self) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.commit().await,
            TxInner::Postgres(tx, _) => tx.commit().await,
        }
    }

    /// The backend's SQL dialect.
    pub(crate) fn dialect(&self) -> Dialect {
        match self.0 {
            TxInner::Sqlite(_) => Dialect::Sqlite,
            TxInner::Postgres(..) => Dialect::Postgres,
        }
    }

    /// Holds `lock` until this transaction ends (PostgreSQL: `pg_advisory_xact_lock`, taken
    /// once: asking again for a lock the transaction holds costs nothing).
    pub(crate) async fn lock(&mut self, lock: Lock) -> Result<()> {
        if let TxInner::Postgres(tx, held) = &mut self.0 {
            if held.contains(&lock) {
                return Ok(());
            }
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock.key()).execute(tx.connection()?).await?;
            held.push(lock);
        }
        Ok(())
    }
}

/// The channel the PostgreSQL change triggers notify (migration 0004).
const CHANGES_CHANNEL: &str = "gatehouse_changes";
/// How often SQLite's change versions are compared.
const SQLITE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Hears what other connections commit: on PostgreSQL, `LISTEN gatehouse_changes` on one
/// dedicated connection (the change triggers' `NOTIFY`s, delivered at commit); on SQLite, the
/// topics whose row in `change_versions` moved, compared every 250 ms. Payloads read
/// `<topic>:<user id>` (SQLite's name no user).
pub(crate) enum Listener {
    Postgres { pool: sqlx::PgPool, listener: Option<sqlx::postgres::PgListener> },
    Sqlite { pool: Connections<SqliteConnectOptions>, versions: Vec<(String, i64)> },
}

/// What a [`Listener`] heard.
pub(crate) enum Heard {
    /// Payloads of changes committed since the last call.
    Changes(Vec<String>),
    /// The connection was lost and is listening again: whatever committed meanwhile went
    /// unheard.
    Reconnected,
}

async fn pg_listener(pool: &sqlx::PgPool) -> Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANGES_CHANNEL).await?;
    Ok(listener)
}

impl Listener {
    /// Waits for the next changes. After a lost connection it listens again before
    /// answering [`Heard::Reconnected`]; when that fails (the server is down) it returns the
    /// error, and the next call tries again.
    pub(crate) async fn next(&mut self) -> Result<Heard> {
        match self {
            Listener::Postgres { pool, listener } => {
                let Some(connected) = listener.as_mut() else {
                    *listener = Some(pg_listener(pool).await?);
                    return Ok(Heard::Reconnected);
                };
                match connected.try_recv().await {
                    Ok(Some(first)) => {
                        let mut payloads = vec![first.payload().to_owned()];
                        while let Some(more) = connected.next_buffered() {
                            payloads.push(more.payload().to_owned());
                        }
                        Ok(Heard::Changes(payloads))
                    }
                    // The connection was lost and sqlx listens again on a new one before
                    // answering (its eager reconnect).
                    Ok(None) => Ok(Heard::Reconnected),
                    // E.g. the server is shutting down: the next call connects afresh.
                    Err(err) => {
                        *listener = None;
                        Err(err.into())
                    }
                }
            }
            Listener::Sqlite { .. } => loop {
                let changed = self.changed_topics().await?;
                if !changed.is_empty() {
                    return Ok(Heard::Changes(changed.into_iter().map(|topic| format!("{topic}:")).collect()));
                }
                tokio::time::sleep(SQLITE_POLL).await;
            },
        }
    }

    /// SQLite: the topics whose version moved since the last look (all of them the first time).
    async fn changed_topics(&mut self) -> Result<Vec<String>> {
        let Listener::Sqlite { pool, versions } = self else { return Ok(Vec::new()) };
        let mut connection = pool::get(pool).await?;
        let outcome = sqlx::query_as("SELECT topic, version FROM change_versions ORDER BY topic")
            .fetch_all(&mut *connection)
            .await;
        pool::give_back(connection, &outcome);
        let rows: Vec<(String, i64)> = outcome?;
        let changed = rows.iter().filter(|row| !versions.contains(row)).map(|(topic, _)| topic.clone()).collect();
        *versions = rows;
        Ok(changed)
    }
}

/// Where a query runs: on a pooled connection, or inside a transaction.
pub(crate) enum On<'a> {
    Pool(&'a Pool),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Pool> for On<'a> {
    fn from(pool: &'a Pool) -> Self {
        On::Pool(pool)
    }
}

impl<'a> From<&'a mut Tx> for On<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        On::Tx(tx)
    }
}

/// The connection a statement runs on, for its backend.
enum Conn<'a> {
    Sqlite(Held<'a, SqliteConnectOptions>),
    Postgres(Held<'a, PgConnectOptions>),
}

/// A connection taken from the pool for one statement, or a transaction's. The pooled one is
/// boxed: a connection is a few hundred bytes, and calls that run several statements at once
/// (the checkup) would otherwise carry each inline in their future.
enum Held<'a, O: pool::Options> {
    Pooled(Box<pool::Pooled<O>>),
    InTx(&'a mut O::Connection),
}

impl<O: pool::Options> Held<'_, O> {
    fn get(&mut self) -> &mut O::Connection {
        match self {
            Held::Pooled(connection) => connection,
            Held::InTx(connection) => connection,
        }
    }

    /// The statement is over: a pooled connection goes back, unless `outcome` says it is
    /// gone. (A transaction whose connection is gone fails its commit or rollback, and
    /// [`pool::Transaction`] closes it then.)
    fn done<T>(self, outcome: sqlx::Result<T>) -> sqlx::Result<T> {
        if let Held::Pooled(connection) = self {
            pool::give_back(*connection, &outcome);
        }
        outcome
    }
}

impl<'a> On<'a> {
    /// The connection to run a statement on: a free one from the pool (it goes back when the
    /// statement is done) or the transaction's.
    async fn connection(self) -> Result<Conn<'a>> {
        Ok(match self {
            On::Pool(Pool::Sqlite(pool)) => Conn::Sqlite(Held::Pooled(Box::new(pool::get(pool).await?))),
            On::Pool(Pool::Postgres(pool)) => Conn::Postgres(Held::Pooled(Box::new(pool::get(pool).await?))),
            On::Tx(Tx(TxInner::Sqlite(tx))) => Conn::Sqlite(Held::InTx(tx.connection()?)),
            On::Tx(Tx(TxInner::Postgres(tx, _))) => Conn::Postgres(Held::InTx(tx.connection()?)),
        })
    }
}

/// A value bound to a placeholder. Owned, and typed even when null, so that the same query
/// can run on any backend.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(Option<bool>),
}

/// What can be bound to a placeholder.
pub(crate) trait ToArg {
    fn to_arg(&self) -> Arg;
}

impl ToArg for Arg {
    fn to_arg(&self) -> Arg {
        self.clone()
    }
}

impl<T: ToArg> ToArg for &T {
    fn to_arg(&self) -> Arg {
        (*self).to_arg()
    }
}

macro_rules! to_arg {
    ($variant:ident: $($ty:ty => |$v:ident| $convert:expr),+ $(,)?) => {
        $(
            impl ToArg for $ty {
                fn to_arg(&self) -> Arg {
                    let $v = self;
                    Arg::$variant(Some($convert))
                }
            }

            impl ToArg for Option<$ty> {
                fn to_arg(&self) -> Arg {
                    Arg::$variant(self.as_ref().map(|$v| $convert))
                }
            }
        )+
    };
}

to_arg!(Int:
    i64 => |v| *v,
    i32 => |v| i64::from(*v),
    u32 => |v| i64::from(*v),
    crate::clock::Timestamp => |v| v.as_millis(),
    crate::ids::UserId => |v| v.0,
    crate::ids::SessionId => |v| v.0,
    crate::ids::DeviceId => |v| v.0,
    crate::ids::ActivityId => |v| v.0,
    crate::ids::AddressId => |v| v.0,
    crate::ids::WithdrawalId => |v| v.0,
    crate::ids::PolicyChangeId => |v| v.0,
);
to_arg!(Real: f64 => |v| *v);
to_arg!(Text: String => |v| v.clone(), &str => |v| (*v).to_owned());
to_arg!(Bytes: Vec<u8> => |v| v.clone());
to_arg!(Bool: bool => |v| *v);

/// `query` with `args` bound in order: one text for both backends' query types (a generic
/// function would need a bound per argument type and backend).
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(*v),
                Arg::Real(v) => query.bind(*v),
                Arg::Text(v) => query.bind(v.as_deref()),
                Arg::Bytes(v) => query.bind(v.as_deref()),
                Arg::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// A statement and its arguments.
#[derive(Debug)]
pub(crate) struct Query {
    sql: Sql,
    args: Vec<Arg>,
    plan_with_values: bool,
}

#[derive(Debug)]
enum Sql {
    Static(&'static str),
    Built(String),
}

/// A query with the text `sql` (placeholders `$1, $2 …`).
pub(crate) fn query(sql: &'static str) -> Query {
    Query { sql: Sql::Static(sql), args: Vec::new(), plan_with_values: false }
}

/// A query whose first column of each row is the answer.
pub(crate) fn query_scalar<T>(sql: &'static str) -> Scalar<T> {
    Scalar { query: query(sql), _answer: std::marker::PhantomData }
}

impl Query {
    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl ToArg) -> Self {
        self.args.push(value.to_arg());
        self
    }

    /// Has PostgreSQL plan this statement for each call's values (as an unnamed statement)
    /// rather than settle on a generic plan after five calls: for statements whose best
    /// plan depends on a value, like a search that may match one entry or all of them (the
    /// generic plan reads the whole book in label order: 250 ms at 100,000 entries, measured
    /// in benches/core.rs). SQLite keeps its prepared statement.
    pub(crate) fn plan_with_values(mut self) -> Self {
        self.plan_with_values = true;
        self
    }

    /// Runs a statement; returns how many rows it changed.
    pub(crate) async fn execute<'a>(self, on: impl Into<On<'a>>) -> Result<u64> {
        Ok(match on.into().connection().await? {
            Conn::Sqlite(mut conn) => {
                let outcome = self.sqlite().execute(conn.get()).await;
                conn.done(outcome)?.rows_affected()
            }
            Conn::Postgres(mut conn) => {
                let outcome = self.postgres().execute(conn.get()).await;
                conn.done(outcome)?.rows_affected()
            }
        })
    }

    /// The one row the statement returns (an error when there is none).
    pub(crate) async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> Result<Row> {
        Ok(match on.into().connection().await? {
            Conn::Sqlite(mut conn) => {
                let outcome = self.sqlite().fetch_one(conn.get()).await;
                Row::Sqlite(conn.done(outcome)?)
            }
            Conn::Postgres(mut conn) => {
                let outcome = self.postgres().fetch_one(conn.get()).await;
                Row::Postgres(conn.done(outcome)?)
            }
        })
    }

    /// The row the statement returns, if any.
    pub(crate) async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> Result<Option<Row>> {
        Ok(match on.into().connection().await? {
            Conn::Sqlite(mut conn) => {
                let outcome = self.sqlite().fetch_optional(conn.get()).await;
                conn.done(outcome)?.map(Row::Sqlite)
            }
            Conn::Postgres(mut conn) => {
                let outcome = self.postgres().fetch_optional(conn.get()).await;
                conn.done(outcome)?.map(Row::Postgres)
            }
        })
    }

    /// Every row the statement returns.
    pub(crate) async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> Result<Vec<Row>> {
        Ok(match on.into().connection().await? {
            Conn::Sqlite(mut conn) => {
                let outcome = self.sqlite().fetch_all(conn.get()).await;
                conn.done(outcome)?.into_iter().map(Row::Sqlite).collect()
            }
            Conn::Postgres(mut conn) => {
                let outcome = self.postgres().fetch_all(conn.get()).await;
                conn.done(outcome)?.into_iter().map(Row::Postgres).collect()
            }
        })
    }

    /// This query for SQLite, its arguments bound.
    fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, <Sqlite as sqlx::Database>::Arguments> {
        bind_all!(sqlx::query(self.sql.safe()), &self.args)
    }

    /// This query for PostgreSQL, its arguments bound (nulls typed).
    fn postgres(&self) -> sqlx::query::Query<'_, Postgres, <Postgres as sqlx::Database>::Arguments> {
        bind_all!(sqlx::query(self.sql.safe()).persistent(!self.plan_with_values), &self.args)
    }
}

impl Sql {
    /// The text, as sqlx takes it: static texts as they are; built ones are made of static
    /// fragments and numbered placeholders only (see [`Builder`]).
    fn safe(&self) -> sqlx::SqlStr {
        match self {
            Sql::Static(text) => sqlx::SqlSafeStr::into_sql_str(*text),
            Sql::Built(text) => sqlx::SqlSafeStr::into_sql_str(AssertSqlSafe(text.as_str())),
        }
    }
}

/// A query answered by the first column of its rows.
pub(crate) struct Scalar<T> {
    query: Query,
    _answer: std::marker::PhantomData<T>,
}

impl<T: FromColumn> Scalar<T> {
    /// Binds the next placeholder.
    pub(crate) fn bind(mut self, value: impl ToArg) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub(crate) async fn fetch_one<'a>(self, on: impl Into<On<'a>>) -> Result<T> {
        self.query.fetch_one(on).await?.first()
    }

    pub(crate) async fn fetch_optional<'a>(self, on: impl Into<On<'a>>) -> Result<Option<T>> {
        self.query.fetch_optional(on).await?.map(|row| row.first()).transpose()
    }

    pub(crate) async fn fetch_all<'a>(self, on: impl Into<On<'a>>) -> Result<Vec<T>> {
        self.query.fetch_all(on).await?.iter().map(Row::first).collect()
    }
}

/// One row of an answer.
#[derive(Debug)]
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// The column called `name`.
    pub(crate) fn try_get<T: FromColumn>(&self, name: &str) -> Result<T> {
        Ok(match self {
            Row::Sqlite(row) => row.try_get::<T, _>(name)?,
            Row::Postgres(row) => row.try_get::<T, _>(name)?,
        })
    }

    fn first<T: FromColumn>(&self) -> Result<T> {
        Ok(match self {
            Row::Sqlite(row) => row.try_get::<T, _>(0)?,
            Row::Postgres(row) => row.try_get::<T, _>(0)?,
        })
    }
}

/// What a column can be read as, on every backend (integers are 64-bit, booleans are
/// booleans on PostgreSQL and 0/1 on SQLite).
pub(crate) trait FromColumn:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> FromColumn for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A query put together from parts (optional filters), numbering its placeholders.
pub(crate) struct Builder {
    sql: String,
    args: Vec<Arg>,
}

impl Builder {
    /// Starts with `sql`.
    pub(crate) fn new(sql: &str) -> Self {
        Builder { sql: sql.to_owned(), args: Vec::new() }
    }

    /// Appends text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next placeholder, bound to `value`.
    pub(crate) fn push_bind(&mut self, value: impl ToArg) -> &mut Self {
        self.args.push(value.to_arg());
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    /// Appends a placeholder for each of `values`, separated by commas (an `IN` list, a row
    /// of `VALUES`).
    pub(crate) fn push_binds<T: ToArg>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// The finished query.
    pub(crate) fn build(self) -> Query {
        Query { sql: Sql::Built(self.sql), args: self.args, plan_with_values: false }
    }
}
