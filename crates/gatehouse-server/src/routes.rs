//! The request path: one `POST /api/v1/<operation>` route per operation in the table, plus
//! the health checks and the OpenAPI document. Each call is read here — the bearer token,
//! the client's address, the server's clock — and run by the operation's `local` impl.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_api::local::Context;
use gatehouse_api::operations::parse_body;
use gatehouse_api::{ApiError, OperationVisitor, Run};
use gatehouse_core::{Clock, Gatehouse, SessionToken, SystemClock};

use crate::client_ip::TrustedProxies;
use crate::status::ErrorResponse;

/// What every request handler shares.
pub(crate) struct Shared {
    pub gate: Gatehouse,
    /// This instance's fan-out of notices and changes to event streams.
    pub hub: Arc<crate::events::Hub>,
    pub clock: SystemClock,
    pub proxies: TrustedProxies,
    /// The OpenAPI document, built once.
    pub openapi: Bytes,
}

/// Every route.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut mount = Mount(Router::new());
    gatehouse_api::visit_operations(&mut mount);
    mount
        .0
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .with_state(shared)
}

struct Mount(Router<Arc<Shared>>);

impl OperationVisitor for Mount {
    fn visit<O: Run>(&mut self) {
        let router = std::mem::take(&mut self.0);
        self.0 = router.route(&format!("/api/v1/{}", O::NAME), post(run::<O>));
    }
}

/// Runs one operation: who (the session of the bearer token), from where (the peer, or
/// the client a trusted proxy names), when (this server's clock) — never from the body.
async fn run<O: Run>(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ErrorResponse> {
    let body = body.map_err(body_error)?;
    let args: O = parse_body(json_body(&headers, &body)?)?;
    let token = bearer_token(&headers)?;
    let cx = Context {
        gate: &shared.gate,
        token: token.as_ref(),
        ip: Some(shared.proxies.client_ip(peer.ip(), &headers)),
        now: shared.clock.now(),
    };
    let output = args.run(&cx).await?;
    Ok(axum::Json(output).into_response())
}

/// A body that could not be read: too large (over [`crate::MAX_BODY_BYTES`]) or cut off.
fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let limit = crate::MAX_BODY_BYTES / 1024;
        return ApiError::new("request.too_large", format!("The request is larger than {limit} KiB."));
    }
    ApiError::new("invalid_input", "The request body could not be read.")
}

/// The body as JSON: empty means no arguments; anything but `application/json` is refused.
fn json_body<'a>(headers: &HeaderMap, body: &'a [u8]) -> Result<&'a [u8], ApiError> {
    if body.is_empty() {
        return Ok(b"{}");
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new("request.unsupported_media_type", "Send the request as application/json."));
    }
    Ok(body)
}

/// The session token from `Authorization: Bearer …`. None without the header; a header
/// that isn't a well-formed token is "signed out" like an unknown one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Result<Option<SessionToken>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let signed_out = || ApiError::from(gatehouse_core::Error::SignedOut);
    let text = value.to_str().map_err(|_| signed_out())?;
    let token = text.strip_prefix("Bearer ").or_else(|| text.strip_prefix("bearer ")).ok_or_else(signed_out)?;
    SessionToken::parse(token.trim()).map(Some).map_err(|_| signed_out())
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers and its migrations are applied: ready for traffic.
async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    match shared.gate.check_ready().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(err) => {
            tracing::warn!(code = err.code(), "not ready: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}

async fn openapi(State(shared): State<Arc<Shared>>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], shared.openapi.clone()).into_response()
}

/// Reads the body before answering: an HTTP/2 stream answered before its body arrived is
/// reset, and the client sees a framing error instead of this answer.
async fn not_found(_body: Result<Bytes, BytesRejection>) -> ErrorResponse {
    ErrorResponse(ApiError::new("not_found", "Gatehouse has nothing at this address."))
}
