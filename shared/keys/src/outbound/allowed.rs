//! A component's `allowed_outbound_hosts`, matched the way Spin matches them.
//!
//! An entry is `<scheme>://<host>[:<port>]` with an optional trailing `/` and no path:
//! - scheme: `*` or one scheme, compared as written with the URL's (lowercase) scheme;
//! - host: `*`; `*.domain` (any subdomain of `domain`, not `domain` itself); an exact name or
//!   address, compared as written with the URL's normalised host (lowercase, punycode, IPv6 in
//!   brackets), so an entry with capitals never matches, as in Spin; an IPv4 or IPv6 network
//!   `addr/prefix`, which matches IP hosts (as in Spin, bracketed IPv6 hosts do not match); `self`
//!   (the app itself: never an outbound base URL);
//! - port: `*`; a number; a range `a..b` (`b` excluded); absent: the scheme's well-known port
//!   (`http` 80, `https` 443, …; an entry `*://host` without a port is invalid, as in Spin). A
//!   URL without a port has its scheme's well-known port.
//!
//! Templates (`{{ llm_extra_host }}`) are resolved by the caller, with the Spin variables'
//! values, before the entries come here.

use std::net::IpAddr;
use std::ops::Range;

use super::OutboundError;
use super::address::in_network;

/// The well-known port of a scheme, as Spin knows them.
pub(crate) fn well_known_port(scheme: &str) -> Option<u16> {
    match scheme {
        "postgres" => Some(5432),
        "mysql" => Some(3306),
        "redis" => Some(6379),
        "mqtt" => Some(1883),
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    Any,
    One(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Any,
    /// `.domain`: the suffix a subdomain's host ends with.
    AnySubdomain(String),
    ToSelf,
    Exact(String),
    Network {
        addr: IpAddr,
        prefix: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Port {
    Any,
    One(u16),
    Range(Range<u16>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    scheme: Scheme,
    host: Host,
    port: Port,
}

/// A component's resolved `allowed_outbound_hosts` entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    entries: Vec<Entry>,
}

impl AllowedHosts {
    /// Parses the entries (templates already resolved). An entry Spin would refuse is an error
    /// that quotes it (entries are manifest text, not secrets).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, OutboundError> {
        let entries = entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref();
                parse_entry(entry).map_err(|problem| OutboundError::AllowedHostInvalid {
                    entry: entry.to_owned(),
                    problem,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { entries })
    }

    /// Whether a request to `scheme://host[:port]` may go out: `host` as the `url` crate
    /// serialises it (lowercase, punycode, IPv6 in brackets), `port` `None` for the scheme's
    /// default.
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        self.entries.iter().any(|e| e.allows(scheme, host, port))
    }
}

impl Entry {
    fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let scheme_ok = match &self.scheme {
            Scheme::Any => true,
            Scheme::One(s) => s == scheme,
        };
        let host_ok = match &self.host {
            Host::Any => true,
            Host::AnySubdomain(suffix) => host.ends_with(suffix.as_str()),
            Host::ToSelf => false,
            Host::Exact(h) => h == host,
            Host::Network { addr, prefix } => host
                .parse::<IpAddr>()
                .is_ok_and(|ip| in_network(ip, *addr, *prefix)),
        };
        let port_ok = match (&self.port, port.or_else(|| well_known_port(scheme))) {
            (Port::Any, _) => true,
            (Port::One(allowed), Some(port)) => port == *allowed,
            (Port::Range(allowed), Some(port)) => allowed.contains(&port),
            (_, None) => false,
        };
        scheme_ok && host_ok && port_ok
    }
}

fn parse_entry(entry: &str) -> Result<Entry, String> {
    let entry = entry.trim();
    if entry.contains("{{") {
        return Err("it still holds a `{{ variable }}` template: pass the resolved value".into());
    }
    let Some((scheme, rest)) = entry.split_once("://") else {
        return Err("it has no scheme: write <scheme>://<host>[:<port>]".into());
    };
    let (host, port) = rest.rsplit_once(':').unwrap_or((rest, ""));
    let port = match port.split_once('/') {
        Some((port, "")) => port,
        Some(_) => return Err("it has a path".into()),
        None => port,
    };
    let scheme = parse_scheme(scheme)?;
    let host = parse_host(host)?;
    let port = parse_port(port, &scheme)?;
    Ok(Entry { scheme, host, port })
}

fn parse_scheme(scheme: &str) -> Result<Scheme, String> {
    if scheme == "*" {
        return Ok(Scheme::Any);
    }
    if scheme.starts_with('{') {
        return Err("scheme lists are not supported".into());
    }
    if scheme.chars().any(|c| !c.is_alphabetic()) {
        return Err(format!("the scheme {scheme:?} is not alphabetic"));
    }
    Ok(Scheme::One(scheme.to_owned()))
}

fn parse_host(host: &str) -> Result<Host, String> {
    let host = host.trim();
    if host == "*" {
        return Ok(Host::Any);
    }
    if host == "self" || host == "self.alt" {
        return Ok(Host::ToSelf);
    }
    if host.starts_with('{') {
        return Err("host lists are not supported".into());
    }
    if let Some(network) = parse_network(host) {
        return Ok(network);
    }
    if matches!(host.split('/').nth(1), Some(path) if !path.is_empty()) {
        return Err("the host has a path".into());
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.contains('*') {
            return Err("a wildcard is allowed only as the leading `*.`".into());
        }
        return Ok(Host::AnySubdomain(format!(".{domain}")));
    }
    if host.contains('*') {
        return Err("a wildcard is allowed only as the leading `*.`".into());
    }
    Ok(Host::Exact(host.trim_end_matches('/').to_owned()))
}

/// `addr/prefix`, the address truncated to the prefix.
fn parse_network(host: &str) -> Option<Host> {
    let (addr, prefix) = host.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then_some(Host::Network { addr, prefix })
}

fn parse_port(port: &str, scheme: &Scheme) -> Result<Port, String> {
    if port.is_empty() {
        let scheme = match scheme {
            Scheme::One(s) => s.as_str(),
            Scheme::Any => "*",
        };
        return well_known_port(scheme).map(Port::One).ok_or_else(|| {
            format!("it has no port and the scheme {scheme:?} has no well-known port")
        });
    }
    if port == "*" {
        return Ok(Port::Any);
    }
    if port.starts_with('{') {
        return Err("port lists are not supported".into());
    }
    let number = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| format!("the port {port:?} is not a number"))
    };
    if let Some((start, end)) = port.split_once("..") {
        return Ok(Port::Range(number(start)?..number(end)?));
    }
    Ok(Port::One(number(port)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entry: &str, scheme: &str, host: &str, port: Option<u16>) -> bool {
        AllowedHosts::parse(&[entry])
            .unwrap()
            .allows(scheme, host, port)
    }

    #[test]
    fn exact_hosts_and_default_ports() {
        assert!(allows(
            "https://api.openai.com",
            "https",
            "api.openai.com",
            None
        ));
        assert!(allows(
            "https://api.openai.com/",
            "https",
            "api.openai.com",
            None
        ));
        assert!(allows(
            "https://api.openai.com:443",
            "https",
            "api.openai.com",
            None
        ));
        assert!(!allows(
            "https://api.openai.com",
            "https",
            "api.openai.com",
            Some(8443)
        ));
        assert!(!allows(
            "https://api.openai.com",
            "http",
            "api.openai.com",
            None
        ));
        assert!(!allows(
            "https://api.openai.com",
            "https",
            "openai.com",
            None
        ));
        assert!(!allows(
            "https://API.openai.com",
            "https",
            "api.openai.com",
            None
        ));
        assert!(allows(
            "https://my.server:8443",
            "https",
            "my.server",
            Some(8443)
        ));
        assert!(!allows(
            "https://my.server:8443",
            "https",
            "my.server",
            None
        ));
        assert!(allows("http://[::1]:8080", "http", "[::1]", Some(8080)));
    }

    #[test]
    fn wildcards_ranges_and_networks() {
        let azure = "https://*.openai.azure.com";
        assert!(allows(azure, "https", "res.openai.azure.com", None));
        assert!(allows(azure, "https", "a.b.openai.azure.com", None));
        assert!(!allows(azure, "https", "openai.azure.com", None));
        assert!(!allows(azure, "https", "evilopenai.azure.com", None));
        assert!(!allows(
            azure,
            "https",
            "res.openai.azure.com.evil.com",
            None
        ));
        assert!(allows("*://*:*", "https", "anything.example", Some(1)));
        assert!(allows("*://api.x.ai:443", "https", "api.x.ai", None));
        assert!(!allows("*://api.x.ai:443", "http", "api.x.ai", None));
        assert!(allows("https://*:*", "https", "h.example", Some(9)));
        assert!(allows(
            "https://h.example:8000..8002",
            "https",
            "h.example",
            Some(8001)
        ));
        assert!(!allows(
            "https://h.example:8000..8002",
            "https",
            "h.example",
            Some(8002)
        ));
        assert!(allows(
            "https://203.0.0.0/8:443",
            "https",
            "203.1.2.3",
            None
        ));
        assert!(!allows(
            "https://203.0.0.0/8:443",
            "https",
            "204.1.2.3",
            None
        ));
        assert!(!allows(
            "https://2001:db8::/32:443",
            "https",
            "[2001:db8::1]",
            None
        ));
        assert!(!allows("https://self", "https", "self", None));
    }

    #[test]
    fn entries_spin_refuses_are_errors() {
        for bad in [
            "api.openai.com",
            "api.openai.com:443",
            "*",
            "insecure:allow-all",
            "*://api.openai.com",
            "https://api.openai.com/v1",
            "https://api.*.com",
            "https://a*.com",
            "https://api.openai.com:https",
            "https://api.openai.com:1..x",
            "ftp://files.example.com",
            "ht1p://x.example:80",
            "{{ llm_extra_host }}",
            "https://[::1]",
        ] {
            let err = AllowedHosts::parse(&[bad]).unwrap_err();
            assert_eq!(err.reason(), "allowed_host_invalid", "{bad}");
            assert!(err.to_string().contains(bad.trim()), "{err}");
        }
    }
}
