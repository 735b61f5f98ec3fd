//! A team server over HTTPS: each operation is `POST <server>/api/v1/<name>` with its
//! arguments as JSON and the session token as a bearer token. Failures come back as the
//! server's coded errors, or as `client.*` errors that say what went wrong on the way.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_api::{ApiError, Operation, ServerCheckView, ServerInfoView};
use gatehouse_core::SessionToken;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::trust::{self, Fingerprint, PIN_MISMATCH, PinnedCertificate, Trust};

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one call may take (the server gives up after 30 s itself).
const CALL_TIMEOUT: Duration = Duration::from_secs(35);

/// A Gatehouse server and how its certificate is checked.
#[derive(Debug, Clone)]
pub struct Remote {
    base: Url,
    http: reqwest::Client,
    /// For event streams, which stay open: no overall timeout.
    streams: reqwest::Client,
}

impl Remote {
    /// A client for the server at `url` (https://…; http:// only to a loopback address).
    pub fn new(url: &str, trust: &Trust) -> Result<Self, ApiError> {
        let base = server_url(url)?;
        let tls = trust::client_config(trust)?;
        let streams = http_client(tls.clone(), None)?;
        Ok(Remote { base, http: http_client(tls, Some(CALL_TIMEOUT))?, streams })
    }

    /// The server's URL, as given.
    pub fn url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// Runs one operation on the server.
    pub async fn call<O: Operation>(&self, args: &O, token: Option<&SessionToken>) -> Result<O::Output, ApiError> {
        self.post(O::NAME, serde_json::to_vec(args).map_err(encode_error)?, token).await
    }

    /// Runs the operation called `name` with JSON arguments (the desktop shell's
    /// pass-through, which gets the name at run time).
    pub async fn call_json(
        &self,
        name: &str,
        args: &serde_json::Value,
        token: Option<&SessionToken>,
    ) -> Result<serde_json::Value, ApiError> {
        self.post(name, serde_json::to_vec(args).map_err(encode_error)?, token).await
    }

    /// Checks that the server is a Gatehouse and answers; returns what it says about itself.
    pub async fn server_info(&self) -> Result<ServerInfoView, ApiError> {
        let info = self.call(&gatehouse_api::operations::ServerInfo {}, None).await?;
        info.check()?;
        Ok(info)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        name: &str,
        body: Vec<u8>,
        token: Option<&SessionToken>,
    ) -> Result<T, ApiError> {
        let url = self
            .base
            .join(&format!("api/v1/{name}"))
            .map_err(|_| gatehouse_api::operations::unknown_operation(name))?;
        let mut request = self.http.post(url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        let response = request.send().await.map_err(|err| self.transport_error(&err))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|err| self.transport_error(&err))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| self.not_gatehouse());
        }
        Err(serde_json::from_slice::<ApiError>(&body).unwrap_or_else(|_| self.unexpected_status(status)))
    }

    /// Opens the session's event stream (`GET /api/v1/events`), resuming after `cursor`.
    pub(crate) async fn open_events(
        &self,
        token: &SessionToken,
        cursor: Option<i64>,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.base.join("api/v1/events").map_err(|_| self.not_gatehouse())?;
        let mut request =
            self.streams.get(url).header(reqwest::header::ACCEPT, "text/event-stream").bearer_auth(token.expose());
        if let Some(cursor) = cursor {
            request = request.header("last-event-id", cursor.to_string());
        }
        let response = request.send().await.map_err(|err| self.transport_error(&err))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.bytes().await.map_err(|err| self.transport_error(&err))?;
        Err(serde_json::from_slice::<ApiError>(&body).unwrap_or_else(|_| self.unexpected_status(status)))
    }

    /// A failure before an answer came: unreachable, timed out, or a certificate refused.
    fn transport_error(&self, err: &reqwest::Error) -> ApiError {
        let server = self.url();
        if let Some(tls) = rustls_error(err) {
            let message = match tls {
                rustls::Error::General(text) if text == PIN_MISMATCH => format!(
                    "The certificate of {server} has changed since you confirmed it. If the server's \
                     operator did not tell you about a new certificate, someone may be intercepting \
                     the connection: don't sign in, and check with them."
                ),
                other => format!("The certificate of {server} is not trusted: {other}."),
            };
            return ApiError::new("client.certificate", message);
        }
        if err.is_timeout() {
            return ApiError::new("client.timeout", format!("{server} did not answer in time. Try again."));
        }
        let reason = root_cause(err);
        ApiError::new(
            "client.unreachable",
            format!("Could not reach the Gatehouse server at {server} ({reason}). Check the address and your network."),
        )
    }

    fn not_gatehouse(&self) -> ApiError {
        ApiError::new(
            "client.not_gatehouse",
            format!("{} answered, but not like a Gatehouse server. Check the address.", self.url()),
        )
    }

    fn unexpected_status(&self, status: StatusCode) -> ApiError {
        ApiError::new(
            "client.not_gatehouse",
            format!("{} answered {status}, not like a Gatehouse server. Check the address.", self.url()),
        )
    }
}

/// Looks at a server before connecting: whether it answers as a Gatehouse over a
/// certificate the system's roots trust — or, when they don't, the fingerprint of the
/// certificate it offered, for the user to compare. Nothing is sent over an untrusted
/// connection.
pub async fn check_server(url: &str) -> Result<ServerCheckView, ApiError> {
    let server = Remote::new(url, &Trust::SystemRoots)?;
    let url = server.url().to_owned();
    match server.server_info().await {
        Ok(info) => Ok(ServerCheckView { url, trusted: true, fingerprint: None, version: Some(info.version) }),
        Err(err) if err.code == "client.certificate" => {
            let fingerprint = certificate_fingerprint(&url).await?.to_string();
            Ok(ServerCheckView { url, trusted: false, fingerprint: Some(fingerprint), version: None })
        }
        Err(err) => Err(err),
    }
}

/// Reads the fingerprint of the certificate the server at `url` offers, without trusting
/// it or sending a request: for the user to compare and confirm before it is pinned.
pub async fn certificate_fingerprint(url: &str) -> Result<Fingerprint, ApiError> {
    let base = server_url(url)?;
    if base.scheme() != "https" {
        return Err(ApiError::new("client.not_https", format!("{url} is not an https:// address.")));
    }
    let verifier = Arc::new(PinnedCertificate::new(None));
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|err| ApiError::new("client.tls", format!("TLS set-up failed: {err}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let http = http_client(config, Some(CALL_TIMEOUT))?;
    let probe = Remote { base, streams: http.clone(), http };
    // The handshake stops at the certificate; the request is never sent.
    let attempt = probe.http.get(probe.base.clone()).send().await;
    match (verifier.seen(), attempt) {
        (Some(fingerprint), _) => Ok(fingerprint),
        (None, Err(err)) => Err(probe.transport_error(&err)),
        (None, Ok(_)) => Err(probe.not_gatehouse()),
    }
}

/// Parses and checks a server address: https, or http to a loopback address (a reverse
/// proxy on the same host, tests). A path is kept as the API's prefix.
fn server_url(url: &str) -> Result<Url, ApiError> {
    let invalid = |why: &str| {
        let mut error = ApiError::new("invalid_input", format!("Server address: {why}"));
        error.field = Some("server".to_owned());
        error
    };
    let trimmed = url.trim();
    let mut parsed =
        Url::parse(trimmed).map_err(|_| invalid("expected an address like https://gatehouse.example.com."))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(invalid("use https:// (plain http:// is only for this computer's own addresses).")),
        _ => return Err(invalid("expected an address starting with https://.")),
    }
    if parsed.host().is_none() || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("expected an address like https://gatehouse.example.com."));
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    if !parsed.path().ends_with('/') {
        let path = format!("{}/", parsed.path());
        parsed.set_path(&path);
    }
    Ok(parsed)
}

fn http_client(tls: rustls::ClientConfig, timeout: Option<Duration>) -> Result<reqwest::Client, ApiError> {
    let builder = reqwest::Client::builder();
    let builder = match timeout {
        Some(timeout) => builder.timeout(timeout),
        None => builder,
    };
    builder
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| ApiError::new("client.tls", format!("Could not set up the HTTPS client: {err}")))
}

fn encode_error(err: serde_json::Error) -> ApiError {
    ApiError::new("internal", format!("Could not encode the request: {err}"))
}

/// The rustls error under a reqwest error, if a certificate was refused.
fn rustls_error(err: &reqwest::Error) -> Option<&rustls::Error> {
    let mut source = err.source();
    while let Some(mut cause) = source {
        // I/O errors wrap their cause (sometimes twice) without listing it as a source.
        while let Some(inner) = cause.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            cause = inner;
        }
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        source = cause.source();
    }
    None
}

/// The innermost cause, e.g. "Connection refused (os error 111)".
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
