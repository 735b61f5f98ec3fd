//! The [`Gatehouse`] handle: one opened database plus what every operation needs.
//! Operations are `impl Gatehouse` blocks in the module that owns each concern.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::{self, Pool, Tx};

use crate::data_key::DataKeySource;
use crate::error::{Error, Result};
use crate::geo::GeoIp;
use crate::passwords::PasswordHasher;
use crate::store;

/// Where Gatehouse's database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// The embedded SQLite file in a data folder (standalone).
    Sqlite {
        /// The data folder.
        data_dir: PathBuf,
    },
    /// A PostgreSQL database (team mode).
    Postgres {
        /// `postgres://…` or `postgresql://…`; TLS as its `sslmode` says.
        url: String,
    },
}

impl Database {
    /// From a URL: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:DIR` (or
    /// `sqlite://DIR`) for the SQLite file in the data folder DIR.
    pub fn from_url(url: &str) -> Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres { url: url.to_owned() });
        }
        match url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Some(dir) if !dir.is_empty() => Ok(Database::Sqlite { data_dir: PathBuf::from(dir) }),
            _ => Err(crate::Error::invalid(
                "Database",
                "use postgres://… (or postgresql://…) for PostgreSQL, or sqlite:DIR for a data folder.",
            )),
        }
    }
}

impl Database {
    /// A name for this database that carries no secret (a PostgreSQL URL without its user
    /// and password): what clients scope their keychain entries by.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite { data_dir } => {
                std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.clone()).display().to_string()
            }
            Database::Postgres { url } => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                format!("{scheme}://{rest}")
            }
        }
    }
}

/// Connections a PostgreSQL pool keeps by default.
const DEFAULT_POOL_SIZE: u32 = 10;
/// How long one PostgreSQL statement may run by default.
const DEFAULT_STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How to open Gatehouse.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// PostgreSQL: connections in the pool (default 10).
    pub pool_size: Option<u32>,
    /// PostgreSQL: the longest a statement may run (default 10 s).
    pub statement_timeout: Option<std::time::Duration>,
    /// A GeoIP database to use instead of the saved setting (the `--geoip` flag).
    pub geoip: Option<PathBuf>,
    /// Password hashing parameters; default: OWASP's argon2id minimum.
    pub hasher: Option<PasswordHasher>,
    /// Where the data key comes from (sealing two-factor secrets); without one,
    /// two-factor operations fail with a clear error.
    pub data_key: Option<Arc<dyn DataKeySource>>,
}

/// Gatehouse over one data folder. Cheap to clone; clones share the database pool.
#[derive(Debug, Clone)]
pub struct Gatehouse {
    pub(crate) db: Pool,
    pub(crate) geo: Option<Arc<GeoIp>>,
    pub(crate) hasher: PasswordHasher,
    pub(crate) data_key: Option<Arc<dyn DataKeySource>>,
}

/// Name of the setting holding the GeoIP database path.
const GEOIP_SETTING: &str = "geoip_database";

impl Gatehouse {
    /// Opens (creating and migrating as needed) the SQLite database in `data_dir`.
    pub async fn open(data_dir: &Path, options: OpenOptions) -> Result<Self> {
        Self::open_database(&Database::Sqlite { data_dir: data_dir.to_path_buf() }, options).await
    }

    /// Opens (migrating as needed) `database`.
    pub async fn open_database(database: &Database, options: OpenOptions) -> Result<Self> {
        let db = match database {
            Database::Sqlite { data_dir } => store::open(data_dir).await?,
            Database::Postgres { url } => {
                let size = options.pool_size.unwrap_or(DEFAULT_POOL_SIZE).max(1);
                let timeout = options.statement_timeout.unwrap_or(DEFAULT_STATEMENT_TIMEOUT);
                store::open_postgres(url, size, timeout).await?
            }
        };
        let hasher = match options.hasher {
            Some(hasher) => hasher,
            None => tokio::task::spawn_blocking(PasswordHasher::owasp_minimum)
                .await
                .map_err(|err| crate::Error::Internal(format!("password worker failed: {err}")))??,
        };
        let geoip_path = match options.geoip {
            Some(path) => Some(path),
            None => saved_geoip_path(&db).await?,
        };
        let geo = geoip_path.map(|path| GeoIp::open(&path)).transpose()?.map(Arc::new);
        Ok(Gatehouse { db, geo, hasher, data_key: options.data_key })
    }

    /// The GeoIP database path saved in settings, if any.
    pub async fn geoip_setting(&self) -> Result<Option<PathBuf>> {
        saved_geoip_path(&self.db).await
    }

    /// Saves (or, with `None`, clears) the GeoIP database path after checking it opens,
    /// and starts using it (admins only).
    pub async fn set_geoip_setting(&mut self, caller: crate::Caller<'_>, path: Option<&Path>) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        actor.require_admin()?;
        let geo = path.map(GeoIp::open).transpose()?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        match path {
            Some(path) => {
                db::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(GEOIP_SETTING)
                    .bind(path.to_string_lossy().as_ref())
                    .execute(&mut tx)
                    .await?;
            }
            None => {
                db::query("DELETE FROM settings WHERE key = $1").bind(GEOIP_SETTING).execute(&mut tx).await?;
            }
        }
        let detail = path.map_or("cleared".to_owned(), |path| path.display().to_string());
        crate::audit::record(&mut tx, &actor, "settings.geoip", None, &detail).await?;
        tx.commit().await?;
        self.geo = geo.map(Arc::new);
        Ok(())
    }

    /// A write transaction that takes the database's write lock up front, so two processes
    /// writing at once wait for each other instead of failing (see `db`).
    pub(crate) async fn write_tx(&self) -> Result<Tx> {
        self.db.begin_write().await
    }

    /// Ready for traffic: the database answers and holds every migration this build
    /// embeds (a server's `/readyz`).
    pub async fn check_ready(&self) -> Result<()> {
        let applied: Option<i64> =
            db::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success").fetch_one(&self.db).await?;
        let wanted = store::latest_migration(self.db.dialect());
        if applied.unwrap_or(0) < wanted {
            return Err(Error::Internal(format!("the database schema is at {applied:?}, this build needs {wanted}")));
        }
        Ok(())
    }

    /// Closes the database (checkpointing the WAL).
    pub async fn close(&self) {
        self.db.close().await;
    }
}

async fn saved_geoip_path(db: &Pool) -> Result<Option<PathBuf>> {
    let value: Option<String> =
        db::query_scalar("SELECT value FROM settings WHERE key = $1").bind(GEOIP_SETTING).fetch_optional(db).await?;
    Ok(value.map(PathBuf::from))
}
