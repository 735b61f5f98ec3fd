//! One interface to Gatehouse's operations with two implementations: the local core on
//! this computer's database (standalone) and a team server over HTTPS. The desktop shell
//! and the CLI call operations through [`Connection`] and don't know which it is.

mod events;
mod remote;
mod trust;

use std::net::IpAddr;

use gatehouse_api::local::Context;
use gatehouse_api::{ApiError, Run};
use gatehouse_core::{Clock, Gatehouse, SessionToken, SystemClock};

pub use events::{ClientEvent, EventStream};
pub use remote::{Remote, certificate_fingerprint, check_server};
pub use trust::{Fingerprint, Trust};

/// Where operations run.
pub enum Connection {
    /// The core, on this computer's database.
    Local(Local),
    /// A team server.
    Remote(Remote),
}

/// The core on this computer, with this computer's address and clock.
pub struct Local {
    /// The opened core.
    pub gate: Gatehouse,
    /// This computer's address (recorded with sign-ins).
    pub ip: Option<IpAddr>,
}

impl Local {
    fn context<'a>(&'a self, token: Option<&'a SessionToken>) -> Context<'a> {
        Context { gate: &self.gate, token, ip: self.ip, now: SystemClock.now() }
    }
}

impl Connection {
    /// Runs one operation for the holder of `token` (none: signed out).
    pub async fn call<O: Run>(&self, args: O, token: Option<&SessionToken>) -> Result<O::Output, ApiError> {
        match self {
            Connection::Local(local) => args.run(&local.context(token)).await,
            Connection::Remote(remote) => remote.call(&args, token).await,
        }
    }

    /// Runs the operation called `name` with JSON arguments.
    pub async fn call_json(
        &self,
        name: &str,
        args: serde_json::Value,
        token: Option<&SessionToken>,
    ) -> Result<serde_json::Value, ApiError> {
        match self {
            Connection::Local(local) => gatehouse_api::run_json(name, args, &local.context(token)).await,
            Connection::Remote(remote) => remote.call_json(name, &args, token).await,
        }
    }

    /// The events of the session holding `token`, resuming after `cursor` (None: from now).
    /// Must be called within a tokio runtime.
    pub fn events(&self, token: SessionToken, cursor: Option<i64>) -> EventStream {
        match self {
            Connection::Local(local) => EventStream::local(local.gate.clone(), local.ip, token, cursor),
            Connection::Remote(remote) => EventStream::remote(remote.clone(), token, cursor),
        }
    }

    /// The local core, for what only runs beside the database (first run, import,
    /// settings of this computer); None in team mode.
    pub fn local(&self) -> Option<&Local> {
        match self {
            Connection::Local(local) => Some(local),
            Connection::Remote(_) => None,
        }
    }

    /// The local core, to change what it holds in memory (the GeoIP database); None in
    /// team mode.
    pub fn local_mut(&mut self) -> Option<&mut Local> {
        match self {
            Connection::Local(local) => Some(local),
            Connection::Remote(_) => None,
        }
    }
}
