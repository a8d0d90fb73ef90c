//! The client's address, for sign-in throttling: the direct peer's, unless the peer is one of
//! the `trusted_proxies`. Then `X-Forwarded-For` is walked from the right (the hop nearest to
//! us) to the left, skipping trusted hops, and the first untrusted address is the client. With
//! no trusted proxies (the default) the header is ignored: anyone can send it.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// One address or a CIDR block (`10.0.0.0/8`, `fd00::/8`, `203.0.113.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not an IP address or CIDR block (like 10.0.0.0/8)");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and CIDR blocks; says which one is wrong.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, String> {
        items
            .iter()
            .map(|s| IpNet::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client of a request whose direct peer is `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Garbage in the header: the nearest hop we could trust is the best we know.
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static(v));
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_match() {
        let t = TrustedProxies::parse(&["10.0.0.0/8", "127.0.0.1", "fd00::/8"]).unwrap();
        assert!(t.contains(ip("10.1.2.3")) && t.contains(ip("127.0.0.1")));
        assert!(t.contains(ip("::ffff:127.0.0.1")), "v4-mapped");
        assert!(t.contains(ip("fd12::1")) && !t.contains(ip("fe80::1")));
        assert!(!t.contains(ip("11.0.0.1")) && !t.contains(ip("127.0.0.2")));
        assert!(
            TrustedProxies::parse(&["0.0.0.0/0"])
                .unwrap()
                .contains(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.1/", "::/129", ""] {
            assert!(TrustedProxies::parse(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer_and_right_to_left() {
        let none = TrustedProxies::default();
        let h = xff("203.0.113.9");
        assert_eq!(none.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        let t = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(t.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        // A client's own X-Forwarded-For (left) is not believed past the first untrusted hop.
        let h = xff("1.1.1.1, 203.0.113.9, 10.0.0.2");
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("203.0.113.9"));
        assert_eq!(t.client(ip("10.0.0.1"), &xff("10.0.0.3")), ip("10.0.0.3"));
        assert_eq!(t.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
        assert_eq!(
            t.client(ip("10.0.0.1"), &xff("junk, 10.0.0.5")),
            ip("10.0.0.5")
        );
        assert_eq!(
            t.client(ip("10.0.0.1"), &xff("203.0.113.9:4711")),
            ip("203.0.113.9")
        );
    }
}
