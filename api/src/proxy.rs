//! The client's address behind trusted reverse proxies (`TRUSTED_PROXIES`).
//!
//! `X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as
//! the chain of proxies we trust: when the TCP peer is a trusted proxy, the client is the
//! right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Entries to the left
//! of it were written by the client and are ignored. With no trusted proxies (the default),
//! the header is never read and the client is the TCP peer.

use actix_web::HttpRequest;
use anyhow::Context;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Addresses and networks of the reverse proxies in front of the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses entries such as `10.0.0.0/8`, `192.0.2.7` or `fd00::/8`; empty entries are
    /// skipped.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> anyhow::Result<Self> {
        entries
            .iter()
            .map(|entry| entry.as_ref().trim())
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .with_context(|| {
                        format!("TRUSTED_PROXIES: {entry:?} is not an IP address or CIDR network")
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map(TrustedProxies)
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `address` is one of the trusted proxies.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client address given the TCP peer and the `X-Forwarded-For` header values, in the
    /// order they arrived.
    pub fn client_address<'a>(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> Option<IpAddr> {
        let peer = peer.map(canonical)?;
        if !self.contains(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        // Walking from the nearest hop outwards, each trusted hop vouches for the next one.
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(address) = parse_hop(hop) else {
                // Garbage from beyond the last trusted proxy: believe no further.
                break;
            };
            client = address;
            if !self.contains(address) {
                break;
            }
        }
        Some(client)
    }

    /// The client address of an HTTP request (or WebSocket upgrade).
    pub fn of_request(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr().map(|a| a.ip());
        if self.is_empty() {
            return peer;
        }
        let values = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        self.client_address(peer, values)
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:192.0.2.1`) as plain IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    #[test]
    fn addresses_and_networks_parse_and_garbage_is_refused() {
        let parsed = proxies(&["10.0.0.0/8", " 192.0.2.7 ", "", "fd00::/8", "::1"]);
        assert!(parsed.contains(ip("10.20.30.40")));
        assert!(parsed.contains(ip("192.0.2.7")));
        assert!(!parsed.contains(ip("192.0.2.8")));
        assert!(parsed.contains(ip("fd12::1")));
        assert!(parsed.contains(ip("::1")));
        let err = TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
        assert!(TrustedProxies::parse(&["proxy.example.com"]).is_err());
        assert!(proxies(&[]).is_empty());
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(Some(ip("127.0.0.1")), ["203.0.113.5"]),
            Some(ip("127.0.0.1"))
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_address() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_address(Some(ip("198.51.100.9")), ["203.0.113.5"]),
            Some(ip("198.51.100.9"))
        );
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        // The client forged the first entry; our two proxies appended the rest.
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), ["1.1.1.1, 203.0.113.5", "10.0.0.1"]),
            Some(ip("203.0.113.5"))
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), ["203.0.113.5:4711"]),
            Some(ip("203.0.113.5"))
        );
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), ["[2001:db8::1]:4711"]),
            Some(ip("2001:db8::1"))
        );
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), []),
            Some(ip("10.0.0.2"))
        );
        // Every hop trusted: the left-most is as far as we can see.
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), ["10.0.0.9, 10.0.0.1"]),
            Some(ip("10.0.0.9"))
        );
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_trusted_hop() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            trusted.client_address(Some(ip("10.0.0.2")), ["203.0.113.5, unknown, 10.0.0.1"]),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_entries() {
        let trusted = proxies(&["127.0.0.1"]);
        assert_eq!(
            trusted.client_address(Some(ip("::ffff:127.0.0.1")), ["203.0.113.5"]),
            Some(ip("203.0.113.5"))
        );
    }
}
