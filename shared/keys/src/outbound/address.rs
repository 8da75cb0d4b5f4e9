//! Which IP addresses and host names a provider base URL must not point at.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a host is refused: the kind of address or name it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockedKind {
    /// A loopback address (`127.0.0.0/8`, `::1`) or `localhost`.
    Loopback,
    /// A private network (`10/8`, `172.16/12`, `192.168/16`, the shared `100.64/10` of carrier
    /// NAT, IPv6 site-local `fec0::/10`, local-use NAT64 `64:ff9b:1::/48`).
    Private,
    /// A link-local address (`169.254/16`, `fe80::/10`).
    LinkLocal,
    /// An IPv6 unique local address (`fc00::/7`).
    UniqueLocal,
    /// An unspecified or "this network" address (`0.0.0.0/8`, `::`).
    Unspecified,
    /// A cloud metadata service, by address (`169.254.169.254`, `fd00:ec2::254`, …) or by name
    /// (`metadata.google.internal`, …).
    Metadata,
    /// A multicast address (`224/4`, `ff00::/8`).
    Multicast,
    /// The broadcast address `255.255.255.255`.
    Broadcast,
    /// A reserved, documentation, benchmarking or otherwise non-global address.
    Reserved,
    /// An IPv4 address inside an IPv6 one (mapped, compatible, NAT64, 6to4): write the IPv4
    /// address itself.
    Ipv4InIpv6,
    /// A name of a local or internal network (`*.localhost`, `*.local`, `*.internal`, …).
    InternalName,
    /// A name without a dot (`intranet`), resolved through the local search domains.
    SingleLabel,
}

impl BlockedKind {
    /// The stable reason code of this kind.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link_local",
            Self::UniqueLocal => "unique_local",
            Self::Unspecified => "unspecified",
            Self::Metadata => "metadata",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Reserved => "reserved",
            Self::Ipv4InIpv6 => "ipv4_in_ipv6",
            Self::InternalName => "internal_name",
            Self::SingleLabel => "single_label",
        }
    }

    /// What the kind is, in English, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address",
            Self::Private => "a private network address",
            Self::LinkLocal => "a link-local address",
            Self::UniqueLocal => "an IPv6 unique local address",
            Self::Unspecified => "an unspecified address",
            Self::Metadata => "a cloud metadata service",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "the broadcast address",
            Self::Reserved => "a reserved, non-public address",
            Self::Ipv4InIpv6 => "an IPv4 address written as IPv6 (write the IPv4 address itself)",
            Self::InternalName => "a local or internal network name",
            Self::SingleLabel => "a name without a domain",
        }
    }

    /// Whether an operator's trusted-host list may let a host of this kind through: the kinds
    /// of an internal network, not metadata services or addresses nothing legitimate uses.
    pub(crate) fn trustable(self) -> bool {
        matches!(
            self,
            Self::Loopback
                | Self::Private
                | Self::LinkLocal
                | Self::UniqueLocal
                | Self::InternalName
                | Self::SingleLabel
        )
    }
}

/// Cloud metadata services reached by IPv4 address: AWS/GCP/Azure/OpenStack, AWS ECS task
/// metadata, Alibaba Cloud, Oracle Cloud.
const METADATA_V4: [Ipv4Addr; 4] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
];

/// AWS's IPv6 instance metadata service.
const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)];

/// IPv4 networks refused, first match wins: (network, prefix length, kind).
const BLOCKED_V4: [([u8; 4], u8, BlockedKind); 17] = [
    ([0, 0, 0, 0], 8, BlockedKind::Unspecified),
    ([127, 0, 0, 0], 8, BlockedKind::Loopback),
    ([10, 0, 0, 0], 8, BlockedKind::Private),
    ([172, 16, 0, 0], 12, BlockedKind::Private),
    ([192, 168, 0, 0], 16, BlockedKind::Private),
    ([100, 64, 0, 0], 10, BlockedKind::Private),
    ([169, 254, 0, 0], 16, BlockedKind::LinkLocal),
    ([255, 255, 255, 255], 32, BlockedKind::Broadcast),
    ([224, 0, 0, 0], 4, BlockedKind::Multicast),
    ([240, 0, 0, 0], 4, BlockedKind::Reserved),
    // IETF protocol assignments, documentation (TEST-NET-1..3), benchmarking, 6to4 relays.
    ([192, 0, 0, 0], 24, BlockedKind::Reserved),
    ([192, 0, 2, 0], 24, BlockedKind::Reserved),
    ([198, 51, 100, 0], 24, BlockedKind::Reserved),
    ([203, 0, 113, 0], 24, BlockedKind::Reserved),
    ([198, 18, 0, 0], 15, BlockedKind::Reserved),
    ([192, 88, 99, 0], 24, BlockedKind::Reserved),
    // AS112 / direct delegation.
    ([192, 31, 196, 0], 24, BlockedKind::Reserved),
];

/// Whether an IPv4 address may not be used, and why.
pub(crate) fn classify_v4(addr: Ipv4Addr) -> Option<BlockedKind> {
    if METADATA_V4.contains(&addr) {
        return Some(BlockedKind::Metadata);
    }
    BLOCKED_V4.iter().find_map(|(net, prefix, kind)| {
        in_network(addr.into(), Ipv4Addr::from(*net).into(), *prefix).then_some(*kind)
    })
}

/// Whether an IPv6 address may not be used, and why. Only global unicast (`2000::/3`) outside
/// the special ranges passes; an IPv4 address embedded in IPv6 is judged as IPv4 and refused
/// anyway.
pub(crate) fn classify_v6(addr: Ipv6Addr) -> Option<BlockedKind> {
    if METADATA_V6.contains(&addr) {
        return Some(BlockedKind::Metadata);
    }
    if addr.is_unspecified() {
        return Some(BlockedKind::Unspecified);
    }
    if addr.is_loopback() {
        return Some(BlockedKind::Loopback);
    }
    if let Some(v4) = embedded_v4(addr) {
        return Some(classify_v4(v4).unwrap_or(BlockedKind::Ipv4InIpv6));
    }
    let within =
        |net: u128, prefix: u8| in_network(addr.into(), Ipv6Addr::from(net).into(), prefix);
    let kind = if within(0xff00 << 112, 8) {
        BlockedKind::Multicast
    } else if within(0xfe80 << 112, 10) {
        BlockedKind::LinkLocal
    } else if within(0xfec0 << 112, 10) || within(0x0064_ff9b_0001 << 80, 48) {
        BlockedKind::Private
    } else if within(0xfc00 << 112, 7) {
        BlockedKind::UniqueLocal
    } else if !within(0x2000 << 112, 3)
        // Teredo, benchmarking, documentation (two ranges), ORCHID, segment routing.
        || within(0x2001_0000 << 96, 32)
        || within(0x2001_0002 << 96, 48)
        || within(0x2001_0db8 << 96, 32)
        || within(0x3fff << 112, 20)
        || within(0x2001_0010 << 96, 28)
        || within(0x2001_0020 << 96, 28)
    {
        BlockedKind::Reserved
    } else {
        return None;
    };
    Some(kind)
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated
/// (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4
/// (`2002:aabb:ccdd::`) address.
fn embedded_v4(addr: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(addr);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let high96 = bits >> 32;
    if high96 == 0xffff || high96 == 0xffff_0000 || high96 == 0 || high96 == 0x0064_ff9b << 64 {
        return Some(low);
    }
    if bits >> 112 == 0x2002 {
        return Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32));
    }
    None
}

/// Whether `ip` lies in the network `net/prefix` (never across address families).
pub(crate) fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// Names of cloud metadata services.
const METADATA_NAMES: [&str; 6] = [
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
];

/// Top-level names of local and internal networks: `localhost` (RFC 6761), mDNS's `local`,
/// `internal` (ICANN's private-use name), those RFC 6762 appendix G found in private use,
/// `home.arpa` with the rest of `arpa`, and the names reserved for tests.
const INTERNAL_TLDS: [&str; 12] = [
    "localhost",
    "local",
    "internal",
    "localdomain",
    "intranet",
    "private",
    "corp",
    "home",
    "lan",
    "arpa",
    "test",
    "invalid",
];

/// Whether a domain name (lowercase ASCII, no trailing dot) may not be used, and why. Names are
/// not resolved: one that resolves to an internal address is out of reach here, and stopped by
/// `allowed_outbound_hosts` instead.
pub(crate) fn classify_name(name: &str) -> Option<BlockedKind> {
    if METADATA_NAMES.contains(&name) {
        return Some(BlockedKind::Metadata);
    }
    let tld = name.rsplit('.').next().unwrap_or(name);
    if INTERNAL_TLDS.contains(&tld) {
        return Some(if tld == "localhost" {
            BlockedKind::Loopback
        } else {
            BlockedKind::InternalName
        });
    }
    if !name.contains('.') {
        return Some(BlockedKind::SingleLabel);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_pass() {
        for v4 in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "192.169.0.1",
        ] {
            assert_eq!(classify_v4(v4.parse().unwrap()), None, "{v4}");
        }
        for v6 in ["2606:4700::1111", "2a00:1450:4001::200e", "2001:4860::8888"] {
            assert_eq!(classify_v6(v6.parse().unwrap()), None, "{v6}");
        }
        for name in [
            "api.openai.com",
            "x.openai.azure.com",
            "localhost.example.com",
        ] {
            assert_eq!(classify_name(name), None, "{name}");
        }
    }

    #[test]
    fn range_edges() {
        let v4 = |s: &str| classify_v4(s.parse().unwrap());
        assert_eq!(v4("172.15.255.255"), None);
        assert_eq!(v4("172.16.0.0"), Some(BlockedKind::Private));
        assert_eq!(v4("172.31.255.255"), Some(BlockedKind::Private));
        assert_eq!(v4("100.63.255.255"), None);
        assert_eq!(v4("100.127.255.255"), Some(BlockedKind::Private));
        assert_eq!(v4("223.255.255.255"), None);
        assert_eq!(v4("255.255.255.254"), Some(BlockedKind::Reserved));
        let v6 = |s: &str| classify_v6(s.parse().unwrap());
        assert_eq!(v6("1fff:ffff::1"), Some(BlockedKind::Reserved));
        assert_eq!(v6("4000::1"), Some(BlockedKind::Reserved));
        assert_eq!(v6("febf::1"), Some(BlockedKind::LinkLocal));
        assert_eq!(v6("2002:0808:0808::1"), Some(BlockedKind::Ipv4InIpv6));
        assert_eq!(v6("2002:0a00:0001::1"), Some(BlockedKind::Private));
    }
}
