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
        Dialect::Sqlite if fragment.chars().count() >= TRIGRAM => match matching_ids(pool, fragment).await? {
            Some(ids) => {
                sql.push(" AND a.id IN (SELECT value FROM json_each(").push_bind(ids).push("))");
            }
            None => push_like(sql, "LIKE", fragment),
        },
        // Short fragments: scanning in label order fills the first page fast.
        Dialect::Sqlite => push_like(sql, "LIKE", fragment),
        Dialect::Postgres => push_words(sql, fragment),
    }
    Ok(())
}

/// PostgreSQL: one ILIKE condition per word of `fragment` (words shorter than a trigram are
/// left out), then the whole fragment with `strpos`, which no index answers.
///
/// Why not one ILIKE for the whole fragment: the `pg_trgm` index reads the whole posting list
/// of every trigram in its pattern, so "wallet 1234" over a book whose labels all say
/// "Wallet …" reads five lists of 100,000 entries (2.2 ms). With a condition per word, the
/// planner, which knows from the column's statistics that "wallet" is everywhere, scans the
/// index for the rare words only and checks the others on the few rows found (0.45 ms); for
/// a fragment every entry has, it reads the book in label order instead.
fn push_words(sql: &mut db::Builder, fragment: &str) {
    let mut words: Vec<&str> = fragment.split_whitespace().filter(|w| w.chars().count() >= TRIGRAM).collect();
    words.sort_unstable();
    words.dedup();
    if words.is_empty() || words == [fragment] {
        return push_like(sql, "ILIKE", fragment);
    }
    for word in words {
        push_like(sql, "ILIKE", word);
    }
    sql.push(" AND (strpos(lower(a.label), lower(").push_bind(fragment.to_owned());
    sql.push(")) > 0 OR strpos(lower(a.address), lower(").push_bind(fragment.to_owned()).push(")) > 0)");
}

/// `AND (a.label LIKE '%fragment%' OR a.address LIKE …)` with `like` the operator.
fn push_like(sql: &mut db::Builder, like: &str, fragment: &str) {
    let pattern = like_pattern(fragment);
    sql.push(" AND (a.label ").push(like).push(" ").push_bind(pattern.clone()).push(" ESCAPE '\\' OR a.address ");
    sql.push(like).push(" ").push_bind(pattern).push(" ESCAPE '\\')");
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

/// The ids of the SQLite entries containing `fragment`, as a JSON array, from one pass over
/// the trigram index; `None` when there are [`WIDE_MATCH`] or more (the pass stops there).
/// One string rather than a row per id: each row costs a hand-over from the connection's
/// thread, and the index is read once, not again inside the page's query.
async fn matching_ids(pool: &db::Pool, fragment: &str) -> Result<Option<String>> {
    let row = db::query(
        "SELECT count(*) AS hits, json_group_array(rowid) AS ids
         FROM (SELECT rowid FROM address_search WHERE address_search MATCH $1 LIMIT $2)",
    )
    .bind(fts_phrase(fragment))
    .bind(WIDE_MATCH)
    .fetch_one(pool)
    .await?;
    let hits: i64 = row.try_get("hits")?;
    (hits < i64::from(WIDE_MATCH)).then(|| row.try_get("ids")).transpose()
}
