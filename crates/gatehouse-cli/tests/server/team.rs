//! A team's installation for one test: a database (a fresh PostgreSQL database when
//! `GATEHOUSE_TEST_POSTGRES` names a cluster, else a data folder), its data key file, the
//! first admin made by `gatehouse init`, a test CA with a server certificate for 127.0.0.1,
//! and `gatehouse serve` processes on random loopback ports, stopped when it is dropped.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gatehouse_api::{OperationVisitor, Run};

use crate::common::fresh_postgres_database;
use gatehouse_client::{Remote, Trust};

pub const ADMIN: &str = "ada@example.com";
pub const ADMIN_PASSWORD: &str = "violet-harbor-lantern-42";

/// Collects the operations' names.
pub struct Names<'a>(pub &'a mut Vec<&'static str>);

impl OperationVisitor for Names<'_> {
    fn visit<O: Run>(&mut self) {
        self.0.push(O::NAME);
    }
}

pub struct Team {
    dir: tempfile::TempDir,
    postgres: Option<String>,
    servers: Vec<(Child, String, Remote)>,
    /// The server certificate's DER, for its fingerprint.
    certificate: Vec<u8>,
}

impl Team {
    /// The installation, with `instances` servers running on it.
    pub fn start(instances: usize) -> Team {
        Team::start_with(instances, &[])
    }

    /// The installation, with `instances` servers started with `serve_args` too.
    pub fn start_with(instances: usize, serve_args: &[&str]) -> Team {
        let mut team = Team::prepare();
        team.init();
        for _ in 0..instances {
            team.spawn_server(serve_args);
        }
        team
    }

    /// Database, key file and certificates, without an admin or a server.
    pub fn prepare() -> Team {
        let dir = tempfile::tempdir().unwrap();
        let postgres = std::env::var("GATEHOUSE_TEST_POSTGRES")
            .ok()
            .map(|cluster| fresh_postgres_database(&cluster, "gatehouse_server"));
        let certificate = write_certificates(dir.path());
        let team = Team { dir, postgres, servers: Vec::new(), certificate };
        let out = team.gatehouse(&["keygen", &team.key_file().display().to_string()]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        team
    }

    pub fn server(&self, index: usize) -> &Remote {
        &self.servers[index].2
    }

    pub fn url(&self, index: usize) -> &str {
        &self.servers[index].1
    }

    /// A path in this test's folder.
    pub fn dir_file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn key_file(&self) -> PathBuf {
        self.dir.path().join("data.key")
    }

    /// `AB:CD:…` of the server certificate, as openssl would print it.
    pub fn certificate_fingerprint(&self) -> String {
        gatehouse_client::Fingerprint::of(&self.certificate).to_string()
    }

    /// The CLI on this installation's database, with its data key file.
    fn gatehouse(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        match &self.postgres {
            Some(url) => command.args(["--database", url]),
            None => command.args(["--data-dir", &self.dir.path().join("data").display().to_string()]),
        };
        command
            .args(["--data-key-file", &self.key_file().display().to_string()])
            .args(args)
            .env_remove("GATEHOUSE_TOKEN")
            .env_remove("GATEHOUSE_GEOIP")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn init(&self) {
        let mut child = self.gatehouse(&["init", "--email", ADMIN, "--name", "Ada Admin"]).spawn().unwrap();
        child.stdin.take().unwrap().write_all(format!("{ADMIN_PASSWORD}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn spawn_server(&mut self, serve_args: &[&str]) {
        let dir = self.dir.path();
        let cert = dir.join("server.pem").display().to_string();
        let key = dir.join("server.key").display().to_string();
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--tls-cert", &cert, "--tls-key", &key];
        args.extend_from_slice(serve_args);
        let mut child = self
            .gatehouse(&args)
            .env("GATEHOUSE_LOG", "warn")
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Gatehouse is listening on ") {
                    let _ = sender.send(url.to_owned());
                }
            }
        });
        let Ok(url) = receiver.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("gatehouse serve did not start listening: {:?}", child.wait_with_output());
        };
        let remote = Remote::new(&url, &Trust::CaFile(self.ca_file())).unwrap();
        self.servers.push((child, url, remote));
    }

    /// The CLI against server `index` (`--server URL --ca-file CA`) with `stdin`, and
    /// `GATEHOUSE_TOKEN` when a token is given.
    pub fn cli(&self, index: usize, args: &[&str], stdin: &str, token: Option<&str>) -> std::process::Output {
        let mut command = self.cli_command(index, args);
        if let Some(token) = token {
            command.env("GATEHOUSE_TOKEN", token);
        }
        let mut child = command.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"), "{output:?}");
        output
    }

    /// Like [`Team::cli`], for a command that must succeed: its standard output.
    pub fn cli_ok(&self, index: usize, args: &[&str], stdin: &str, token: Option<&str>) -> String {
        let out = self.cli(index, args, stdin, token);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// The CLI against server `index`, not started.
    pub fn cli_command(&self, index: usize, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
        command
            .args(["--server", self.url(index), "--ca-file", &self.ca_file().display().to_string()])
            .args(args)
            .env_remove("GATEHOUSE_TOKEN")
            .env_remove("GATEHOUSE_DATA_DIR")
            .env_remove("GATEHOUSE_DATABASE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `serve` with `args` (and the data key file unless `with_key` is false), which
    /// must fail; returns its standard error.
    pub fn serve_error(&self, args: &[&str], with_key: bool) -> String {
        let mut command = self.gatehouse(&[]);
        if !with_key {
            command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
            command.args(["--data-dir", &self.dir.path().join("data").display().to_string()]);
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let out = command.arg("serve").args(args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "serve {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Runs SQL on the database directly (to move time for rows the servers then read).
    pub fn sql(&self, statement: &str) {
        let status = match &self.postgres {
            Some(url) => Command::new("psql").args([url.as_str(), "-qtAc", statement]).status(),
            None => {
                let file = self.dir.path().join("data").join("gatehouse.db");
                Command::new("sqlite3").args([file.display().to_string().as_str(), statement]).status()
            }
        };
        assert!(status.unwrap().success(), "{statement}");
    }

    fn curl_command(&self) -> Command {
        let mut command = Command::new("curl");
        command.args(["-s", "--cacert", &self.ca_file().display().to_string()]);
        command
    }

    /// POSTs `body` to an operation with curl; returns the status and the JSON answer.
    pub fn curl(&self, index: usize, operation: &str, body: &str, headers: &[&str]) -> (u16, serde_json::Value) {
        let mut command = self.curl_command();
        command.args(["-o", "-", "-w", "\n%{http_code}", "-X", "POST"]);
        if !headers.iter().any(|h| h.to_lowercase().starts_with("content-type")) {
            command.args(["-H", "Content-Type: application/json"]);
        }
        for header in headers {
            command.args(["-H", header]);
        }
        command.args(["--data-binary", "@-", &format!("{}/api/v1/{operation}", self.url(index))]);
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
        parse_curl(&child.wait_with_output().unwrap().stdout)
    }

    /// GETs a path with curl; returns the status and the body as JSON (or as a string).
    pub fn curl_get(&self, index: usize, path: &str) -> (u16, serde_json::Value) {
        let out = self
            .curl_command()
            .args(["-o", "-", "-w", "\n%{http_code}", &format!("{}{path}", self.url(index))])
            .output()
            .unwrap();
        parse_curl(&out.stdout)
    }

    /// The response headers of a GET.
    pub fn curl_headers(&self, index: usize, path: &str) -> String {
        let url = format!("{}{path}", self.url(index));
        let out = self.curl_command().args(["-D", "-", "-o", "/dev/null", &url]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        for (child, _, _) in &mut self.servers {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Python's web server on a loopback port: something that answers HTTP but isn't Gatehouse.
pub struct OtherWebServer {
    child: Child,
    pub url: String,
}

impl OtherWebServer {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let port = line.split(" port ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap().to_owned();
        OtherWebServer { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for OtherWebServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_curl(stdout: &[u8]) -> (u16, serde_json::Value) {
    let text = String::from_utf8_lossy(stdout);
    let (body, status) = text.rsplit_once('\n').unwrap();
    let json = serde_json::from_str(body).unwrap_or_else(|_| serde_json::Value::String(body.to_owned()));
    (status.trim().parse().unwrap(), json)
}

/// A test CA and a certificate it signed for 127.0.0.1 and localhost: `ca.pem`,
/// `server.pem`, `server.key`. Returns the server certificate's DER.
fn write_certificates(dir: &Path) -> Vec<u8> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "Gatehouse test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let server = server_params.signed_by(&server_key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
    server.der().to_vec()
}
