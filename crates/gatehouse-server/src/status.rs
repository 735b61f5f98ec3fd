//! How a coded error travels over HTTP: a status per code, the `ApiError` as the JSON body,
//! `Retry-After` for throttling and `WWW-Authenticate` when a session is needed.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_api::ApiError;

/// The status for an error code. Clients branch on the code; the status is for proxies,
/// logs and generic HTTP tools.
pub(crate) fn status_of(code: &str) -> StatusCode {
    match code {
        "invalid_input" | "password.weak" => StatusCode::BAD_REQUEST,
        "unknown_operation" | "not_found" => StatusCode::NOT_FOUND,
        "auth.invalid_credentials" | "auth.invalid_code" | "auth.challenge_expired" | "auth.wrong_password" => {
            StatusCode::UNAUTHORIZED
        }
        "session.signed_out" | "session.expired" | "session.ended_after_wrong_answers" => StatusCode::UNAUTHORIZED,
        "auth.throttled" | "auth.locked_out" => StatusCode::TOO_MANY_REQUESTS,
        "forbidden"
        | "session.locked"
        | "auth.account_locked"
        | "auth.account_disabled"
        | "auth.step_up_required"
        | "password.change_required"
        | "2fa.enrollment_required"
        | "2fa.required_by_policy"
        | "policy.second_admin_required"
        | "approver.new"
        | "withdrawal.self_approval" => StatusCode::FORBIDDEN,
        "setup.done"
        | "setup.required"
        | "user.email_taken"
        | "user.would_lock_out"
        | "device.current"
        | "2fa.already_on"
        | "2fa.off"
        | "address.duplicate"
        | "address.label_taken"
        | "address.lookalike"
        | "address.cooling_off"
        | "address.changed"
        | "withdrawal.cancelled"
        | "withdrawal.decided" => StatusCode::CONFLICT,
        "request.too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "request.unsupported_media_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request.timeout" => StatusCode::REQUEST_TIMEOUT,
        "2fa.key_unavailable" | "2fa.key_missing" | "geoip.unavailable" | "storage" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An `ApiError` as a response.
pub(crate) struct ErrorResponse(pub ApiError);

impl From<ApiError> for ErrorResponse {
    fn from(error: ApiError) -> Self {
        ErrorResponse(error)
    }
}

impl IntoResponse for ErrorResponse {
    fn into_response(self) -> Response {
        let status = status_of(&self.0.code);
        let retry_after = self.0.retry_after_seconds;
        let mut response = (status, Json(self.0)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
