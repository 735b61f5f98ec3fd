//! Who is calling and from where. Shells build these; the core never looks them up itself.

use std::net::IpAddr;

use crate::clock::Timestamp;
use crate::devices::DeviceInfo;
use crate::error::{Error, Result};
use crate::sessions::SessionToken;

/// A signed-in caller: the session token it holds, the time of the call and its address.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The session token (validated on every call).
    pub token: &'a SessionToken,
    /// The current time.
    pub now: Timestamp,
    /// The address the call comes from, when known.
    pub ip: Option<IpAddr>,
}

/// Where a sign-in comes from: address, device and client app.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The client's address (standalone: this machine's primary address).
    pub ip: Option<IpAddr>,
    /// The device, as the client describes it.
    pub device: DeviceInfo,
    /// The client app.
    pub client: ClientInfo,
}

/// Which kind of client app opened a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// The Gatehouse desktop app (has an idle lock).
    Desktop,
    /// The `gatehouse` command-line tool.
    Cli,
}

impl ClientKind {
    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Desktop => "desktop",
            ClientKind::Cli => "cli",
        }
    }

    pub(crate) fn parse(value: &str) -> Self {
        if value == "cli" { ClientKind::Cli } else { ClientKind::Desktop }
    }
}

/// The client app and its version, e.g. "Gatehouse desktop" "0.1.0".
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// Kind of client.
    pub kind: ClientKind,
    /// App name shown in session lists.
    pub name: String,
    /// App version.
    pub version: String,
}

impl ClientInfo {
    /// "Gatehouse desktop 0.1.0".
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_label("Client name", &self.name, 64)?;
        check_label("Client version", &self.version, 32)
    }
}

/// Checks a short single-line text reported by a client.
pub(crate) fn check_label(field: &'static str, value: &str, max_chars: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty."));
    }
    if value.chars().count() > max_chars {
        return Err(Error::invalid(field, format!("must be at most {max_chars} characters.")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters."));
    }
    Ok(())
}

/// The longest note (address-book entries, withdrawal requests and decisions).
pub const NOTE_MAX_CHARS: usize = 500;

/// Checks a free-text note people type (it may be empty and span lines); returns it trimmed.
pub(crate) fn check_note(field: &'static str, value: &str) -> Result<String> {
    let note = value.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(Error::invalid(field, format!("must be at most {NOTE_MAX_CHARS} characters.")));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(field, "must not contain control characters."));
    }
    Ok(note.to_owned())
}
