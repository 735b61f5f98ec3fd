//! Runs the built `gatehouse` binary against a fresh data folder — or, inside
//! `scripts/with-postgres`, a fresh PostgreSQL database (`--database URL`) — feeding passwords
//! on standard input the way scripts do. Needs the Secret Service from
//! `scripts/with-desktop-session` (the README's test command provides both runs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{fresh_postgres_database, oathtool};

const ADMIN: &str = "ada@example.com";
const ADMIN_PASSWORD: &str = "violet-harbor-lantern-42";
const BOB_PASSWORD: &str = "quiet-meadow-copper-77";

struct Gatehouse {
    dir: tempfile::TempDir,
    /// The PostgreSQL database of this test, when the suite runs on PostgreSQL.
    postgres: Option<String>,
}

impl Gatehouse {
    fn new() -> Self {
        let postgres = std::env::var("GATEHOUSE_TEST_POSTGRES")
            .ok()
            .map(|cluster| fresh_postgres_database(&cluster, "gatehouse_cli"));
        Gatehouse { dir: tempfile::tempdir().unwrap(), postgres }
    }

    /// Where the CLI finds the database: `--data-dir DIR` or `--database URL`.
    fn location(&self) -> Vec<String> {
        match &self.postgres {
            Some(url) => vec!["--database".to_owned(), url.clone()],
            None => vec!["--data-dir".to_owned(), self.dir.path().display().to_string()],
        }
    }

    /// The keychain account the CLI keeps `name` under for this database.
    fn keychain_account(&self, name: &str) -> String {
        let scope = match &self.postgres {
            Some(url) => url.replacen("postgres@", "", 1),
            None => std::fs::canonicalize(self.dir.path()).unwrap().display().to_string(),
        };
        format!("{scope}#{name}")
    }

    /// A fresh data folder with the first admin created (and the CLI signed in as them).
    fn with_admin() -> Self {
        let gh = Self::new();
        let out = gh.ok(&["init", "--email", ADMIN, "--name", "Ada Admin"], &format!("{ADMIN_PASSWORD}\n"));
        assert!(out.contains("Created the administrator ada@example.com and signed in."), "{out}");
        gh
    }

    fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        command
            .args(self.location())
            .args(args)
            .env_remove("GATEHOUSE_TOKEN")
            .env_remove("GATEHOUSE_GEOIP")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "gatehouse panicked: {stderr}");
        output
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(args, stdin, &[])
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with exit code 1; returns its standard error.
    fn fail(&self, args: &[&str], stdin: &str) -> String {
        fail_of(self.run(args, stdin), args)
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args, "")).unwrap()
    }

    fn add_bob(&self) {
        // Bob's initial password, then (if asked) the admin's password to confirm the change.
        let out = self.ok(
            &["user", "add", "bob@example.com", "--role", "member"],
            &format!("{BOB_PASSWORD}\n{ADMIN_PASSWORD}\n"),
        );
        assert!(out.contains("Created bob@example.com (member)"), "{out}");
    }
}

fn fail_of(out: Output, args: &[&str]) -> String {
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty(), "errors go to stderr only");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn help_shows_every_command_group() {
    let gh = Gatehouse::new();
    let help = gh.ok(&["--help"], "");
    for command in
        ["init", "signin", "signout", "user", "sessions", "devices", "activity", "password", "policy", "notices"]
    {
        assert!(help.contains(&format!("  {command}")), "{command} missing from --help:\n{help}");
    }
    assert!(help.contains("GATEHOUSE_DATA_DIR"));
    let user_help = gh.ok(&["user", "--help"], "");
    for command in ["add", "list", "disable", "enable", "reset-password", "unlock"] {
        assert!(user_help.contains(command), "{command} missing:\n{user_help}");
    }
}

#[test]
fn first_run_creates_the_admin_and_keeps_the_session_in_the_keychain() {
    let gh = Gatehouse::with_admin();
    let me = gh.json(&["whoami", "--json"]);
    assert_eq!(me["user"]["email"], ADMIN);
    assert_eq!(me["user"]["role"], "admin");
    let err = gh.fail(&["init", "--email", "eve@example.com"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("already set up"), "{err}");
}

#[test]
fn sessions_can_be_listed_and_ended_and_an_ended_token_stops_working() {
    let gh = Gatehouse::with_admin();
    let printed = gh.ok(&["signin", ADMIN, "--print-token"], &format!("{ADMIN_PASSWORD}\n"));
    let second_token = printed.trim().to_owned();
    assert!(second_token.starts_with("ghs_") && second_token.len() == 47, "{printed}");

    let sessions = gh.json(&["sessions", "list", "--json"]);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["isCurrent"] == true).count(), 1);
    assert!(sessions.iter().all(|s| s["clientName"] == "gatehouse CLI" && s["deviceKind"] == "terminal"));
    let table = gh.ok(&["sessions", "list"], "");
    assert!(table.contains("LAST ACTIVE") && table.contains("this session"), "{table}");

    // The keychain now holds the second session's token; end the first one with it.
    let first_id = sessions.iter().find(|s| s["isCurrent"] == false).unwrap()["id"].to_string();
    let current_id = sessions.iter().find(|s| s["isCurrent"] == true).unwrap()["id"].to_string();
    let env_token = [("GATEHOUSE_TOKEN", second_token.as_str())];
    let out = gh.run_with(&["sessions", "end", &first_id], "", &env_token);
    assert!(out.status.success());
    let listed = gh.json(&["sessions", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"].to_string(), current_id);

    // Ending our own session: the token in the keychain stops working at once.
    gh.ok(&["sessions", "end", &current_id], "");
    let err = gh.fail(&["sessions", "list"], "");
    assert!(err.contains("You are signed out") && err.contains("gatehouse signin"), "{err}");
}

#[test]
fn end_others_keeps_only_this_session() {
    let gh = Gatehouse::with_admin();
    let token = gh.ok(&["signin", ADMIN, "--print-token"], &format!("{ADMIN_PASSWORD}\n"));
    let other = token.trim().to_owned();
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    // Ending every other session asks to confirm with the password first.
    let err = gh.fail(&["sessions", "end-others"], "wrong-password-1\n");
    assert!(err.contains("The password is incorrect."), "{err}");
    assert!(gh.ok(&["sessions", "end-others"], &format!("{ADMIN_PASSWORD}\n")).contains("Ended 2 other session(s)."));
    let err = fail_of(gh.run_with(&["whoami"], "", &[("GATEHOUSE_TOKEN", &other)]), &["whoami"]);
    assert!(err.contains("You are signed out"), "{err}");
}

#[test]
fn wrong_password_and_unknown_email_fail_the_same_way_and_are_recorded() {
    let gh = Gatehouse::with_admin();
    let wrong = gh.fail(&["signin", ADMIN], "not-my-password-1\n");
    let unknown = gh.fail(&["signin", "nobody@example.com"], "not-my-password-1\n");
    assert_eq!(wrong, unknown);
    assert!(wrong.contains("The email or password is incorrect."), "{wrong}");

    let failures = gh.json(&["activity", "list", "--failures", "--json"]);
    let reasons: Vec<_> =
        failures.as_array().unwrap().iter().map(|a| a["reason"].as_str().unwrap().to_owned()).collect();
    assert_eq!(reasons, vec!["wrong_password"]);
    let everyone = gh.json(&["activity", "list", "--all", "--failures", "--json"]);
    assert_eq!(everyone.as_array().unwrap().len(), 2);
    assert_eq!(everyone[0]["email"], "nobody@example.com");
    let table = gh.ok(&["activity", "list"], "");
    assert!(table.contains("Wrong password") && table.contains("Signed in"), "{table}");
}

#[test]
fn admins_manage_users_from_the_terminal() {
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    let users = gh.json(&["user", "list", "--json"]);
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert_eq!(users[1]["email"], "bob@example.com");
    assert!(
        gh.fail(&["user", "add", "BOB@example.com", "--role", "member"], &format!("{BOB_PASSWORD}\n"))
            .contains("already exists")
    );

    gh.ok(&["user", "disable", "bob@example.com"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(gh.ok(&["user", "list"], "").contains("disabled"));
    // Bob cannot sign in while disabled (the right password reveals that it is disabled).
    let out = gh.run_with(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"), &[]);
    let err = fail_of(out, &["signin"]);
    assert!(err.contains("disabled"), "{err}");
    gh.ok(&["user", "enable", "bob@example.com"], &format!("{ADMIN_PASSWORD}\n"));

    // A reset sets a new password that works, and asks Bob to choose his own.
    gh.ok(&["user", "reset-password", "bob@example.com"], &format!("temporary-orange-kettle-5\n{ADMIN_PASSWORD}\n"));
    let users = gh.json(&["user", "list", "--json"]);
    assert_eq!(users[1]["mustChangePassword"], true);
}

#[test]
fn a_locked_out_user_is_unlocked_by_an_admin() {
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    gh.ok(&["policy", "set", "--lockout-threshold", "3"], &format!("{ADMIN_PASSWORD}\n"));
    for _ in 0..3 {
        gh.run(&["signin", "bob@example.com"], "wrong-password-123\n");
    }
    // Bob's sign-in is now refused, even with the right password.
    let err = gh.fail(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"));
    assert!(err.contains("locked") && err.contains("minutes"), "{err}");
    let listed = gh.ok(&["user", "list"], "");
    assert!(listed.contains("locked until"), "{listed}");
    gh.ok(&["user", "unlock", "bob@example.com"], &format!("{ADMIN_PASSWORD}\n"));
    // The admin chose Bob's password: signing in says to choose his own, and nothing else
    // works until he has.
    let signed_in = gh.run(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"));
    assert!(signed_in.status.success());
    let said = String::from_utf8(signed_in.stderr).unwrap();
    assert!(said.contains("gatehouse password change"), "{said}");
    let refused = gh.fail(&["whoami"], "");
    assert!(refused.contains("Choose your own password") && refused.contains("gatehouse password change"), "{refused}");
    gh.ok(&["password", "change"], &format!("{BOB_PASSWORD}\nbob-chose-this-9-lantern\n"));
    assert_eq!(gh.json(&["whoami", "--json"])["user"]["email"], "bob@example.com");
    // Members cannot manage users.
    assert!(gh.fail(&["user", "list"], "").contains("You do not have permission"));
}

#[test]
fn devices_are_listed_renamed_and_the_current_one_is_protected() {
    let gh = Gatehouse::with_admin();
    let devices = gh.json(&["devices", "list", "--json"]);
    let device = &devices[0];
    assert_eq!(device["kind"], "terminal");
    assert_eq!(device["isCurrent"], true);
    let id = device["id"].to_string();
    gh.ok(&["devices", "rename", &id, "Build server"], "");
    assert_eq!(gh.json(&["devices", "list", "--json"])[0]["name"], "Build server");
    let err = gh.fail(&["devices", "remove", &id], "");
    assert!(err.contains("Sign out instead"), "{err}");
    let err = gh.fail(&["devices", "rename", &id, ""], "");
    assert!(err.contains("Device name"), "{err}");
    assert!(gh.fail(&["devices", "remove", "999"], "").contains("Device was not found."));
    assert_eq!(gh.json(&["devices", "list", "--json"])[0]["name"], "Build server");
}

#[test]
fn activity_is_exported_as_csv_and_dates_filter_it() {
    let gh = Gatehouse::with_admin();
    gh.run(&["signin", ADMIN], "wrong-password-123\n");
    let file = gh.dir.path().join("activity.csv");
    let out = gh.ok(&["activity", "export", file.to_str().unwrap()], "");
    assert!(out.contains("Wrote 2 sign-in attempt(s)"), "{out}");
    let csv = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<_> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "time_utc,email,outcome,reason,second_factor,ip_address,location,device,device_type,os,client,risk_flags"
    );
    assert!(lines[1].contains(",failure,Wrong password,") && lines[2].contains(",success,Signed in,"), "{csv}");

    let future = gh.json(&["activity", "list", "--since", "2999-01-01", "--json"]);
    assert_eq!(future.as_array().unwrap().len(), 0);
    let past = gh.json(&["activity", "list", "--since", "2000-01-01T00:00", "--until", "2999-01-01", "--json"]);
    assert_eq!(past.as_array().unwrap().len(), 2);
    let err = gh.fail(&["activity", "list", "--since", "last tuesday"], "");
    assert!(err.contains("--since: use a date like 2026-11-01"), "{err}");
}

#[test]
fn changing_the_password_reads_both_from_stdin() {
    let gh = Gatehouse::with_admin();
    let err = gh.fail(&["password", "change"], "wrong-password-123\nnew-granite-window-88\n");
    assert!(err.contains("The password is incorrect."), "{err}");
    gh.ok(&["password", "change"], &format!("{ADMIN_PASSWORD}\nnew-granite-window-88\n"));
    gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    gh.ok(&["signin", ADMIN], "new-granite-window-88\n");
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let gh = Gatehouse::new();
    let err = gh.fail(&["init", "--email", "not-an-email"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("Email: enter a valid email address"), "{err}");
    let err = gh.fail(&["init", "--email", ADMIN], "");
    assert!(err.contains("on standard input"), "{err}");
    let err = gh.fail(&["init", "--email", ADMIN], "password\n");
    assert!(err.contains("too easy to guess"), "{err}");
    let long = format!("{}\n", "Ab1!".repeat(40));
    assert!(gh.fail(&["init", "--email", ADMIN], &long).contains("at most 128 characters"));
    let err = gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("not set up yet") && err.contains("gatehouse init"), "{err}");

    let gh = Gatehouse::with_admin();
    assert!(gh.fail(&["sessions", "end", "abc"], "").contains("Session id: \"abc\" is not a number"));
    assert!(gh.fail(&["sessions", "end", "999"], "").contains("Session was not found."));
    let err = gh.fail(&["user", "add", "x@example.com", "--role", "member"], "short\n");
    assert!(err.contains("at least 8 characters"), "{err}");
    let err = fail_of(gh.run_with(&["whoami"], "", &[("GATEHOUSE_TOKEN", "garbage")]), &["whoami"]);
    assert!(err.contains("is not a Gatehouse session token"), "{err}");
    let usage = gh.run(&["user", "add", "x@example.com", "--role", "owner"], "");
    assert_eq!(usage.status.code(), Some(2), "clap usage errors exit 2");
    assert_eq!(gh.json(&["user", "list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn not_being_signed_in_says_how_to_sign_in() {
    let gh = Gatehouse::with_admin();
    gh.ok(&["signout"], "");
    let err = gh.fail(&["sessions", "list"], "");
    assert!(err.contains("You are not signed in.") && err.contains("gatehouse signin EMAIL"), "{err}");
}

#[test]
fn without_a_keychain_the_error_is_clear() {
    let gh = Gatehouse::new();
    let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let out = gh.run_with(&["init", "--email", ADMIN], &format!("{ADMIN_PASSWORD}\n"), &no_bus);
    let err = fail_of(out, &["init"]);
    assert!(err.contains("No OS keychain is available"), "{err}");
    // Nothing was created: the keychain is checked before the account is.
    let out = gh.run(&["init", "--email", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `2fa enroll` like a person: reads the key it prints, answers with a code.
/// Returns the base32 key and the backup codes.
fn enroll(gh: &Gatehouse) -> (String, Vec<String>) {
    enroll_as(gh, ADMIN, ADMIN_PASSWORD)
}

/// [`enroll`] for whoever the keychain's session is: `email`, who confirms with `password`.
fn enroll_as(gh: &Gatehouse, email: &str, password: &str) -> (String, Vec<String>) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(gh.location())
        .args(["2fa", "enroll"])
        .env_remove("GATEHOUSE_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Enrolling first asks for the password (step-up), then for a code once the key is shown.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let secret = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "enroll ended early: {printed}");
        printed.push_str(&line);
        if let Some(key) = line.strip_prefix("Or type this key: ") {
            break key.trim().replace(' ', "");
        }
    };
    assert!(printed.contains('█') || printed.contains('▀'), "a QR code is drawn:\n{printed}");
    writeln!(stdin, "{}", oathtool(&secret, 0)).unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{rest}");
    let uri_line = rest.lines().find(|l| l.starts_with("URI: ")).unwrap();
    assert_eq!(
        uri_line,
        format!(
            "URI: otpauth://totp/Gatehouse:{email}?secret={secret}&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30"
        )
    );
    assert!(rest.contains("Two-factor authentication is on."), "{rest}");
    let codes: Vec<String> =
        rest.lines().map(str::trim).filter(|l| l.len() == 11 && l.as_bytes()[5] == b'-').map(str::to_owned).collect();
    assert_eq!(codes.len(), 10, "{rest}");
    (secret, codes)
}

#[test]
fn two_factor_enrolment_sign_in_backup_codes_and_disable_from_the_terminal() {
    let gh = Gatehouse::with_admin();
    let (secret, codes) = enroll(&gh);
    let status = gh.json(&["2fa", "status", "--json"]);
    assert_eq!((status["enabled"].as_bool(), status["backupCodesLeft"].as_u64()), (Some(true), Some(10)));

    // Sign-in now asks for a code after the password (next line of stdin).
    let err = gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n000000\n"));
    assert!(err.contains("That code is not valid"), "{err}");
    let err = gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("authentication code"), "{err}");
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n{}\n", oathtool(&secret, 1)));
    let sessions = gh.json(&["sessions", "list", "--json"]);
    let current = sessions.as_array().unwrap().iter().find(|s| s["isCurrent"] == true).unwrap();
    assert_eq!(current["secondFactor"], "totp");

    // A backup code signs in once.
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n{}\n", codes[0]));
    gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n{}\n", codes[0]));
    assert_eq!(gh.json(&["2fa", "status", "--json"])["backupCodesLeft"], 9);

    // New backup codes need a step-up: the CLI asks for a code (here a backup code).
    let out = gh.ok(&["2fa", "backup-codes"], &format!("{}\n", codes[1]));
    assert!(out.contains("New backup codes"), "{out}");
    assert_eq!(gh.json(&["2fa", "status", "--json"])["backupCodesLeft"], 10);
    let fresh: Vec<&str> = out.lines().map(str::trim).filter(|l| l.len() == 11 && l.as_bytes()[5] == b'-').collect();

    // Turning it off takes the password and a code.
    let err = gh.fail(&["2fa", "disable"], &format!("wrong-password-1\n{}\n", fresh[0]));
    assert!(err.contains("The password is incorrect."), "{err}");
    gh.ok(&["2fa", "disable"], &format!("{ADMIN_PASSWORD}\n{}\n", fresh[0]));
    assert_eq!(gh.json(&["2fa", "status", "--json"])["enabled"], false);
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
}

#[test]
fn an_admin_resets_a_users_two_factor_from_the_terminal() {
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    let bob = gh.ok(&["signin", "bob@example.com", "--print-token"], &format!("{BOB_PASSWORD}\n")).trim().to_owned();
    gh.ok(&["password", "change"], &format!("{BOB_PASSWORD}\nbob-chose-this-9-lantern\n"));
    let refused = fail_of(gh.run_with(&["user", "reset-2fa", ADMIN], "", &[("GATEHOUSE_TOKEN", &bob)]), &["reset-2fa"]);
    assert!(refused.contains("You do not have permission"), "{refused}");
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    // Without 2FA of their own, the admin confirms the reset with their password.
    let out = gh.ok(&["user", "reset-2fa", "bob@example.com"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(out.contains("Reset the two-factor authentication of bob@example.com"), "{out}");
    // Bob's sessions ended with the reset.
    let ended = fail_of(gh.run_with(&["whoami"], "", &[("GATEHOUSE_TOKEN", &bob)]), &["whoami"]);
    assert!(ended.contains("You are signed out"), "{ended}");
    let audit = gh.json(&["audit", "list", "--json"]);
    assert_eq!(audit[0]["action"], "2fa.reset");
}

#[test]
fn address_check_needs_no_account_and_says_why_an_address_is_wrong() {
    let gh = Gatehouse::new();
    let out = gh.ok(&["address", "check", "ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"], "");
    assert!(out.contains("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") && out.contains("EIP-55"), "{out}");
    gh.ok(&["address", "check", "bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"], "");
    gh.ok(&["address", "check", "xrp", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "--memo", "42"], "");
    let cases = [
        (["address", "check", "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"], "checksum"),
        (["address", "check", "bitcoin", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"], "testnet"),
        (["address", "check", "bitcoin", "LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1"], "Litecoin"),
        (["address", "check", "solana", "not-base58-0OIl"], "Address"),
        (["address", "check", "bitcoin-cash", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"], "Network"),
    ];
    for (args, says) in cases {
        let err = gh.fail(&args, "");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(!gh.dir.path().join("gatehouse.db").exists(), "checking opens no database");
}

#[test]
fn finance_saves_addresses_and_withdrawals_are_approved_by_someone_else() {
    let gh = Gatehouse::with_admin();
    // Approval on applies at once; no cooling-off weakens protection, so it waits for a
    // second admin (or a day).
    let saved = gh.ok(
        &["policy", "set", "--address-cooling-off-minutes", "0", "--withdrawals-need-approval", "true"],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert!(saved.contains("These weaken protection") && saved.contains("Address cooling-off"), "{saved}");
    let pending = gh.json(&["policy", "pending", "--json"]);
    assert_eq!(pending[0]["setting"], "addressCoolingOffMinutes");
    let change = pending[0]["id"].to_string();
    let refused = gh.fail(&["policy", "confirm", &change], &format!("{ADMIN_PASSWORD}\n"));
    assert!(refused.contains("Another administrator must confirm"), "{refused}");
    let temporary = "temporary-orange-kettle-5";
    gh.ok(&["user", "add", "grace@example.com", "--role", "admin"], &format!("{temporary}\n{ADMIN_PASSWORD}\n"));
    let grace = gh.ok(&["signin", "grace@example.com", "--print-token"], &format!("{temporary}\n")).trim().to_owned();
    let as_grace = [("GATEHOUSE_TOKEN", grace.as_str())];
    let changed = gh.run_with(&["password", "change"], &format!("{temporary}\n{BOB_PASSWORD}\n"), &as_grace);
    assert!(changed.status.success(), "{}", String::from_utf8_lossy(&changed.stderr));
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    let confirmed = gh.run_with(&["policy", "confirm", &change], &format!("{BOB_PASSWORD}\n"), &as_grace);
    assert!(confirmed.status.success(), "{}", String::from_utf8_lossy(&confirmed.stderr));
    assert_eq!(gh.json(&["policy", "show", "--json"])["addressCoolingOffMinutes"], 0);
    gh.ok(&["user", "add", "carol@example.com", "--role", "finance"], &format!("{temporary}\n{ADMIN_PASSWORD}\n"));
    let admin_token = gh.ok(&["signin", ADMIN, "--print-token"], &format!("{ADMIN_PASSWORD}\n")).trim().to_owned();
    // Carol replaces the password the admin gave her before anything else.
    gh.ok(&["signin", "carol@example.com"], &format!("{temporary}\n"));
    gh.ok(&["password", "change"], &format!("{temporary}\n{BOB_PASSWORD}\n"));

    // Saving asks Carol to confirm with her password (next stdin line).
    let out = gh.ok(
        &["address", "add", "Payroll", "tron", " TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t ", "--shared", "--note", "monthly"],
        &format!("{BOB_PASSWORD}\n"),
    );
    assert!(
        out.contains("Saved \"Payroll\" (TRON, shared): TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
            && out.contains("Usable for withdrawals now."),
        "{out}"
    );
    let listed = gh.json(&["address", "list", "--network", "tron", "--json"]);
    let id = listed[0]["id"].to_string();
    assert_eq!(listed[0]["usable"], true);

    // A look-alike is refused with the differing middles shown, unless accepted.
    gh.ok(&["address", "add", "Treasury", "ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"], "");
    let poisoned = format!("0x5aae{}eaed", "1".repeat(32));
    let err = gh.fail(&["address", "add", "Lookalike", "ethereum", &poisoned], "");
    assert!(
        err.contains("looks like \"Treasury\"") && err.contains("0x5aAe[b6053F3E94C9b9A09f33669435E7Ef1B]eAed"),
        "{err}"
    );
    assert!(err.contains("--accept-lookalike"), "{err}");

    // Carol's request waits for someone else.
    let out = gh.ok(&["withdraw", "create", &id, "usdt", "1250.5", "--note", "November payroll"], "");
    assert!(out.contains("(pending): 1250.5 USDT to \"Payroll\""), "{out}");
    let requests = gh.json(&["withdraw", "list", "--json"]);
    let request = requests[0]["id"].to_string();
    assert!(gh.fail(&["withdraw", "approve", &request], "").contains("cannot approve or reject your own"));
    let approved = gh.run_with(
        &["withdraw", "approve", &request, "--note", "ok"],
        &format!("{ADMIN_PASSWORD}\n"),
        &[("GATEHOUSE_TOKEN", &admin_token)],
    );
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    assert_eq!(gh.json(&["withdraw", "list", "--status", "approved", "--json"])[0]["decidedBy"], ADMIN);

    // Editing the book leaves the request's copy alone.
    gh.ok(&["address", "edit", &id, "--address", "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9"], "");
    assert_eq!(gh.json(&["withdraw", "list", "--json"])[0]["address"], "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
    let file = gh.dir.path().join("requests.csv");
    gh.ok(&["withdraw", "export", file.to_str().unwrap()], "");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().contains(",approved,USDT,1250.5,tron,Payroll,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,"),
        "{csv}"
    );

    // A request the admin rejects, with a note.
    let treasury = gh.json(&["address", "list", "--network", "ethereum", "--json"])[0]["id"].to_string();
    gh.ok(&["withdraw", "create", &treasury, "eth", "0.5"], "");
    let asked = gh.json(&["withdraw", "list", "--status", "pending", "--json"])[0]["id"].to_string();
    let rejected =
        gh.run_with(&["withdraw", "reject", &asked, "--note", "not today"], "", &[("GATEHOUSE_TOKEN", &admin_token)]);
    assert!(rejected.status.success(), "{}", String::from_utf8_lossy(&rejected.stderr));
    let decided = &gh.json(&["withdraw", "list", "--status", "rejected", "--json"])[0];
    assert_eq!((decided["decidedBy"].as_str(), decided["decisionNote"].as_str()), (Some(ADMIN), Some("not today")));

    // The book exported, then an entry removed.
    let book = gh.dir.path().join("book.csv");
    gh.ok(&["address", "export", book.to_str().unwrap()], "");
    let exported = std::fs::read_to_string(&book).unwrap();
    assert!(exported.contains("Payroll") && exported.contains("Treasury"), "{exported}");
    gh.ok(&["address", "remove", &treasury], "");
    let left: Vec<String> =
        gh.json(&["address", "list", "--json"]).as_array().unwrap().iter().map(|a| a["label"].to_string()).collect();
    assert_eq!(left, ["\"Payroll\""]);
}

#[test]
fn a_pending_weakening_is_cancelled_and_the_geoip_database_is_set_shown_and_cleared() {
    let gh = Gatehouse::with_admin();
    let saved = gh.ok(&["policy", "set", "--idle-lock-minutes", "60"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(saved.contains("These weaken protection"), "{saved}");
    let change = gh.json(&["policy", "pending", "--json"])[0]["id"].to_string();
    gh.ok(&["policy", "cancel", &change], "");
    assert_eq!(gh.json(&["policy", "pending", "--json"]).as_array().unwrap().len(), 0);
    assert_ne!(gh.json(&["policy", "show", "--json"])["idleLockMinutes"], 60);

    let none = gh.ok(&["geoip", "show"], "");
    let mmdb = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/geoip/GeoIP2-City-Test.mmdb");
    gh.ok(&["geoip", "set", mmdb], &format!("{ADMIN_PASSWORD}\n"));
    let shown = gh.ok(&["geoip", "show"], "");
    assert!(shown.contains("GeoIP2-City-Test.mmdb") && shown != none, "{shown}");
    let not_a_database = gh.dir.path().join("nothing.mmdb");
    std::fs::write(&not_a_database, b"not a database").unwrap();
    gh.fail(&["geoip", "set", not_a_database.to_str().unwrap()], &format!("{ADMIN_PASSWORD}\n"));
    assert_eq!(gh.ok(&["geoip", "show"], ""), shown, "a bad file changes nothing");
    gh.ok(&["geoip", "clear"], &format!("{ADMIN_PASSWORD}\n"));
    assert_eq!(gh.ok(&["geoip", "show"], ""), none);
}

#[test]
fn risk_thresholds_are_set_from_the_terminal_and_flagged_attempts_are_listed() {
    let gh = Gatehouse::with_admin();
    let err = gh.fail(&["policy", "set", "--failure-burst-threshold", "1"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("Failure burst threshold: must be between 2 and 1000."), "{err}");
    let err = gh.fail(&["policy", "set", "--impossible-travel-kmh", "50"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(err.contains("Impossible travel speed (km/h): must be between 100 and 20000."), "{err}");
    let policy = gh.json(&["policy", "show", "--json"]);
    assert_eq!(
        (policy["failureBurstThreshold"].as_u64(), policy["impossibleTravelKmh"].as_u64()),
        (Some(5), Some(1000))
    );

    let args = [
        "policy",
        "set",
        "--failure-burst-threshold",
        "3",
        "--failure-burst-minutes",
        "30",
        "--new-place-days",
        "60",
        "--impossible-travel-kmh",
        "900",
    ];
    let out = gh.ok(&args, &format!("{ADMIN_PASSWORD}\n"));
    assert!(out.contains("3 failures within 30 min") && out.contains("60 days") && out.contains("900 km/h"), "{out}");
    let policy = gh.json(&["policy", "show", "--json"]);
    let thresholds = ["failureBurstThreshold", "failureBurstMinutes", "newPlaceDays", "impossibleTravelKmh"]
        .map(|name| policy[name].as_u64().unwrap());
    assert_eq!(thresholds, [3, 30, 60, 900]);

    // Three wrong passwords for an email with no account: the third is a burst (threshold 3).
    for _ in 0..3 {
        gh.run(&["signin", "nobody@example.com"], "wrong-password-123\n");
    }
    let all = gh.json(&["activity", "list", "--all", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 4);
    let flagged = gh.json(&["activity", "list", "--all", "--flagged", "--json"]);
    assert_eq!(flagged.as_array().unwrap().len(), 1, "{flagged}");
    assert_eq!(flagged[0]["id"], all[0]["id"]);
    assert_eq!(flagged[0]["riskFlags"], serde_json::json!([{ "code": "failure_burst", "label": "Failure burst" }]));
    let table = gh.ok(&["activity", "list", "--all", "--flagged"], "");
    assert!(
        table.contains("RISK") && table.contains("Failure burst") && table.contains("nobody@example.com"),
        "{table}"
    );
    // The admin's own attempts: their first sign-in is not flagged.
    assert!(gh.ok(&["activity", "list", "--flagged"], "").contains("No sign-in attempts match."));

    let file = gh.dir.path().join("flagged.csv");
    let out = gh.ok(&["activity", "export", file.to_str().unwrap(), "--all", "--flagged"], "");
    assert!(out.contains("Wrote 1 sign-in attempt(s)"), "{out}");
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.lines().nth(1).unwrap().ends_with(",failure_burst"), "{csv}");
}

#[test]
fn signing_out_with_a_token_in_the_environment_ends_that_session_only() {
    let gh = Gatehouse::with_admin();
    let scripted = gh.ok(&["signin", ADMIN, "--print-token"], &format!("{ADMIN_PASSWORD}\n")).trim().to_owned();
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    let out = gh.run_with(&["signout"], "", &[("GATEHOUSE_TOKEN", &scripted)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ended = fail_of(gh.run_with(&["whoami"], "", &[("GATEHOUSE_TOKEN", &scripted)]), &["whoami"]);
    assert!(ended.contains("signed out"), "{ended}");
    // The keychain's session is still signed in.
    assert_eq!(gh.json(&["whoami", "--json"])["user"]["email"], ADMIN);
}

#[test]
fn a_member_naming_another_user_learns_nothing_about_whether_they_exist() {
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    gh.ok(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"));
    gh.ok(&["password", "change"], &format!("{BOB_PASSWORD}\nbob-chose-this-9-lantern\n"));
    let existing = gh.fail(&["sessions", "list", "--user", ADMIN], "");
    let missing = gh.fail(&["sessions", "list", "--user", "nobody@example.com"], "");
    assert_eq!(existing, missing);
    assert!(existing.contains("You do not have permission"), "{existing}");
}

#[test]
fn with_the_data_key_lost_from_the_keychain_an_admin_recovers_from_the_terminal() {
    let gh = Gatehouse::with_admin();
    let (_, _) = enroll(&gh);
    // The keychain entry disappears (secret-tool talks to the Secret Service, not our code).
    let account = gh.keychain_account("data-key");
    let cleared = Command::new("secret-tool")
        .args(["clear", "service", "gatehouse", "username", &account])
        .status()
        .expect("secret-tool is installed by scripts/setup");
    assert!(cleared.success());
    let err = gh.fail(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n123456\n"));
    assert!(err.contains("missing from this computer's keychain") && err.contains("recover-lost-key"), "{err}");

    let unconfirmed = gh.fail(&["2fa", "recover-lost-key", "--email", ADMIN], "");
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    let out = gh.ok(&["2fa", "recover-lost-key", "--email", ADMIN, "--yes"], &format!("{ADMIN_PASSWORD}\n"));
    assert!(out.contains("turned off for 1 user(s)"), "{out}");
    // The password alone signs in now; the audit log has it.
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    assert_eq!(gh.json(&["audit", "list", "--json"])[0]["action"], "2fa.recovered_lost_key");
}

#[test]
fn a_server_keeps_the_data_key_in_a_file_it_made_with_keygen() {
    use std::os::unix::fs::PermissionsExt;
    let gh = Gatehouse::new();
    let key_file = gh.dir.path().join("data.key");
    let key_path = key_file.to_str().unwrap();
    let out = gh.ok(&["keygen", key_path], "");
    assert!(out.contains("Wrote a new data key"), "{out}");
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim().len(), 44);
    // Never over an existing key.
    assert!(gh.fail(&["keygen", key_path], "").contains("Could not create the key file"));

    let with_key = [("GATEHOUSE_DATA_KEY_FILE", key_path)];
    let init = gh.run_with(&["init", "--email", ADMIN], &format!("{ADMIN_PASSWORD}\n"), &with_key);
    assert!(init.status.success());
    // Enrolling seals the secret under the file's key; the keychain holds no data key.
    let enrol = gh.run_with(&["2fa", "enroll"], &format!("{ADMIN_PASSWORD}\n000000\n"), &with_key);
    assert!(String::from_utf8_lossy(&enrol.stderr).contains("not valid"), "the key file was used");
    let account = gh.keychain_account("data-key");
    let lookup = Command::new("secret-tool").args(["lookup", "service", "gatehouse", "username", &account]).output();
    assert!(!lookup.unwrap().status.success(), "no data key in the keychain");
    // A key file others may read is refused, with the fix.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let refused = gh.run_with(&["2fa", "enroll"], &format!("{ADMIN_PASSWORD}\n"), &with_key);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("may be read by others") && said.contains("chmod 600"), "{said}");
}

#[test]
fn a_standalone_installation_is_imported_into_an_empty_database() {
    // The standalone installation: a data folder, whatever the suite's backend.
    let standalone = Gatehouse { dir: tempfile::tempdir().unwrap(), postgres: None };
    let init = standalone.ok(&["init", "--email", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    assert!(init.contains("Created the administrator"), "{init}");
    let (secret, codes) = enroll(&standalone);
    standalone.add_bob();
    let from = standalone.dir.path().to_str().unwrap();

    // The team's database (PostgreSQL in the suite's second run): empty, its own data key.
    let team = Gatehouse::new();
    let missing = team.fail(&["import", "--from-data-dir", team.dir.path().join("nowhere").to_str().unwrap()], "");
    assert!(missing.contains("No Gatehouse database in"), "{missing}");
    let out = team.ok(&["import", "--from-data-dir", from], "");
    assert!(out.contains("2 user(s), 1 with two-factor authentication, 10 backup code(s)"), "{out}");
    assert!(out.contains("all ended: everyone signs in again"), "{out}");

    // The admin signs in there with the same password and authenticator, and a backup code.
    team.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n{}\n", oathtool(&secret, 1)));
    team.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n{}\n", codes[0]));
    let users = team.ok(&["user", "list"], "");
    assert!(users.contains("bob@example.com"), "{users}");
    assert_eq!(team.json(&["audit", "list", "--json"])[0]["action"], "database.imported");

    // Importing again, into a database that has users, is refused.
    let again = team.fail(&["import", "--from-data-dir", from], "");
    assert!(again.contains("already holds users"), "{again}");
}

#[test]
fn notices_are_listed_and_watched_on_this_computers_database() {
    use std::io::BufRead;
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    let out = gh.ok(&["signin", ADMIN, "--print-token"], &format!("{ADMIN_PASSWORD}\n"));
    let admin_token =
        out.lines().find_map(|line| line.split_whitespace().find(|word| word.starts_with("ghs_"))).unwrap();
    let cursor_file = gh.dir.path().join("watch.cursor");
    let mut watch = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(gh.location())
        .args(["notices", "watch", "--json", "--cursor-file", &cursor_file.display().to_string()])
        .env("GATEHOUSE_TOKEN", admin_token)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cursor_file.exists() {
        assert!(std::time::Instant::now() < deadline, "the watch did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Bob signs in from this terminal: the admin's watch prints it.
    gh.ok(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"));
    let mut lines = std::io::BufReader::new(watch.stdout.take().unwrap()).lines();
    let printed: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    watch.kill().unwrap();
    watch.wait().unwrap();
    assert_eq!(printed["kind"], "everyone.sign_in", "{printed}");
    assert!(printed["title"].as_str().unwrap().contains("bob@example.com"), "{printed}");

    let out = gh.run_with(&["notices", "list", "--unread", "--json"], "", &[("GATEHOUSE_TOKEN", admin_token)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let unread: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(unread.iter().any(|notice| notice["id"] == printed["id"] && notice["read"] == false), "{unread:?}");
    let table = gh.run_with(&["notices", "list"], "", &[("GATEHOUSE_TOKEN", admin_token)]);
    assert!(String::from_utf8_lossy(&table.stdout).contains("bob@example.com signed in"));
}

#[test]
fn checkup_says_what_needs_attention_and_exits_1_until_it_is_fixed() {
    let gh = Gatehouse::with_admin();
    gh.add_bob();
    gh.ok(&["signin", "bob@example.com"], &format!("{BOB_PASSWORD}\n"));
    gh.ok(&["password", "change"], &format!("{BOB_PASSWORD}\nbob-chose-this-9-lantern\n"));
    let out = gh.run(&["checkup", "--json"], "");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need"), "the summary goes to stderr");
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let two_factor = checks.iter().find(|check| check["id"] == "two_factor").unwrap();
    assert_eq!(two_factor["status"], "at_risk");
    let text = String::from_utf8(gh.run(&["checkup"], "").stdout).unwrap();
    assert!(
        text.contains("AT RISK  Two-factor authentication is off.") && text.contains("gatehouse 2fa enroll"),
        "{text}"
    );
    // Members have no team section.
    let refused = gh.fail(&["checkup", "--team"], "");
    assert!(refused.contains("permission"), "{refused}");

    enroll_as(&gh, "bob@example.com", "bob-chose-this-9-lantern");
    let out = gh.run(&["checkup", "--json"], "");
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let two_factor = checks.iter().find(|check| check["id"] == "two_factor").unwrap();
    assert_eq!(two_factor["status"], "ok");
    let codes = checks.iter().find(|check| check["id"] == "backup_codes").unwrap();
    assert_eq!((codes["status"].as_str(), codes["count"].as_u64()), (Some("ok"), Some(10)));
    let open: Vec<_> = checks.iter().filter(|check| check["status"] != "ok").collect();
    assert!(open.is_empty(), "{open:?}");
    assert_eq!(out.status.code(), Some(0), "all good exits 0");

    // An admin's --team adds the team's checks: Bob is fine now, the admin has no 2FA.
    gh.ok(&["signin", ADMIN], &format!("{ADMIN_PASSWORD}\n"));
    let out = gh.run(&["checkup", "--team", "--json"], "");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let team = checks.iter().find(|check| check["id"] == "team_two_factor").expect("the team section");
    let without: Vec<&str> = team["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(without, [ADMIN], "{team}");
}
