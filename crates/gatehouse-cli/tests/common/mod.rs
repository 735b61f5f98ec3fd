//! What the CLI's and the server's test binaries share: a fresh PostgreSQL database per test,
//! and authenticator codes from oathtool (not our code).

use std::process::Command;

/// A new, empty database in the test cluster whose maintenance database is at `cluster`,
/// named after `prefix`, this process and a counter.
pub fn fresh_postgres_database(cluster: &str, prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!("{prefix}_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    let created = Command::new("psql").args([cluster, "-qc", &format!("CREATE DATABASE {name}")]).status().unwrap();
    assert!(created.success(), "psql could not create {name}");
    let (server, _) = cluster.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

/// The code oathtool computes for `secret`, `offset_steps` time steps from now.
pub fn oathtool(secret: &str, offset_steps: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let out = Command::new("oathtool")
        .args(["--totp", "-b", secret, "-N", &format!("@{}", now + offset_steps * 30)])
        .output()
        .expect("oathtool is installed by scripts/setup");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}
