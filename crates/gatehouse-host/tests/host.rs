//! Tests against the real OS keychain: GNOME Keyring's Secret Service on a private D-Bus
//! session, as set up by `scripts/with-desktop-session` (the README's test command runs
//! every test inside it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_core::{ClientKind, DeviceKind, SessionToken};
use gatehouse_host::{Keychain, OsKeychain, SessionTokenStore, this_device};

fn keychain() -> (tempfile::TempDir, OsKeychain) {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "these tests need a Secret Service: run them through scripts/test (or scripts/with-desktop-session)"
    );
    let dir = tempfile::tempdir().unwrap();
    let keychain = OsKeychain::for_data_dir(dir.path());
    (dir, keychain)
}

/// Reads an entry with `secret-tool`, a Secret Service client that is not ours.
fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "gatehouse", "username", account])
        .output()
        .unwrap();
    out.status.success().then(|| String::from_utf8(out.stdout).unwrap())
}

#[test]
fn secrets_round_trip_through_the_secret_service() {
    let (_dir, keychain) = keychain();
    assert_eq!(keychain.get("probe").unwrap(), None);
    keychain.set("probe", "first value").unwrap();
    keychain.set("probe", "second value").unwrap();
    assert_eq!(keychain.get("probe").unwrap().as_deref().map(String::as_str), Some("second value"));
    // Another Secret Service client sees the same entry.
    assert_eq!(secret_tool_lookup(&keychain.account("probe")).as_deref(), Some("second value"));
    keychain.delete("probe").unwrap();
    keychain.delete("probe").unwrap();
    assert_eq!(keychain.get("probe").unwrap(), None);
    assert_eq!(secret_tool_lookup(&keychain.account("probe")), None);
}

#[test]
fn entries_of_different_data_folders_are_separate() {
    let (_a, first) = keychain();
    let (_b, second) = keychain();
    first.set("shared-name", "one").unwrap();
    assert_eq!(second.get("shared-name").unwrap(), None);
}

#[test]
fn the_device_id_is_created_once_and_then_stable() {
    let (_dir, keychain) = keychain();
    let first = this_device(&keychain, ClientKind::Desktop).unwrap();
    let again = this_device(&keychain, ClientKind::Desktop).unwrap();
    assert_eq!(first.installation_id, again.installation_id);
    assert_eq!(first.installation_id.len(), 36);
    assert!(!first.name.is_empty() && !first.os.is_empty() && !first.os_version.is_empty());
    assert!(matches!(first.kind, DeviceKind::Desktop | DeviceKind::Laptop | DeviceKind::Tablet));
    // The CLI is a separate installation and a terminal.
    let cli = this_device(&keychain, ClientKind::Cli).unwrap();
    assert_ne!(cli.installation_id, first.installation_id);
    assert_eq!(cli.kind, DeviceKind::Terminal);
}

#[test]
fn session_tokens_are_kept_per_client() {
    let (_dir, keychain) = keychain();
    let desktop = SessionTokenStore::new(&keychain, ClientKind::Desktop);
    let cli = SessionTokenStore::new(&keychain, ClientKind::Cli);
    let token = SessionToken::parse("ghs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    assert!(desktop.load().unwrap().is_none());
    desktop.save(&token).unwrap();
    assert_eq!(desktop.load().unwrap(), Some(token));
    assert!(cli.load().unwrap().is_none());
    desktop.clear().unwrap();
    assert!(desktop.load().unwrap().is_none());
    // A corrupted entry reads as "no token" rather than failing the app.
    keychain.set("session/desktop", "not a token").unwrap();
    assert!(desktop.load().unwrap().is_none());
}

#[test]
fn the_data_key_is_stored_in_the_keychain_and_read_back() {
    use gatehouse_core::{DataKey, DataKeySource};
    let (_dir, keychain) = keychain();
    let source = gatehouse_host::KeychainDataKey::new(keychain.clone());
    assert!(source.load().unwrap().is_none(), "none until the core makes one");
    assert!(secret_tool_lookup(&keychain.account("data-key")).is_none());
    let made = DataKey::generate();
    source.store(&made).unwrap();
    assert_eq!(source.load().unwrap().unwrap().expose(), made.expose());
    assert!(secret_tool_lookup(&keychain.account("data-key")).is_some_and(|text| text.len() == 44));
    // A damaged entry is a clear error, not "no key" (which could lead to a new one).
    keychain.set("data-key", "not base64!").unwrap();
    let err = source.load().unwrap_err();
    assert_eq!(err.code(), "2fa.key_unavailable");
    assert!(err.to_string().contains("damaged"), "{err}");
}

/// What `xclip` (not our code) reads from the X clipboard.
fn xclip_read() -> String {
    let out = std::process::Command::new("xclip").args(["-o", "-selection", "clipboard"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_copied_address_is_verified_and_cleared_only_if_unchanged() {
    assert!(std::env::var_os("DISPLAY").is_some(), "needs the X server of scripts/with-desktop-session");
    let clipboard = gatehouse_host::SafeClipboard::default();
    let address = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    clipboard.copy_verified(address).unwrap();
    assert_eq!(xclip_read(), address);
    assert!(clipboard.clear_if_unchanged(address).unwrap());
    assert_eq!(xclip_read(), "");

    // Something else copied since: it is left alone.
    clipboard.copy_verified(address).unwrap();
    let mut xclip = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-i"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut xclip.stdin.take().unwrap(), b"something else").unwrap();
    xclip.wait().unwrap();
    // xclip hands the selection to a background copy of itself: wait until it owns it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while xclip_read() != "something else" {
        assert!(std::time::Instant::now() < deadline, "xclip never took the clipboard");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!clipboard.clear_if_unchanged(address).unwrap());
    assert_eq!(xclip_read(), "something else");
}

/// Summaries and bodies in dunst's history (`dunstctl`, not our code), newest first.
fn dunst_history() -> Vec<(String, String)> {
    let out = std::process::Command::new("dunstctl").arg("history").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // {"type":"aa{sv}","data":[[{"summary":{"type":"s","data":"…"},"body":{…},…}, …]]}
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["data"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["summary"]["data"].as_str().unwrap().to_owned(), n["body"]["data"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn an_alert_reaches_the_notification_daemon_and_its_closing_is_reported() {
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "needs scripts/with-desktop-session (dunst)");
    let summary = format!("New sign-in to your account {}", std::process::id());
    let alert = gatehouse_host::DesktopAlert {
        summary: summary.clone(),
        body: "bob@example.com on laptop-7 (Linux) from London, United Kingdom".to_owned(),
        actions: vec![("not-me".to_owned(), "This wasn't me".to_owned())],
    };
    let (sent, received) = std::sync::mpsc::channel();
    gatehouse_host::show_alert(&alert, move |response| sent.send(response).unwrap()).unwrap();
    // The listener subscribes to the daemon's signals on its own thread, and notify-rust
    // says nothing when it has: give it a moment before closing the notification.
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::process::Command::new("dunstctl").arg("close-all").status().unwrap();
    let response = received.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(response, gatehouse_host::AlertResponse::Closed);
    let shown = dunst_history().into_iter().find(|(s, _)| *s == summary);
    assert_eq!(shown.map(|(_, body)| body), Some(alert.body));
}

#[test]
fn markup_in_an_alert_body_is_shown_as_typed() {
    assert!(std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(), "needs scripts/with-desktop-session (dunst)");
    let summary = format!("New sign-in {}", std::process::id());
    let body = "bob@example.com on <b>evil</b> & <a href=\"https://x.example\">host</a>".to_owned();
    let alert = gatehouse_host::DesktopAlert { summary: summary.clone(), body, actions: Vec::new() };
    gatehouse_host::show_alert(&alert, |_| {}).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::process::Command::new("dunstctl").arg("close-all").status().unwrap();
    let shown = dunst_history().into_iter().find(|(s, _)| *s == summary).map(|(_, body)| body);
    assert_eq!(
        shown.as_deref(),
        Some("bob@example.com on &lt;b&gt;evil&lt;/b&gt; &amp; &lt;a href=\"https://x.example\"&gt;host&lt;/a&gt;")
    );
}

#[test]
#[ignore = "run by a_missing_notification_service_is_an_error_not_a_panic, in a process without a bus"]
fn showing_an_alert_without_a_session_bus() {
    let alert = gatehouse_host::DesktopAlert { summary: "x".to_owned(), body: "y".to_owned(), actions: Vec::new() };
    let err = gatehouse_host::show_alert(&alert, |_| {}).unwrap_err();
    assert!(err.to_string().starts_with("could not show a desktop notification"), "{err}");
}

#[test]
fn a_missing_notification_service_is_an_error_not_a_panic() {
    // The bus address is read per process: run the check above in a child process whose
    // session bus does not exist.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "showing_an_alert_without_a_session_bus", "--ignored"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/gatehouse-test-bus")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("1 passed"), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
}
