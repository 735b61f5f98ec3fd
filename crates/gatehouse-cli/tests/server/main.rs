//! Two real `gatehouse serve` processes on one database — PostgreSQL inside
//! `scripts/with-postgres`, else one SQLite data folder — behind TLS with a certificate from
//! a CA this test makes, driven through gatehouse-client's real HTTPS client (and curl,
//! where the raw status and headers are the point). Needs the Secret Service from
//! `scripts/with-desktop-session` for `gatehouse init` (the README's test command provides it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;
mod events;
mod team;

use gatehouse_api::operations as ops;
use gatehouse_api::{
    AddressQueryRequest, ClientKindView, ClientRequest, DeviceKindView, DeviceRequest, NewAddressRequest,
    NewUserRequest, NewWithdrawalRequest, Secret, SessionStateView, SignInResult,
};
use gatehouse_client::{Remote, Trust};
use gatehouse_core::SessionToken;
use std::io::Write;

use crate::team::{ADMIN, ADMIN_PASSWORD, Team};

const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const TEMPORARY: &str = "amber-window-falcon-31";
const BOB_PASSWORD: &str = "quiet-meadow-copper-77";
const CAROL_PASSWORD: &str = "silver-canyon-maple-58";
/// An Ethereum address with a valid EIP-55 checksum.
const ETH_ADDRESS: &str = "0x52908400098527886E0F7030069857D2E4169EE7";

fn device(name: &str) -> DeviceRequest {
    DeviceRequest {
        installation_id: format!("test-{}-0001", name.replace(['@', '.'], "-")),
        name: name.to_owned(),
        kind: DeviceKindView::Laptop,
        os: "Debian".to_owned(),
        os_version: "12".to_owned(),
    }
}

fn client() -> ClientRequest {
    ClientRequest { kind: ClientKindView::Desktop, name: "Gatehouse desktop".to_owned(), version: "0.1.0".to_owned() }
}

fn sign_in_request(email: &str, password: &str) -> ops::SignIn {
    ops::SignIn { email: email.to_owned(), password: Secret::new(password), device: device(email), client: client() }
}

async fn sign_in(server: &Remote, email: &str, password: &str) -> SessionToken {
    match server.call(&sign_in_request(email, password), None).await.unwrap() {
        SignInResult::SignedIn { session_token } => SessionToken::parse(session_token.expose()).unwrap(),
        other => panic!("expected a session, got {other:?}"),
    }
}

async fn step_up(server: &Remote, token: &SessionToken, answer: &str) {
    server.call(&ops::StepUp { answer: Secret::new(answer) }, Some(token)).await.unwrap();
}

/// Creates a user with a temporary password (as the admin), then signs them in on `server`
/// and has them choose `password`. Returns their session.
async fn add_user(team: &Team, admin: &SessionToken, email: &str, role: &str, password: &str) -> SessionToken {
    let a = team.server(0);
    let request = NewUserRequest {
        email: email.to_owned(),
        name: String::new(),
        role: role.to_owned(),
        password: TEMPORARY.to_owned(),
    };
    a.call(&ops::CreateUser { request }, Some(admin)).await.unwrap();
    let b = team.server(1);
    let token = sign_in(b, email, TEMPORARY).await;
    let refused = b.call(&ops::ListSessions { user_id: None }, Some(&token)).await.unwrap_err();
    assert_eq!(refused.code, "password.change_required");
    let change = ops::ChangePassword { current: Secret::new(TEMPORARY), new: Secret::new(password) };
    b.call(&change, Some(&token)).await.unwrap();
    token
}

#[tokio::test]
async fn every_area_works_across_two_instances() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let info = b.server_info().await.unwrap();
    assert!(info.set_up && info.product == "gatehouse");

    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    // The other instance knows the session at once: it lives in the database.
    match b.call(&ops::GetSessionState {}, Some(&admin)).await.unwrap() {
        SessionStateView::Active { me, obligation } => {
            assert_eq!(me.user.email, ADMIN);
            assert_eq!(obligation, None);
        }
        other => panic!("{other:?}"),
    }
    // Adding a user needs a fresh step-up: asked on B, given on A, honoured on B.
    let asked = b
        .call(
            &ops::CreateUser {
                request: NewUserRequest {
                    email: BOB.to_owned(),
                    name: String::new(),
                    role: "member".to_owned(),
                    password: TEMPORARY.to_owned(),
                },
            },
            Some(&admin),
        )
        .await
        .unwrap_err();
    assert_eq!((asked.code.as_str(), asked.step_up_with.as_deref()), ("auth.step_up_required", Some("password")));
    step_up(a, &admin, ADMIN_PASSWORD).await;
    let bob = add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;

    // Sessions and activity show the real client: its address as the server saw it, its app.
    let sessions = a.call(&ops::ListSessions { user_id: None }, Some(&bob)).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(sessions[0].client_name, "Gatehouse desktop");
    assert_eq!(sessions[0].device_name, BOB);
    let devices = b.call(&ops::ListDevices { user_id: None }, Some(&bob)).await.unwrap();
    assert_eq!(devices.len(), 1);
    let users = b.call(&ops::ListUsers {}, Some(&admin)).await.unwrap();
    assert_eq!(users.iter().map(|u| u.email.as_str()).collect::<Vec<_>>(), [ADMIN, BOB]);
    let query = gatehouse_api::ActivityQuery { everyone: true, ..Default::default() };
    let activity = a.call(&ops::ListActivity { query: query.clone() }, Some(&admin)).await.unwrap();
    let bobs: Vec<_> = activity.iter().filter(|attempt| attempt.email == BOB).collect();
    assert_eq!(bobs.len(), 1, "{activity:?}");
    assert_eq!(bobs[0].ip.as_deref(), Some("127.0.0.1"));
    let export = b.call(&ops::ExportActivity { query }, Some(&admin)).await.unwrap();
    assert_eq!(export.rows as usize, activity.len());
    assert_eq!(export.csv.lines().count(), activity.len() + 1);

    // Two-factor enrolment: begun on A, confirmed on B with a code oathtool computes.
    step_up(b, &bob, BOB_PASSWORD).await;
    let enrollment = a.call(&ops::BeginTwoFactorEnrollment {}, Some(&bob)).await.unwrap();
    let code = common::oathtool(&enrollment.secret, 0);
    let codes = b.call(&ops::ConfirmTwoFactorEnrollment { code: Secret::new(&code) }, Some(&bob)).await.unwrap();
    assert_eq!(codes.codes.len(), 10);
    let status = a.call(&ops::GetTwoFactorStatus { user_id: None }, Some(&bob)).await.unwrap();
    assert!(status.enabled && status.backup_codes_left == 10);

    // A sign-in with 2FA: the challenge from A is answered on B.
    let challenge = match a.call(&sign_in_request(BOB, BOB_PASSWORD), None).await.unwrap() {
        SignInResult::SecondFactorRequired { challenge, .. } => challenge,
        other => panic!("{other:?}"),
    };
    let finish =
        ops::CompleteSignIn { challenge, code: Secret::new(&codes.codes[0]), device: device(BOB), client: client() };
    assert!(matches!(b.call(&finish, None).await.unwrap(), SignInResult::SignedIn { .. }));

    // Notices: the new sign-in was announced to Bob's other session.
    let notices = a.call(&ops::ListNotices {}, Some(&bob)).await.unwrap();
    assert!(!notices.is_empty());
    assert!(b.call(&ops::UnreadNotices {}, Some(&bob)).await.unwrap() >= 1);
    let settings = a.call(&ops::AlertSettings {}, Some(&bob)).await.unwrap();
    assert!(!settings.is_empty());
    let policy = b.call(&ops::GetPolicy {}, Some(&admin)).await.unwrap();
    assert_eq!(policy.lockout_threshold, 10);
    let networks = a.call(&ops::ListNetworks {}, None).await.unwrap();
    assert!(networks.iter().any(|n| n.name == "ethereum"));
}

#[tokio::test]
async fn a_withdrawal_asked_on_one_instance_is_approved_on_the_other() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin, ADMIN_PASSWORD).await;
    let mut policy = a.call(&ops::GetPolicy {}, Some(&admin)).await.unwrap();
    policy.withdrawals_need_approval = true;
    a.call(&ops::SetPolicy { policy }, Some(&admin)).await.unwrap();
    let bob = add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;
    let carol = add_user(&team, &admin, CAROL, "finance", CAROL_PASSWORD).await;

    step_up(a, &bob, BOB_PASSWORD).await;
    let request = NewAddressRequest {
        label: "Cold wallet".to_owned(),
        network: "ethereum".to_owned(),
        address: ETH_ADDRESS.to_owned(),
        memo: None,
        note: String::new(),
        scope: "personal".to_owned(),
        accept_lookalike: false,
    };
    let saved = a.call(&ops::AddAddress { request }, Some(&bob)).await.unwrap().address;
    let query = AddressQueryRequest { search: Some("cold".to_owned()), network: None, usable_only: false };
    let found = b.call(&ops::ListAddresses { query }, Some(&bob)).await.unwrap();
    assert_eq!(found.iter().map(|a| a.id).collect::<Vec<_>>(), [saved.id]);

    let new = |amount: &str| ops::CreateWithdrawal {
        request: NewWithdrawalRequest {
            address_id: saved.id,
            asset: "ETH".to_owned(),
            amount: amount.to_owned(),
            note: String::new(),
        },
    };
    let cooling = b.call(&new("1.5"), Some(&bob)).await.unwrap_err();
    assert_eq!(cooling.code, "address.cooling_off");
    // A day passes for the address (the servers use the real clock; the database is moved).
    team.sql(&format!("UPDATE addresses SET usable_from = 0 WHERE id = {}", saved.id));
    let asked = b.call(&new("1.5"), Some(&bob)).await.unwrap();
    assert_eq!(asked.status, "pending");

    let by_member = ops::DecideWithdrawal { withdrawal_id: asked.id, approve: true, note: String::new() };
    assert_eq!(b.call(&by_member, Some(&bob)).await.unwrap_err().code, "forbidden");
    step_up(a, &carol, CAROL_PASSWORD).await;
    let decide = ops::DecideWithdrawal { withdrawal_id: asked.id, approve: true, note: "ok".to_owned() };
    let approved = a.call(&decide, Some(&carol)).await.unwrap();
    assert_eq!(approved.status, "approved");
    let again = b.call(&decide, Some(&carol)).await.unwrap_err();
    assert_eq!(again.code, "withdrawal.decided");
    let mine = b.call(&ops::ListWithdrawals { status: None, mine_only: true }, Some(&bob)).await.unwrap();
    assert_eq!(mine[0].status, "approved");
}

#[tokio::test]
async fn a_session_ended_on_one_instance_fails_on_the_other_at_its_next_request() {
    let team = Team::start(2);
    let (a, b) = (team.server(0), team.server(1));
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    let second = sign_in(b, ADMIN, ADMIN_PASSWORD).await;
    // `gatehouse init` signed in too: three sessions.
    assert_eq!(b.call(&ops::ListSessions { user_id: None }, Some(&second)).await.unwrap().len(), 3);

    step_up(a, &admin, ADMIN_PASSWORD).await;
    assert_eq!(a.call(&ops::EndOtherSessions {}, Some(&admin)).await.unwrap(), 2);
    let ended = b.call(&ops::ListSessions { user_id: None }, Some(&second)).await.unwrap_err();
    assert_eq!(ended.code, "session.signed_out");

    b.call(&ops::SignOut {}, Some(&admin)).await.unwrap();
    let signed_out = a.call(&ops::GetSessionState {}, Some(&admin)).await.unwrap_err();
    assert_eq!(signed_out.code, "session.signed_out");
}

#[tokio::test]
async fn bad_expired_ended_and_malformed_tokens_get_401_without_detail() {
    let team = Team::start(1);
    let a = team.server(0);
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    let (status, body) = team.curl(0, "list_sessions", "{}", &[]);
    assert_eq!((status, body["code"].as_str()), (401, Some("session.signed_out")));
    for header in [
        "Authorization: Bearer nonsense".to_owned(),
        "Authorization: Basic YWRhOnB3".to_owned(),
        format!("Authorization: Bearer ghs_{}", "A".repeat(43)),
        format!("Authorization: Bearer {}", admin.expose().replacen("ghs_", "ghc_", 1)),
    ] {
        let (status, body) = team.curl(0, "list_sessions", "{}", &[&header]);
        assert_eq!((status, body["code"].as_str()), (401, Some("session.signed_out")), "{header}");
    }
    let bearer = format!("Authorization: Bearer {}", admin.expose());
    let (status, _) = team.curl(0, "list_sessions", "{}", &[&bearer]);
    assert_eq!(status, 200);
    // Without --trusted-proxy, X-Forwarded-For is the client's own claim: ignored.
    let body = serde_json::to_string(&sign_in_request(ADMIN, ADMIN_PASSWORD)).unwrap();
    let (status, answer) = team.curl(0, "sign_in", &body, &["X-Forwarded-For: 81.2.69.142"]);
    assert_eq!(status, 200, "{answer}");
    let spoofer = SessionToken::parse(answer["sessionToken"].as_str().unwrap()).unwrap();
    let listed = a.call(&ops::ListSessions { user_id: None }, Some(&spoofer)).await.unwrap();
    assert_eq!(listed.iter().find(|s| s.is_current).unwrap().ip.as_deref(), Some("127.0.0.1"));

    // Expired: its idle time ran out (the database is moved back; the server's clock is real).
    team.sql("UPDATE sessions SET last_active_at = 0, expires_at = 1");
    let (status, body) = team.curl(0, "list_sessions", "{}", &[&bearer]);
    assert_eq!((status, body["code"].as_str()), (401, Some("session.expired")));
    let again = a.call(&ops::ListSessions { user_id: None }, Some(&admin)).await.unwrap_err();
    assert!(again.code.starts_with("session."), "{again:?}");
}

#[tokio::test]
async fn refusals_carry_their_http_status_forbidden_403_conflict_409() {
    let team = Team::start(2);
    let a = team.server(0);
    let admin = sign_in(a, ADMIN, ADMIN_PASSWORD).await;
    step_up(a, &admin, ADMIN_PASSWORD).await;
    let bob = add_user(&team, &admin, BOB, "member", BOB_PASSWORD).await;
    let as_admin = format!("Authorization: Bearer {}", admin.expose());
    let as_bob = format!("Authorization: Bearer {}", bob.expose());
    let (status, body) = team.curl(0, "list_users", "{}", &[&as_bob]);
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");
    let again = format!(r#"{{"request":{{"email":"{BOB}","name":"","role":"member","password":"{BOB_PASSWORD}"}}}}"#);
    let (status, body) = team.curl(0, "create_user", &again, &[&as_admin]);
    assert_eq!((status, body["code"].as_str()), (409, Some("user.email_taken")), "{body}");
    let (status, _) = team.curl(0, "list_users", "{}", &[&as_admin]);
    assert_eq!(status, 200, "the admin's own session was untouched");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_and_its_location_are_recorded() {
    let geoip = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/geoip/GeoIP2-City-Test.mmdb");
    let team = Team::start_with(1, &["--geoip", geoip, "--trusted-proxy", "127.0.0.1/32"]);
    let body = serde_json::to_string(&sign_in_request(ADMIN, ADMIN_PASSWORD)).unwrap();
    // The proxy (this loopback peer) appended the client it saw; what the client claimed
    // before that is not believed.
    let (status, answer) = team.curl(0, "sign_in", &body, &["X-Forwarded-For: 203.0.113.7, 81.2.69.142"]);
    assert_eq!(status, 200, "{answer}");
    let token = SessionToken::parse(answer["sessionToken"].as_str().unwrap()).unwrap();
    let sessions = team.server(0).call(&ops::ListSessions { user_id: None }, Some(&token)).await.unwrap();
    let current = sessions.iter().find(|s| s.is_current).unwrap();
    assert_eq!(current.ip.as_deref(), Some("81.2.69.142"));
    assert_eq!(current.location, "London, United Kingdom");
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_status_and_body() {
    let team = Team::start(1);
    let body = |email: &str| serde_json::to_string(&sign_in_request(email, "not-the-password-9")).unwrap();
    let wrong = team.curl(0, "sign_in", &body(ADMIN), &[]);
    let unknown = team.curl(0, "sign_in", &body("nobody@example.com"), &[]);
    assert_eq!(wrong, unknown);
    assert_eq!((wrong.0, wrong.1["code"].as_str()), (401, Some("auth.invalid_credentials")));
}

#[tokio::test]
async fn failures_add_up_across_instances() {
    let team = Team::start(2);
    let team = &team;
    let attempt = |i: usize| async move {
        team.server(i % 2).call(&sign_in_request(ADMIN, "not-the-password-9"), None).await.unwrap_err()
    };
    // Two free failures (one per instance); the third, wherever it lands, must wait.
    assert_eq!(attempt(0).await.code, "auth.invalid_credentials");
    assert_eq!(attempt(1).await.code, "auth.invalid_credentials");
    let third = attempt(2).await;
    assert_eq!(third.code, "auth.invalid_credentials");
    let waiting = attempt(3).await;
    assert_eq!(waiting.code, "auth.throttled", "{waiting:?}");
    assert!(waiting.retry_after_seconds.unwrap() >= 1);
    let (status, body) =
        team.curl(0, "sign_in", &serde_json::to_string(&sign_in_request(ADMIN, "x-y-z-w-1")).unwrap(), &[]);
    assert_eq!(status, 429);
    assert_eq!(body["code"], "auth.throttled");
}

#[tokio::test]
async fn bad_requests_get_coded_errors_and_the_api_describes_itself() {
    let team = Team::start(1);
    let (status, body) = team.curl(0, "sign_in", &format!("{{\"email\": \"{}\"}}", "x".repeat(100 * 1024)), &[]);
    assert_eq!((status, body["code"].as_str()), (413, Some("request.too_large")));
    let (status, body) = team.curl(0, "sign_in", "{not json", &[]);
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_input")));
    let (status, body) = team.curl(0, "unlock", r#"{"password": 12345678}"#, &[]);
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid_input")));
    assert!(!body["message"].as_str().unwrap().contains("12345678"), "{body}");
    let (status, body) = team.curl(0, "sign_in", "email=a", &["Content-Type: application/x-www-form-urlencoded"]);
    assert_eq!((status, body["code"].as_str()), (415, Some("request.unsupported_media_type")));
    let (status, body) = team.curl(0, "no_such_operation", "{}", &[]);
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));

    let headers = team.curl_headers(0, "/healthz");
    for expected in
        ["x-request-id: ", "strict-transport-security: ", "x-content-type-options: nosniff", "cache-control: no-store"]
    {
        assert!(headers.to_lowercase().contains(expected), "{expected} missing:\n{headers}");
    }
    let (status, _) = team.curl_get(0, "/readyz");
    assert_eq!(status, 200);
    let (status, document) = team.curl_get(0, "/api/v1/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    let mut names = Vec::new();
    gatehouse_api::visit_operations(&mut team::Names(&mut names));
    assert_eq!(paths.len(), names.len() + 1, "every operation, and the event stream");
    let events = &paths["/api/v1/events"]["get"]["responses"]["200"]["content"]["text/event-stream"];
    assert!(events["schema"]["$ref"].as_str().unwrap().ends_with("StreamEvent"), "{events}");
    for name in &names {
        assert!(paths.contains_key(&format!("/api/v1/{name}")), "{name} missing from the OpenAPI document");
    }
    let sign_in = &paths["/api/v1/sign_in"]["post"];
    assert_eq!(sign_in["security"], serde_json::json!([]));
    let schema = sign_in["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
    let schema = &document["components"]["schemas"][schema.trim_start_matches("#/components/schemas/")];
    assert_eq!(schema["properties"]["password"]["$ref"], "#/components/schemas/Secret", "{schema}");
    assert_eq!(document["components"]["schemas"]["Secret"]["type"], "string");
}

#[tokio::test]
async fn the_client_refuses_what_is_not_a_trusted_gatehouse() {
    let team = Team::start(1);
    let url = team.url(0);
    // The system's roots don't know the test CA.
    let untrusted = Remote::new(url, &Trust::SystemRoots).unwrap().server_info().await.unwrap_err();
    assert_eq!(untrusted.code, "client.certificate", "{untrusted:?}");
    // Pinning: the fingerprint read before trusting is the one curl sees; a wrong pin fails.
    let fingerprint = gatehouse_client::certificate_fingerprint(url).await.unwrap();
    assert_eq!(fingerprint.to_string(), team.certificate_fingerprint());
    let pinned = Remote::new(url, &Trust::Pinned(fingerprint)).unwrap();
    assert!(pinned.server_info().await.unwrap().set_up);
    let other = gatehouse_client::Fingerprint::parse(&"AB".repeat(32)).unwrap();
    let changed = Remote::new(url, &Trust::Pinned(other)).unwrap().server_info().await.unwrap_err();
    assert_eq!(changed.code, "client.certificate");
    assert!(changed.message.contains("has changed since you confirmed it"), "{changed:?}");
    // Nothing listening; plain http to another host; not a URL.
    let closed = Remote::new("https://127.0.0.1:9", &Trust::SystemRoots).unwrap().server_info().await.unwrap_err();
    assert_eq!(closed.code, "client.unreachable", "{closed:?}");
    assert_eq!(Remote::new("http://example.com", &Trust::SystemRoots).unwrap_err().code, "invalid_input");
    assert_eq!(Remote::new("gatehouse", &Trust::SystemRoots).unwrap_err().code, "invalid_input");
    // A web server that isn't Gatehouse (Python's, on loopback: plain http is allowed there).
    let other_server = team::OtherWebServer::start();
    let not_gatehouse = Remote::new(&other_server.url, &Trust::SystemRoots).unwrap().server_info().await.unwrap_err();
    assert_eq!(not_gatehouse.code, "client.not_gatehouse", "{not_gatehouse:?}");
    assert!(not_gatehouse.message.contains("not like a Gatehouse server"), "{not_gatehouse:?}");
}

/// The CLI says plainly, and fails, when the server is not there or is not Gatehouse.
#[test]
fn the_cli_says_plainly_when_there_is_no_gatehouse_server() {
    let team = Team::start(1);
    let run = |server: &str| {
        use std::io::Write as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["--server", server, "signin", ADMIN])
            .env_remove("GATEHOUSE_TOKEN")
            .env_remove("GATEHOUSE_CA_FILE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(format!("{ADMIN_PASSWORD}\n").as_bytes());
        let out = child.wait_with_output().unwrap();
        assert!(!out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let other_server = team::OtherWebServer::start();
    let not_gatehouse = run(&other_server.url);
    assert!(not_gatehouse.contains("not like a Gatehouse server"), "{not_gatehouse}");
    let nothing = run("https://127.0.0.1:9");
    assert!(nothing.contains("127.0.0.1:9") && nothing.to_lowercase().contains("reach"), "{nothing}");
    let not_a_url = run("gatehouse.example");
    assert!(not_a_url.contains("Server address: expected an address like https://"), "{not_a_url}");
    // A server that went away (it ran a moment ago): the same plain answer.
    let url = team.url(0).to_owned();
    drop(team);
    let gone = run(&url);
    assert!(gone.to_lowercase().contains("reach"), "{gone}");
}

/// The CLI's foundation flows with `--server`, alternating between the two instances.
#[test]
fn the_cli_runs_the_foundation_flows_against_the_servers() {
    let team = Team::start(2);
    let admin_password = format!("{ADMIN_PASSWORD}\n");
    let admin_token = team.cli_ok(0, &["signin", ADMIN, "--print-token"], &admin_password, None).trim().to_owned();
    let admin = Some(admin_token.as_str());
    let me: serde_json::Value = serde_json::from_str(&team.cli_ok(1, &["whoami", "--json"], "", admin)).unwrap();
    assert_eq!(me["user"]["email"], ADMIN);
    // A self-signed server is reached by pinning its certificate's fingerprint instead.
    let pinned = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["--server", team.url(0), "--server-fingerprint", &team.certificate_fingerprint(), "whoami"])
        .env("GATEHOUSE_TOKEN", &admin_token)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pinned.stdout).contains(ADMIN), "{pinned:?}");
    let wrong_pin = "00".repeat(32);
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["--server", team.url(0), "--server-fingerprint", &wrong_pin, "whoami"])
        .env("GATEHOUSE_TOKEN", &admin_token)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&refused.stderr).contains("has changed since you confirmed it"), "{refused:?}");

    // Users: added on A (the step-up asks for the admin's password), listed on B.
    let out =
        team.cli_ok(0, &["user", "add", BOB, "--role", "member"], &format!("{TEMPORARY}\n{ADMIN_PASSWORD}\n"), admin);
    assert!(out.contains(&format!("Created {BOB} (member)")), "{out}");
    let users: serde_json::Value =
        serde_json::from_str(&team.cli_ok(1, &["user", "list", "--json"], "", admin)).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2);

    // Bob signs in on B (kept in the keychain under B's address) and must choose a password.
    team.cli_ok(1, &["signin", BOB], &format!("{TEMPORARY}\n"), None);
    let refused = team.cli(1, &["sessions", "list"], "", None);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("gatehouse password change"), "{refused:?}");
    team.cli_ok(1, &["password", "change"], &format!("{TEMPORARY}\n{BOB_PASSWORD}\n"), None);
    let bob_token =
        team.cli_ok(1, &["signin", BOB, "--print-token"], &format!("{BOB_PASSWORD}\n"), None).trim().to_owned();
    let bob = Some(bob_token.as_str());

    // Sessions and activity as the server recorded them: the CLI's app, the loopback address.
    let sessions: serde_json::Value =
        serde_json::from_str(&team.cli_ok(1, &["sessions", "list", "--json"], "", None)).unwrap();
    let current = sessions.as_array().unwrap().iter().find(|s| s["isCurrent"] == true).unwrap();
    assert_eq!((current["clientName"].as_str(), current["ip"].as_str()), (Some("gatehouse CLI"), Some("127.0.0.1")));
    let activity: serde_json::Value =
        serde_json::from_str(&team.cli_ok(0, &["activity", "list", "--all", "--json"], "", admin)).unwrap();
    assert!(activity.as_array().unwrap().iter().any(|a| a["email"] == BOB && a["reason"] == "signed_in"));
    let export = team.dir_file("activity.csv");
    team.cli_ok(0, &["activity", "export", &export.display().to_string(), "--all"], "", admin);
    assert!(std::fs::read_to_string(&export).unwrap().lines().count() > activity.as_array().unwrap().len());

    // Two-factor authentication for Bob, on A: the key printed, a code from oathtool.
    let mut child = team.cli_command(0, &["2fa", "enroll"]).env("GATEHOUSE_TOKEN", &bob_token).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{BOB_PASSWORD}").unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let secret = loop {
        let mut line = String::new();
        assert!(std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0, "enroll ended early");
        if let Some(key) = line.strip_prefix("Or type this key: ") {
            break key.trim().replace(' ', "");
        }
    };
    writeln!(stdin, "{}", common::oathtool(&secret, 0)).unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    let backup_codes: Vec<&str> =
        rest.lines().map(str::trim).filter(|l| l.len() == 11 && l.as_bytes()[5] == b'-').collect();
    assert_eq!(backup_codes.len(), 10, "{rest}");
    let status = team.cli_ok(1, &["2fa", "status"], "", None);
    assert!(status.contains("Two-factor authentication is on"), "{status}");

    // The address book and a withdrawal approved by the admin on the other instance.
    team.cli_ok(0, &["policy", "set", "--withdrawals-need-approval", "true"], &admin_password, admin);
    // The step-up takes a backup code (this time step's authenticator code was just spent).
    let step_up = format!("{}\n", backup_codes[0]);
    let out = team.cli_ok(0, &["address", "add", "Cold wallet", "ethereum", ETH_ADDRESS], &step_up, bob);
    assert!(out.contains("cooling-off"), "{out}");
    let listed: serde_json::Value =
        serde_json::from_str(&team.cli_ok(1, &["address", "list", "--json"], "", None)).unwrap();
    let address_id = listed[0]["id"].to_string();
    team.sql(&format!("UPDATE addresses SET usable_from = 0 WHERE id = {address_id}"));
    let out = team.cli_ok(0, &["withdraw", "create", &address_id, "ETH", "2.5"], "", bob);
    assert!(out.contains("(pending)"), "{out}");
    let withdrawals: serde_json::Value =
        serde_json::from_str(&team.cli_ok(0, &["withdraw", "list", "--json"], "", admin)).unwrap();
    let id = withdrawals[0]["id"].to_string();
    let out = team.cli_ok(0, &["withdraw", "approve", &id], &admin_password, admin);
    assert!(out.contains("is approved"), "{out}");

    // What runs beside the database says so instead of trying.
    for args in [&["init", "--email", "x@example.com"][..], &["geoip", "show"], &["import", "--from-data-dir", "/tmp"]]
    {
        let out = team.cli(0, args, "", admin);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("runs on the server host"), "{args:?}: {out:?}");
    }
    let out = team.cli_ok(1, &["signout"], "", None);
    assert!(out.contains("Signed out."), "{out}");
    let out = team.cli(1, &["whoami"], "", None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not signed in"), "{out:?}");
}

#[test]
fn serve_refuses_plain_http_off_loopback_and_needs_its_data_key_file() {
    let team = Team::prepare();
    let err = team.serve_error(&["--listen", "0.0.0.0:0", "--insecure-loopback-http"], true);
    assert!(err.contains("Plain HTTP is only allowed on a loopback address"), "{err}");
    let err = team.serve_error(&["--listen", "127.0.0.1:0"], true);
    assert!(err.contains("--tls-cert"), "{err}");
    let err = team.serve_error(&["--listen", "127.0.0.1:0", "--insecure-loopback-http"], false);
    assert!(err.contains("--data-key-file"), "{err}");
}
