//! One module per command group; each function validates, runs one operation (on this
//! computer's database or the team server) and prints the result.

pub mod account;
pub mod activity;
pub mod address;
pub mod admin;
pub mod checkup;
pub mod devices;
pub mod notices;
pub mod serve;
pub mod sessions;
pub mod two_factor;
pub mod users;
pub mod withdraw;

use gatehouse_api::ApiError;
use gatehouse_api::operations::FindUser;
use gatehouse_core::SessionToken;

use crate::app::{App, cli_error};

/// Resolves `--user EMAIL` to an id (admins may name anyone, others only themselves).
pub async fn user_id(app: &App, token: &SessionToken, email: Option<&str>) -> Result<Option<i64>, ApiError> {
    match email {
        None => Ok(None),
        Some(email) => Ok(Some(app.call(token, FindUser { email: email.to_owned() }).await?.id)),
    }
}

/// Writes an export to `file`, created only now that the export was allowed.
pub fn write_export(file: &std::path::Path, export: &gatehouse_api::CsvExport) -> Result<(), ApiError> {
    use std::io::Write;
    crate::output::create_file(file)
        .and_then(|mut out| out.write_all(export.csv.as_bytes()).and_then(|()| out.flush()))
        .map_err(|err| cli_error("export.failed", format!("Could not write {}: {err}", file.display())))
}

/// Parses a numeric id argument.
pub fn parse_id<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| cli_error("invalid_input", format!("{what} id: {text:?} is not a number; see the list command.")))
}
