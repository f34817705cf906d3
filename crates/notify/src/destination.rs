//! Which addresses a webhook may be sent to (SSRF): a user registers a URL, the server sends a
//! request to it, so a URL naming a loopback, private, link-local, unique-local or cloud-metadata
//! address would let that user reach inside the server's network.
//!
//! The check runs where the connection is made: [`crate::WebhookClient`] resolves names through
//! [`FilteringResolver`], which drops forbidden addresses, so a name that resolved to a public
//! address when the subscription was created but resolves to an internal one now (DNS rebinding)
//! is refused at delivery, and the connection goes only to an address that was checked. URLs
//! with an IP literal are checked before the request. [`check_host`] lets a caller refuse such a
//! URL when it is registered.
//!
//! Forbidden (IPv4, and IPv6 including IPv4-mapped and -compatible forms): unspecified, loopback,
//! private (RFC 1918), shared address space (RFC 6598, carrier-grade NAT), link-local (which holds
//! the cloud metadata address 169.254.169.254), benchmarking (RFC 2544), the IETF protocol
//! assignments block, documentation, multicast, broadcast and reserved ranges; IPv6 unique-local
//! (`fc00::/7`, which holds `fd00:ec2::254`), link-local, site-local, documentation, discard,
//! NAT64 with a forbidden embedded IPv4 address, 6to4 and Teredo tunnels.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Where webhooks may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DestinationPolicy {
    /// Also loopback and private addresses: for tests and single-network deployments that
    /// deliberately deliver inside their own network.
    pub allow_private: bool,
}

/// Why a destination is refused. The message names the address, never the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Forbidden {
    /// The address is in a range webhooks may not reach.
    #[error(
        "{0} is a loopback, private, link-local or otherwise internal address; webhooks go to public addresses only"
    )]
    Internal(IpAddr),
    /// The name resolves only to such addresses.
    #[error(
        "the host resolves only to internal addresses ({0}); webhooks go to public addresses only"
    )]
    ResolvesInternal(String),
}

impl DestinationPolicy {
    /// Whether this policy lets a webhook go to `ip`.
    pub fn permits(self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }
}

/// Whether an address is a public unicast address a webhook may reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let internal = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space, RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments, RFC 6890
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, RFC 2544
        || a >= 240; // reserved for future use
    !internal
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // IPv4-compatible (deprecated) ::a.b.c.d.
    if segments[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return is_public_v4(Ipv4Addr::from(
            ((segments[6] as u32) << 16) | segments[7] as u32,
        ));
    }
    // NAT64 well-known prefix 64:ff9b::/96 carries an IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::from(
            ((segments[6] as u32) << 16) | segments[7] as u32,
        ));
    }
    let internal = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x2001 && segments[1] == 0x0000) // Teredo tunnels
        || segments[0] == 0x2002 // 6to4 tunnels
        || (segments[0] == 0x0100 && segments[1..4] == [0, 0, 0]); // discard-only 100::/64
    !internal
}

/// Refuses a URL host that is an IP literal this policy forbids (names are checked when they are
/// resolved). `host` is as `url::Url::host_str` gives it (IPv6 in brackets).
pub fn check_host(policy: DestinationPolicy, host: &str) -> Result<(), Forbidden> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>() {
        Ok(ip) if !policy.permits(ip) => Err(Forbidden::Internal(ip)),
        _ => Ok(()),
    }
}

/// Resolves a name and keeps only the addresses `policy` permits; an error when none is left.
pub async fn resolve_permitted(
    policy: DestinationPolicy,
    host: &str,
    port: u16,
) -> Result<Vec<SocketAddr>, ResolveError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(ResolveError::Lookup)?
        .collect();
    let permitted: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|addr| policy.permits(addr.ip()))
        .collect();
    if permitted.is_empty() && !found.is_empty() {
        let shown: Vec<String> = found.iter().map(|a| a.ip().to_string()).collect();
        return Err(ResolveError::Forbidden(Forbidden::ResolvesInternal(
            shown.join(", "),
        )));
    }
    Ok(permitted)
}

/// Why resolving a webhook host gave no address to connect to.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The name does not resolve (now).
    #[error("the host does not resolve: {0}")]
    Lookup(#[source] std::io::Error),
    /// It resolves only to forbidden addresses.
    #[error(transparent)]
    Forbidden(Forbidden),
}

/// The DNS resolver of [`crate::WebhookClient`]: the system resolver, minus forbidden addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FilteringResolver {
    pub(crate) policy: DestinationPolicy,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port in.
            let permitted = resolve_permitted(policy, &host, 0).await?;
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_pass() {
        for internal in [
            "127.0.0.1",
            "127.8.9.1",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "198.18.0.1",
            "192.0.0.8",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a00:1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(!is_public(ip), "{internal} must be refused");
            assert!(
                DestinationPolicy {
                    allow_private: true
                }
                .permits(ip)
            );
        }
        for public in [
            "93.184.215.14",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public} is public");
        }
    }

    #[test]
    fn literal_hosts_are_checked_names_are_left_to_resolution() {
        let strict = DestinationPolicy::default();
        assert!(check_host(strict, "127.0.0.1").is_err());
        assert!(check_host(strict, "[::1]").is_err());
        assert!(check_host(strict, "[fd00:ec2::254]").is_err());
        assert!(check_host(strict, "hooks.example.com").is_ok());
        assert!(check_host(strict, "8.8.8.8").is_ok());
        assert!(
            check_host(
                DestinationPolicy {
                    allow_private: true
                },
                "127.0.0.1"
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn names_resolving_to_internal_addresses_are_refused() {
        let refused = resolve_permitted(DestinationPolicy::default(), "localhost", 80).await;
        assert!(
            matches!(refused, Err(ResolveError::Forbidden(_))),
            "{refused:?}"
        );
        let allowed = resolve_permitted(
            DestinationPolicy {
                allow_private: true,
            },
            "localhost",
            80,
        )
        .await
        .unwrap();
        assert!(allowed.iter().all(|a| a.ip().is_loopback()));
    }
}
