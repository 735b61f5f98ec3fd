//! The machine's primary address, recorded for standalone sign-ins.

use std::net::IpAddr;

/// The address of the interface that carries the default route, if any; never loopback.
pub fn primary_ip() -> Option<IpAddr> {
    local_ip_address::local_ip().ok().filter(|ip| !ip.is_loopback())
}
