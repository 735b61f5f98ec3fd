use gatehouse_core::{Database, Gatehouse, OpenOptions};

use crate::support::*;

#[tokio::test]
async fn migrations_run_from_empty_and_reopening_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let gate = Gatehouse::open(&data, OpenOptions::default()).await.unwrap();
    assert!(!gate.is_set_up().await.unwrap());
    gate.close().await;
    let gate = Gatehouse::open(&data, OpenOptions::default()).await.unwrap();
    assert!(!gate.is_set_up().await.unwrap());
    gate.close().await;

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("gatehouse.db").display())).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&pool)
        .await
        .unwrap();
    for table in [
        "audit_log",
        "devices",
        "policy",
        "sessions",
        "settings",
        "signin_attempts",
        "signin_throttle",
        "users",
        "user_totp",
        "totp_enrollments",
        "backup_codes",
        "signin_challenges",
        "addresses",
        "withdrawals",
        "notices",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} missing from {tables:?}");
    }
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&pool).await.unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count();
    assert_eq!(applied, i64::try_from(files).unwrap(), "every embedded migration ran");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode, "wal");
    pool.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_database_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new().await;
    fx.admin().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("private");
    let gate = Gatehouse::open(&data, OpenOptions::default()).await.unwrap();
    let _ = gate.is_set_up().await.unwrap();
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("gatehouse.db")), 0o600);
    let wal = data.join("gatehouse.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let fx = Fixture::sqlite().await;
    fx.admin().await;
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(fx.dir.path().join("gatehouse.db")).foreign_keys(true),
        )
        .await
        .unwrap();
    let orphan = sqlx::query(
        "INSERT INTO devices (user_id, installation_id, name, kind, os, os_version, first_seen_at, last_used_at)
         VALUES (4242, 'x', 'x', 'desktop', 'x', 'x', 0, 0)",
    )
    .execute(&pool)
    .await;
    assert!(orphan.is_err());
    pool.close().await;
}

#[tokio::test]
async fn history_written_before_the_two_factor_migration_survives_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gatehouse.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    // Only the first migration, as a database from slice 1 had it.
    let mut first_only = sqlx::migrate!("./migrations/sqlite");
    first_only.migrations = std::borrow::Cow::Owned(first_only.migrations[..1].to_vec());
    first_only.run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO signin_attempts (at, email, outcome, reason, location, device_name, device_kind, os, client)
         VALUES (1700000000000, 'old@example.com', 'failure', 'wrong_password', 'Unknown', 'old', 'laptop', 'Debian 12', 'x 1')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let gate = Gatehouse::open(dir.path(), OpenOptions::default()).await.unwrap();
    gate.close().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let kept: (String, String, Option<String>, i64) =
        sqlx::query_as("SELECT email, reason, second_factor, risk_flags FROM signin_attempts")
            .fetch_one(&pool)
            .await
            .unwrap();
    // Older history has no risk flags: it is not re-assessed.
    assert_eq!(kept, ("old@example.com".to_owned(), "wrong_password".to_owned(), None, 0));
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'signin_attempts' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // The three of slice 1, rebuilt with the table in slice 2, and the risk look-backs of slice 4.
    let expected = [
        "signin_attempts_by_time",
        "signin_attempts_by_user",
        "signin_attempts_countries",
        "signin_attempts_failures",
        "signin_attempts_failures_by_email",
        "signin_attempts_failures_by_ip",
        "signin_attempts_flagged",
        "signin_attempts_flagged_by_user",
        "signin_attempts_located",
        "signin_attempts_places",
        "signin_attempts_successes",
    ];
    assert_eq!(indexes, expected);
    pool.close().await;
}

/// `.cargo/config.toml` builds the bundled SQLite with a stable plan per statement (QPSG) and
/// without STAT4; otherwise statements with `LIMIT $n` (and, once the database has
/// statistics, every statement) would be parsed and planned again on each call.
#[tokio::test]
async fn sqlite_is_built_to_keep_statements_prepared() {
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect("sqlite::memory:").await.unwrap();
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(&mut connection).await.unwrap();
    assert!(options.iter().any(|option| option.starts_with("ENABLE_FTS5")), "the bundled build: {options:?}");
    assert!(!options.iter().any(|option| option.starts_with("ENABLE_STAT")), "{options:?}");
    assert!(options.iter().any(|option| option == "ENABLE_QPSG"), "{options:?}");
}

#[tokio::test]
async fn connections_the_server_ended_are_dropped_not_handed_out_again() {
    let fx = Fixture::new().await;
    if !matches!(fx.database, Database::Postgres { .. }) {
        return; // SQLite has no server to end connections
    }
    let admin = fx.admin().await;
    // Several pooled connections, all idle now.
    let read = || fx.gate.list_sessions(fx.caller(&admin.token), None);
    let (a, b, c, d) = tokio::join!(read(), read(), read(), read());
    for read in [a, b, c, d] {
        read.unwrap();
    }
    // The server ends every other connection to the database, as a restart or failover does.
    fx.execute_raw(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND $1 = $1",
        0,
    )
    .await;
    // The first call may meet a dead connection and fail; after it, every call works.
    let _ = fx.gate.list_sessions(fx.caller(&admin.token), None).await;
    for _ in 0..10 {
        fx.gate.list_sessions(fx.caller(&admin.token), None).await.unwrap();
    }
}
