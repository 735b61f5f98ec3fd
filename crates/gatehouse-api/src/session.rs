//! What signing in and holding a session exchange: secrets in requests, who the client
//! says it is, the tokens it gets back, and what it can learn about a server.

use gatehouse_core as core;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroize;

use crate::{ApiError, DeviceKindView, Me, UserView};

/// A password, code or token sent in a request: a plain string on the wire (a newtype
/// struct serialises as its content), never shown by `Debug`, wiped from memory when
/// dropped.
#[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
#[ts(export)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// The kind of client app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ClientKindView {
    /// The desktop app (has an idle lock).
    Desktop,
    /// The command-line tool.
    Cli,
}

/// The app a sign-in comes from, as it names itself (shown in session lists).
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClientRequest {
    /// Desktop app or CLI.
    pub kind: ClientKindView,
    /// e.g. "Gatehouse desktop".
    pub name: String,
    /// e.g. "0.1.0".
    pub version: String,
}

impl ClientRequest {
    /// The core's form of it.
    pub fn to_core(&self) -> core::ClientInfo {
        let kind = match self.kind {
            ClientKindView::Desktop => core::ClientKind::Desktop,
            ClientKindView::Cli => core::ClientKind::Cli,
        };
        core::ClientInfo { kind, name: self.name.clone(), version: self.version.clone() }
    }

    /// How `client` names itself on the wire.
    pub fn of(client: &core::ClientInfo) -> Self {
        let kind = match client.kind {
            core::ClientKind::Desktop => ClientKindView::Desktop,
            core::ClientKind::Cli => ClientKindView::Cli,
        };
        ClientRequest { kind, name: client.name.clone(), version: client.version.clone() }
    }
}

/// The device a sign-in comes from, as the client identifies it: its installation id
/// (random, kept in the client's keychain), name, form factor and operating system.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceRequest {
    /// Stable random id of the installation.
    pub installation_id: String,
    /// The device's name, e.g. the host name.
    pub name: String,
    /// Form factor.
    pub kind: DeviceKindView,
    /// e.g. "Debian".
    pub os: String,
    /// e.g. "12".
    pub os_version: String,
}

impl DeviceRequest {
    /// The core's form of it (the core validates it).
    pub fn to_core(&self) -> core::DeviceInfo {
        core::DeviceInfo {
            installation_id: self.installation_id.clone(),
            name: self.name.clone(),
            kind: self.kind.into(),
            os: self.os.clone(),
            os_version: self.os_version.clone(),
        }
    }

    /// How `device` is described on the wire.
    pub fn of(device: &core::DeviceInfo) -> Self {
        DeviceRequest {
            installation_id: device.installation_id.clone(),
            name: device.name.clone(),
            kind: device.kind.into(),
            os: device.os.clone(),
            os_version: device.os_version.clone(),
        }
    }
}

/// How a sign-in step ended.
#[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "outcome", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum SignInResult {
    /// Signed in: the session token (keep it in the OS keychain).
    SignedIn {
        /// The bearer token of the new session.
        session_token: Secret,
    },
    /// Two-factor authentication is on: send a code with this challenge.
    SecondFactorRequired {
        /// The challenge to send back with the code.
        challenge: Secret,
        /// When it stops working (ms).
        expires_at: i64,
    },
}

impl std::fmt::Debug for SignInResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignInResult::SignedIn { .. } => f.write_str("SignedIn(…)"),
            SignInResult::SecondFactorRequired { .. } => f.write_str("SecondFactorRequired(…)"),
        }
    }
}

impl From<core::SignInOutcome> for SignInResult {
    fn from(outcome: core::SignInOutcome) -> Self {
        match outcome {
            core::SignInOutcome::SignedIn(signed_in) => signed_in.into(),
            core::SignInOutcome::SecondFactorRequired(challenge) => SignInResult::SecondFactorRequired {
                challenge: Secret::new(challenge.token.expose()),
                expires_at: challenge.expires_at.as_millis(),
            },
        }
    }
}

impl From<core::SignedIn> for SignInResult {
    fn from(signed_in: core::SignedIn) -> Self {
        SignInResult::SignedIn { session_token: Secret::new(signed_in.token.expose()) }
    }
}

/// What a session is, for the client deciding which screen to show.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "state", rename_all = "camelCase")]
#[ts(export)]
pub enum SessionStateView {
    /// Usable — once the user has done what they must first, if anything.
    Active {
        /// Who.
        me: Me,
        /// `change_password` or `enroll_two_factor` when one is due first.
        obligation: Option<String>,
    },
    /// Locked: the password unlocks it.
    Locked {
        /// Whose session it is.
        user: UserView,
    },
}

impl From<&core::SessionState> for SessionStateView {
    fn from(state: &core::SessionState) -> Self {
        match state {
            core::SessionState::Active(actor) => SessionStateView::Active {
                me: Me::from(actor),
                obligation: actor.obligation().map(|obligation| obligation.as_str().to_owned()),
            },
            core::SessionState::Locked(user) => SessionStateView::Locked { user: UserView::from(user) },
        }
    }
}

/// The product a server runs, so a client can tell it reached a Gatehouse.
pub const PRODUCT: &str = "gatehouse";

/// What a Gatehouse says about itself before anyone signs in.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServerInfoView {
    /// Always "gatehouse".
    pub product: String,
    /// Its version.
    pub version: String,
    /// An administrator exists (else `gatehouse init` must run first).
    pub set_up: bool,
}

impl ServerInfoView {
    /// This build's answer.
    pub fn new(set_up: bool) -> Self {
        ServerInfoView { product: PRODUCT.to_owned(), version: env!("CARGO_PKG_VERSION").to_owned(), set_up }
    }

    /// Refuses an answer that isn't a Gatehouse's.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.product != PRODUCT {
            return Err(ApiError::new("client.not_gatehouse", "This server is not a Gatehouse server."));
        }
        Ok(())
    }
}

/// An export as CSV text.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CsvExport {
    /// The CSV, with its header line.
    pub csv: String,
    /// Rows, not counting the header.
    pub rows: u64,
}
