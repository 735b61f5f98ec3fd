//! `gatehouse serve`: the HTTPS API over the shared core. One route per operation of
//! gatehouse-api's table (`routes`), coded errors with an HTTP status each (`status`), the
//! client's real address (`client_ip`), an OpenAPI document written from the Rust types
//! (`openapi`), TLS by rustls (`tls`). Every piece of state — sessions, throttling,
//! step-up windows — lives in the database, so any number of instances on one database
//! behave as one server.

mod client_ip;
mod events;
mod openapi;
mod routes;
mod status;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use gatehouse_api::ApiError;
use gatehouse_core::{Gatehouse, SystemClock};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use client_ip::TrustedProxies;

/// The largest request body accepted (every operation's arguments fit many times over).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long one request may take, reading its body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection may take to finish TLS, and then to send a request's headers.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the server is reached.
#[derive(Debug, Clone)]
pub enum Transport {
    /// HTTPS with this certificate chain and key (PEM files).
    Tls {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// Its private key.
        key: PathBuf,
    },
    /// Plain HTTP, only on a loopback address: behind a reverse proxy on the same host, and
    /// in tests.
    InsecureLoopbackHttp,
}

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// HTTPS or loopback HTTP.
    pub transport: Transport,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
}

impl ServeOptions {
    /// Refuses plain HTTP anywhere but on a loopback address.
    pub fn check(&self) -> Result<(), ApiError> {
        if matches!(self.transport, Transport::InsecureLoopbackHttp) && !self.listen.ip().is_loopback() {
            return Err(ApiError::new(
                "serve.plain_http_refused",
                format!(
                    "Plain HTTP is only allowed on a loopback address, not {}: give --tls-cert and --tls-key.",
                    self.listen
                ),
            ));
        }
        Ok(())
    }

    /// The URL clients use, for `address` (the bound address).
    pub fn url(&self, address: SocketAddr) -> String {
        match self.transport {
            Transport::Tls { .. } => format!("https://{address}"),
            Transport::InsecureLoopbackHttp => format!("http://{address}"),
        }
    }
}

/// Serves `gate` until `shutdown` completes, then lets open requests finish (up to ten
/// seconds). `on_listening` is told the bound address once connections are accepted.
pub async fn serve(
    gate: Gatehouse,
    options: ServeOptions,
    on_listening: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ApiError> {
    options.check()?;
    let listener = std::net::TcpListener::bind(options.listen)
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .map_err(|err| ApiError::new("serve.listen", format!("Could not listen on {}: {err}", options.listen)))?;
    let address = listener.local_addr().map_err(|err| ApiError::new("serve.listen", err.to_string()))?;
    let hub = events::Hub::start(gate.clone());
    let app = app(gate, Arc::clone(&hub), options.trusted_proxies.clone(), &options.transport)?
        .into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        // Event streams never finish on their own: end them, and clients reconnect to
        // another instance (or to this one when it is back).
        hub.close();
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let io_error = |err: std::io::Error| ApiError::new("serve.io", format!("The server stopped: {err}"));
    let listening = handle.clone();
    let announce = async move {
        if listening.listening().await.is_some() {
            on_listening(address);
        }
    };
    match &options.transport {
        Transport::Tls { cert, key } => {
            let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls::server_config(cert, key)?));
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config).handshake_timeout(HANDSHAKE_TIMEOUT);
            let mut server = axum_server::from_tcp(listener).map_err(io_error)?.acceptor(acceptor).handle(handle);
            limit_slow_headers(server.http_builder());
            let (served, ()) = tokio::join!(server.serve(app), announce);
            served.map_err(io_error)
        }
        Transport::InsecureLoopbackHttp => {
            let mut server = axum_server::from_tcp(listener).map_err(io_error)?.handle(handle);
            limit_slow_headers(server.http_builder());
            let (served, ()) = tokio::join!(server.serve(app), announce);
            served.map_err(io_error)
        }
    }
}

/// Drops a connection that dawdles over its request headers (a slowloris): the request
/// timeout only starts once they are in.
fn limit_slow_headers(builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>) {
    builder.http1().timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HANDSHAKE_TIMEOUT);
}

/// The routes with the layers every request passes: a request id (made here, echoed in
/// `x-request-id`), a log line per request with it, the body cap, the timeout (not for
/// event streams, which stay open), and security headers on every response.
fn app(
    gate: Gatehouse,
    hub: Arc<events::Hub>,
    proxies: TrustedProxies,
    transport: &Transport,
) -> Result<Router, ApiError> {
    let openapi = serde_json::to_vec(&openapi::document())
        .map_err(|err| ApiError::new("internal", format!("Could not write the OpenAPI document: {err}")))?;
    let shared = Arc::new(routes::Shared { gate, hub, clock: SystemClock, proxies, openapi: Bytes::from(openapi) });
    let request_id = HeaderName::from_static("x-request-id");
    let event_stream =
        Router::new().route("/api/v1/events", axum::routing::get(events::stream)).with_state(Arc::clone(&shared));
    let mut router = routes::router(shared)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .merge(event_stream)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ));
    if matches!(transport, Transport::Tls { .. }) {
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    Ok(router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid)))
}
