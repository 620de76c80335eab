//! Who the client is, behind a load balancer: the address every per-client limit counts.
//!
//! A request's TCP peer is the client itself, or a proxy in front of the server. Proxies say
//! whom they forward for in `Forwarded: for=…` (RFC 7239) or `X-Forwarded-For`, but anyone
//! can send those headers, so they are read only when the peer is one of the configured
//! `--trusted-proxies` (addresses or CIDR ranges). The client is then the rightmost address in
//! the chain that is not a trusted proxy itself (each proxy appends the address it received
//! from, so everything to the left of that one could be made up by the client). Without a
//! trusted peer the client is the peer, and with trusted proxies configured the forwarding
//! headers of an untrusted peer are removed from the request before anything reads them
//! (`X-Forwarded-Proto` included, which says whether the request came over HTTPS).
//!
//! Behind a trusted proxy whose chain names no usable address (`for=unknown`, obfuscated
//! identifiers), the proxy's address stands for the client.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    str::FromStr,
};

use axum::http::{header, HeaderMap, HeaderName};

/// The headers proxies use to describe the client's request.
const FORWARDING_HEADERS: [HeaderName; 4] = [
    header::FORWARDED,
    HeaderName::from_static("x-forwarded-for"),
    HeaderName::from_static("x-forwarded-proto"),
    HeaderName::from_static("x-forwarded-host"),
];

/// The client address a request was resolved to, put in its extensions by the listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// An address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrRange {
    network: IpAddr,
    prefix: u8,
}

impl AddrRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for AddrRange {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let network = canonical(
            address
                .parse::<IpAddr>()
                .map_err(|_| format!("`{raw}` is not an IP address or CIDR range"))?,
        );
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= width)
                .ok_or_else(|| format!("`{raw}`: the prefix length must be 0 to {width}"))?,
        };
        Ok(Self { network, prefix })
    }
}

/// The configured trusted proxies; empty: none (every peer is a client).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<AddrRange>);

impl TrustedProxies {
    pub fn new(ranges: Vec<AddrRange>) -> Self {
        Self(ranges)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// The client behind a request from `peer`. Removes the forwarding headers of an untrusted
    /// peer when proxies are configured, so nothing downstream reads them.
    pub fn resolve(&self, peer: IpAddr, headers: &mut HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            if !self.0.is_empty() {
                for name in &FORWARDING_HEADERS {
                    headers.remove(name);
                }
            }
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => client = *ip,
                Some(ip) => return *ip,
                // A hop we cannot read: the last address we could is the best we know.
                None => return client,
            }
        }
        client
    }
}

/// The addresses a request was forwarded for, oldest first (`None` for an unreadable entry):
/// from `Forwarded` when present, else from `X-Forwarded-For`.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    };
    let forwarded = values(&header::FORWARDED);
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| parse_node(node))
            })
            .collect();
    }
    values(&HeaderName::from_static("x-forwarded-for"))
        .iter()
        .flat_map(|value| value.split(','))
        .map(parse_node)
        .collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`,
/// `2001:db8::1`.
fn parse_node(raw: &str) -> Option<IpAddr> {
    let node = raw.trim().trim_matches('"');
    let ip = node
        .parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            node.strip_prefix('[')
                .and_then(|rest| rest.split(']').next())
                .and_then(|inner| inner.parse::<Ipv6Addr>().ok())
                .map(IpAddr::V6)
        })?;
    Some(canonical(ip))
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(IpAddr::V6(v6), |v4: Ipv4Addr| IpAddr::V4(v4)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::headers;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|raw| raw.parse().unwrap()).collect())
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_contain() {
        let range: AddrRange = "10.0.0.0/8".parse().unwrap();
        assert!(range.contains(ip("10.200.3.4")));
        assert!(!range.contains(ip("11.0.0.1")));
        assert!(range.contains(ip("::ffff:10.1.2.3")));
        let single: AddrRange = "127.0.0.1".parse().unwrap();
        assert!(single.contains(ip("127.0.0.1")) && !single.contains(ip("127.0.0.2")));
        let v6: AddrRange = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        let everything: AddrRange = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<AddrRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_and_loses_its_forwarding_headers() {
        let proxies = proxies(&["10.0.0.1"]);
        let mut sent = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("forwarded", "for=203.0.113.7"),
            ("x-forwarded-proto", "https"),
            ("host", "trailmap.example"),
        ]);

        assert_eq!(
            proxies.resolve(ip("198.51.100.2"), &mut sent),
            ip("198.51.100.2")
        );
        assert_eq!(sent.len(), 1, "only Host is left: {sent:?}");
        // With no proxies configured nothing is removed (X-Forwarded-Proto keeps its meaning).
        let mut sent = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            TrustedProxies::default().resolve(ip("198.51.100.2"), &mut sent),
            ip("198.51.100.2")
        );
        assert_eq!(sent.len(), 2);
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() {
        let proxies = proxies(&["10.0.0.0/8"]);
        let mut sent = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.5")]);
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut sent),
            ip("203.0.113.7")
        );
        let mut two_headers = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-for", "10.0.0.9"),
        ]);
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut two_headers),
            ip("203.0.113.7")
        );
        let mut only_proxies = headers(&[("x-forwarded-for", "10.0.0.7")]);
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut only_proxies),
            ip("10.0.0.7")
        );
        let mut nothing = HeaderMap::new();
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut nothing),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn forwarded_is_read_before_x_forwarded_for_in_all_its_spellings() {
        let proxies = proxies(&["10.0.0.1"]);
        let mut sent = headers(&[
            ("forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(proxies.resolve(ip("10.0.0.1"), &mut sent), ip("192.0.2.60"));
        let mut v6 = headers(&[("forwarded", r#"For="[2001:db8:cafe::17]:4711""#)]);
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut v6),
            ip("2001:db8:cafe::17")
        );
        let mut port = headers(&[("x-forwarded-for", "192.0.2.1:5555")]);
        assert_eq!(proxies.resolve(ip("10.0.0.1"), &mut port), ip("192.0.2.1"));
        let mut unknown = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            proxies.resolve(ip("10.0.0.1"), &mut unknown),
            ip("10.0.0.1")
        );
    }
}
