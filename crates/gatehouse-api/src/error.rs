//! The error every client receives: a stable code to branch on and a message to show.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An error as clients see it. `code` is stable (see gatehouse-core's `Error::code`);
/// `message` is for people and never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApiError {
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// What to tell the user.
    pub message: String,
    /// The input field at fault, for `invalid_input`.
    pub field: Option<String>,
    /// Seconds before retrying, for throttling errors.
    pub retry_after_seconds: Option<u64>,
    /// For `auth.step_up_required`: what confirms it's the user, `code` or `password`.
    pub step_up_with: Option<String>,
}

impl ApiError {
    /// An error with a code and message of the caller's own (e.g. from the keychain adapter).
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: code.to_owned(),
            message: message.into(),
            field: None,
            retry_after_seconds: None,
            step_up_with: None,
        }
    }
}

impl ApiError {
    /// The session is gone (signed out, expired, or ended after wrong answers): the client
    /// forgets its token and shows the sign-in screen.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.code.as_str(), "session.signed_out" | "session.expired" | "session.ended_after_wrong_answers")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<gatehouse_core::Error> for ApiError {
    fn from(err: gatehouse_core::Error) -> Self {
        let field = match &err {
            gatehouse_core::Error::InvalidInput { field, .. } => Some((*field).to_owned()),
            _ => None,
        };
        let step_up_with = match &err {
            gatehouse_core::Error::StepUpRequired { with_code: true } => Some("code".to_owned()),
            gatehouse_core::Error::StepUpRequired { with_code: false } => Some("password".to_owned()),
            _ => None,
        };
        ApiError {
            code: err.code().to_owned(),
            message: err.to_string(),
            field,
            retry_after_seconds: err.retry_after_seconds(),
            step_up_with,
        }
    }
}
