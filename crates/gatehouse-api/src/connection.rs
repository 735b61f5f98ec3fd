//! How the desktop app reaches Gatehouse: this computer's own database, or a team server
//! (with how its certificate is trusted). Saved by the app; shown by its sign-in screen.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the desktop app's operations run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "mode", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum ConnectionView {
    /// Not chosen yet: the first run asks.
    Unchosen,
    /// Gatehouse on this computer only (its own database).
    ThisComputer,
    /// The team's server.
    TeamServer {
        /// Its address, e.g. `https://gatehouse.example.com:8443`.
        url: String,
        /// How its certificate is checked.
        trust: TrustView,
    },
}

/// How a server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum TrustView {
    /// Against the system's trusted roots.
    SystemRoots,
    /// Against a CA certificate the user chose (PEM file).
    CaFile {
        /// The file.
        path: String,
    },
    /// Exactly the certificate whose SHA-256 fingerprint the user confirmed (self-signed).
    Pinned {
        /// `AB:CD:…`.
        fingerprint: String,
    },
}

/// What checking a server's address found, before connecting.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServerCheckView {
    /// The address as it will be used.
    pub url: String,
    /// The server's certificate is trusted by the system's roots: connect at once.
    pub trusted: bool,
    /// When it isn't: the certificate's SHA-256 fingerprint, to compare with what the
    /// server's operator gave and confirm (it is then pinned).
    pub fingerprint: Option<String>,
    /// The server's Gatehouse version (known once trusted).
    pub version: Option<String>,
}
