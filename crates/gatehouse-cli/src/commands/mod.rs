//! One module per command group; each function validates, calls one core operation and
//! prints the result.

pub mod account;
pub mod activity;
pub mod address;
pub mod admin;
pub mod devices;
pub mod serve;
pub mod sessions;
pub mod two_factor;
pub mod users;
pub mod withdraw;

use gatehouse_api::ApiError;
use gatehouse_core::{SessionToken, UserId};

use crate::app::{App, cli_error};

/// Resolves `--user EMAIL` to an id (admins may name anyone, others only themselves).
pub async fn user_id(app: &App, token: &SessionToken, email: Option<&str>) -> Result<Option<UserId>, ApiError> {
    match email {
        None => Ok(None),
        Some(email) => Ok(Some(app.gate.find_user(app.caller(token), email).await?.id)),
    }
}

/// Parses a numeric id argument.
pub fn parse_id<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| cli_error("invalid_input", format!("{what} id: {text:?} is not a number; see the list command.")))
}
