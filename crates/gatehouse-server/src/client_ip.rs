//! Who a request comes from: the TCP peer, or — only when the peer is a trusted reverse
//! proxy — the address it says it forwarded for (`X-Forwarded-For`).

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses CIDR ranges (`10.0.0.0/8`) or single addresses.
    pub fn parse<S: AsRef<str>>(ranges: &[S]) -> Result<Self, String> {
        let parsed = ranges
            .iter()
            .map(|range| {
                let range = range.as_ref().trim();
                range
                    .parse::<IpNet>()
                    .or_else(|_| range.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("--trusted-proxy: \"{range}\" is not an address or a range like 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(parsed))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(&ip))
    }

    /// The client's address. From a trusted peer, `X-Forwarded-For` is read from the right
    /// (each proxy appends the address it got the request from), skipping trusted proxies;
    /// the first untrusted address is the client. Anything unreadable means the peer.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            let Ok(ip) = hop.parse::<IpAddr>() else {
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let spoofed = headers("203.0.113.9");
        assert_eq!(
            proxies.client_ip("198.51.100.7".parse().unwrap(), &spoofed),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxies.client_ip("10.1.2.3".parse().unwrap(), &spoofed), "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.1"]).unwrap();
        // The client put a fake address first; the real chain is appended after it.
        let chain = headers("1.1.1.1, 203.0.113.9, 192.0.2.1");
        assert_eq!(proxies.client_ip("10.0.0.5".parse().unwrap(), &chain), "203.0.113.9".parse::<IpAddr>().unwrap());
        let garbage = headers("not-an-ip");
        assert_eq!(proxies.client_ip("10.0.0.5".parse().unwrap(), &garbage), "10.0.0.5".parse::<IpAddr>().unwrap());
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
    }
}
