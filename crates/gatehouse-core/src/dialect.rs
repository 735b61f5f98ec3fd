//! The only SQL that differs between SQLite and PostgreSQL, in one place: case-insensitive
//! label order, the address-book search (SQLite's FTS5 trigram table, PostgreSQL's
//! `pg_trgm` index) and the look-alike candidates' tail. Everything else is one text that
//! both backends read (see `db`).

use crate::db::{self, Dialect};
use crate::error::Result;

/// Shortest fragment a trigram index can answer.
pub(crate) const TRIGRAM: usize = 3;

/// From this many matching entries on, reading the book in label order and stopping at the
/// first page beats collecting every match from the index and sorting them (SQLite; the
/// PostgreSQL planner weighs this itself).
const WIDE_MATCH: u32 = 2_000;

/// `ORDER BY` text for address-book entries (`a`): by label, ignoring case, then id.
pub(crate) fn label_order(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => " ORDER BY a.label COLLATE NOCASE, a.id",
        Dialect::Postgres => " ORDER BY lower(a.label), a.id",
    }
}

/// Live entries `$1` may see on network `$2`, other than `$3`, whose address ends like `$4`
/// (ignoring case): the look-alike candidates, from an index on each backend.
pub(crate) fn lookalike_candidates(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "SELECT id, label, address FROM addresses
             WHERE deleted_at IS NULL AND (owner_id IS NULL OR owner_id = $1) AND network = $2
               AND id IS DISTINCT FROM $3 AND lower(substr(address, -4)) = lower($4)"
        }
        Dialect::Postgres => {
            "SELECT id, label, address FROM addresses
             WHERE deleted_at IS NULL AND (owner_id IS NULL OR owner_id = $1) AND network = $2
               AND id IS DISTINCT FROM $3 AND lower(right(address, 4)) = lower($4)"
        }
    }
}

/// Narrows `sql` (entries `a`) to labels or addresses containing `fragment`, ignoring case.
pub(crate) async fn push_search(sql: &mut db::Builder, pool: &db::Pool, fragment: &str) -> Result<()> {
    match pool.dialect() {
        Dialect::Sqlite if fragment.chars().count() >= TRIGRAM && !matches_widely(pool, fragment).await? => {
            sql.push(" AND a.id IN (SELECT rowid FROM address_search WHERE address_search MATCH ");
            sql.push_bind(fts_phrase(fragment)).push(")");
        }
        // Short or widely shared fragments: scanning in label order fills the first page fast.
        Dialect::Sqlite => {
            let pattern = like_pattern(fragment);
            sql.push(" AND (a.label LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\' OR a.address LIKE ");
            sql.push_bind(pattern).push(" ESCAPE '\\')");
        }
        // The pg_trgm GIN index answers ILIKE '%…%' directly.
        Dialect::Postgres => {
            let pattern = like_pattern(fragment);
            sql.push(" AND (a.label ILIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\' OR a.address ILIKE ");
            sql.push_bind(pattern).push(" ESCAPE '\\')");
        }
    }
    Ok(())
}

/// `%fragment%`, with LIKE's own wildcards in it taken literally.
fn like_pattern(fragment: &str) -> String {
    format!("%{}%", fragment.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// `fragment` as one FTS5 phrase (a substring match under the trigram tokenizer); quotes
/// are doubled, so operators in it are plain text.
fn fts_phrase(fragment: &str) -> String {
    format!("\"{}\"", fragment.replace('"', "\"\""))
}

/// Whether at least [`WIDE_MATCH`] SQLite entries contain `fragment` (counting stops there).
async fn matches_widely(pool: &db::Pool, fragment: &str) -> Result<bool> {
    let count: i64 = db::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM address_search WHERE address_search MATCH $1 LIMIT $2) AS hits",
    )
    .bind(fts_phrase(fragment))
    .bind(WIDE_MATCH)
    .fetch_one(pool)
    .await?;
    Ok(count >= i64::from(WIDE_MATCH))
}
