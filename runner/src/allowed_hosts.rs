//! `allowed_outbound_hosts`: parsing the manifest's entries and deciding whether a request may go out.
//!
//! Entries have the form `<scheme>://<host>[:<port>]`, where each part may be `*`, the host may be
//! `*.domain` (any subdomain), a CIDR range or `self`, and the port may be a number, a range
//! `a..b` or `*`. A missing port means the scheme's well-known port, as in Spin.

use std::net::IpAddr;

use anyhow::{Context, Result, bail};

/// Well-known default port of a scheme.
pub fn default_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" => 80,
        "https" => 443,
        "postgres" => 5432,
        "mysql" => 3306,
        "redis" => 6379,
        "mqtt" => 1883,
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum SchemePattern {
    Any,
    Exact(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Subdomain(String),
    Exact(String),
    Network { addr: IpAddr, prefix: u8 },
    ToSelf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PortPattern {
    Any,
    Range(u16, u16),
    /// No port written and the scheme is `*`: each scheme's own default.
    SchemeDefault,
}

/// One parsed `allowed_outbound_hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHost {
    scheme: SchemePattern,
    host: HostPattern,
    port: PortPattern,
}

impl AllowedHost {
    /// Parses one entry; the error says what is wrong with it.
    pub fn parse(entry: &str) -> Result<Self> {
        let entry = entry.trim();
        let Some((scheme, rest)) = entry.split_once("://") else {
            bail!(
                "{entry:?} has no scheme: write <scheme>://<host>[:<port>], e.g. https://api.example.com or *://*:*"
            );
        };
        let scheme = match scheme {
            "*" => SchemePattern::Any,
            s if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()) => {
                SchemePattern::Exact(s.to_ascii_lowercase())
            }
            s => bail!("{entry:?}: invalid scheme {s:?}"),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') && !looks_like_cidr(rest) {
            bail!("{entry:?} must not contain a path");
        }
        let (host, port) = split_host_port(rest);
        let host = parse_host(host).with_context(|| format!("{entry:?}: invalid host"))?;
        let port = match port {
            None => match &scheme {
                SchemePattern::Exact(s) => {
                    let p = default_port(s).with_context(|| {
                        format!("{entry:?}: no port given and scheme {s:?} has no well-known port")
                    })?;
                    PortPattern::Range(p, p)
                }
                SchemePattern::Any => PortPattern::SchemeDefault,
            },
            Some("*") => PortPattern::Any,
            Some(p) => {
                if let Some((a, b)) = p.split_once("..") {
                    let a: u16 = a
                        .parse()
                        .with_context(|| format!("{entry:?}: invalid port {p:?}"))?;
                    let b: u16 = b
                        .parse()
                        .with_context(|| format!("{entry:?}: invalid port {p:?}"))?;
                    if a >= b {
                        bail!("{entry:?}: empty port range {p:?}");
                    }
                    PortPattern::Range(a, b - 1)
                } else {
                    let n: u16 = p
                        .parse()
                        .with_context(|| format!("{entry:?}: invalid port {p:?}"))?;
                    PortPattern::Range(n, n)
                }
            }
        };
        Ok(Self { scheme, host, port })
    }

    /// Whether a request to `scheme://host:port` is allowed by this entry.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = match &self.scheme {
            SchemePattern::Any => true,
            SchemePattern::Exact(s) => s.eq_ignore_ascii_case(scheme),
        };
        let port_ok = match self.port {
            PortPattern::Any => true,
            PortPattern::Range(a, b) => (a..=b).contains(&port),
            PortPattern::SchemeDefault => default_port(scheme) == Some(port),
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Subdomain(suffix) => host.ends_with(suffix.as_str()),
            HostPattern::Exact(h) => *h == host,
            HostPattern::Network { addr, prefix } => host
                .parse::<IpAddr>()
                .is_ok_and(|ip| in_network(ip, *addr, *prefix)),
            HostPattern::ToSelf => false,
        };
        scheme_ok && host_ok && port_ok
    }
}

fn looks_like_cidr(s: &str) -> bool {
    s.split_once('/').is_some_and(|(a, b)| {
        a.parse::<IpAddr>().is_ok() && b.split(':').next().is_some_and(|p| p.parse::<u8>().is_ok())
    })
}

fn split_host_port(rest: &str) -> (&str, Option<&str>) {
    if let Some(inner) = rest.strip_prefix('[') {
        // [v6]:port
        if let Some((h, tail)) = inner.split_once(']') {
            return (h, tail.strip_prefix(':'));
        }
    }
    if rest.parse::<IpAddr>().is_ok() {
        return (rest, None);
    }
    match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (rest, None),
    }
}

fn parse_host(host: &str) -> Result<HostPattern> {
    let host = host.trim().to_ascii_lowercase();
    if host == "*" {
        return Ok(HostPattern::Any);
    }
    if host == "self" || host == "self.alt" {
        return Ok(HostPattern::ToSelf);
    }
    if let Some((addr, prefix)) = host.split_once('/') {
        let addr: IpAddr = addr.parse().context("invalid network address")?;
        let prefix: u8 = prefix.parse().context("invalid network prefix")?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            bail!("prefix /{prefix} is too long");
        }
        return Ok(HostPattern::Network { addr, prefix });
    }
    if let Some(domain) = host.strip_prefix("*.") {
        if domain.is_empty() || domain.contains('*') {
            bail!("wildcards are allowed only as a leading '*.'");
        }
        return Ok(HostPattern::Subdomain(format!(".{domain}")));
    }
    if host.is_empty() || host.contains('*') {
        bail!("{host:?}: wildcards are allowed only as a leading '*.'");
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        bail!("{host:?} is not a host name or address");
    }
    Ok(HostPattern::Exact(host))
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            (u32::from(a) & mask) == (u32::from(b) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            (u128::from(a) & mask) == (u128::from(b) & mask)
        }
        _ => false,
    }
}

/// A component's resolved list of allowed hosts.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    entries: Vec<AllowedHost>,
}

impl AllowedHosts {
    /// Renders each templated entry with the application's variables and parses it.
    pub fn resolve(
        component: &crate::manifest::Component,
        values: &std::collections::HashMap<String, String>,
    ) -> Result<Self> {
        let mut entries = Vec::new();
        for template in &component.allowed_outbound_hosts {
            let Some(text) = template.render(values) else {
                bail!(
                    "component {:?}: an allowed_outbound_hosts entry refers to a variable without a value",
                    component.id
                );
            };
            entries.push(AllowedHost::parse(&text).with_context(|| {
                format!("component {:?}: allowed_outbound_hosts", component.id)
            })?);
        }
        Ok(Self { entries })
    }

    /// Whether any entry allows `scheme://host:port`.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        self.entries.iter().any(|e| e.allows(scheme, host, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entry: &str, scheme: &str, host: &str, port: u16) -> bool {
        AllowedHost::parse(entry)
            .unwrap()
            .allows(scheme, host, port)
    }

    #[test]
    fn exact_entries_and_default_ports() {
        assert!(allows(
            "https://api.example.com",
            "https",
            "api.example.com",
            443
        ));
        assert!(!allows(
            "https://api.example.com",
            "https",
            "api.example.com",
            8443
        ));
        assert!(!allows(
            "https://api.example.com",
            "http",
            "api.example.com",
            443
        ));
        assert!(!allows("https://api.example.com", "https", "evil.com", 443));
        assert!(allows(
            "postgres://localhost",
            "postgres",
            "localhost",
            5432
        ));
        assert!(allows("http://127.0.0.1:8080", "http", "127.0.0.1", 8080));
    }

    #[test]
    fn wildcards_ranges_and_networks() {
        assert!(allows("*://*:*", "https", "anything", 1));
        assert!(allows(
            "https://*.example.com",
            "https",
            "a.b.example.com",
            443
        ));
        assert!(!allows(
            "https://*.example.com",
            "https",
            "example.com",
            443
        ));
        assert!(allows(
            "http://localhost:8000..8002",
            "http",
            "localhost",
            8001
        ));
        assert!(!allows(
            "http://localhost:8000..8002",
            "http",
            "localhost",
            8002
        ));
        assert!(allows("http://10.0.0.0/8:*", "http", "10.1.2.3", 99));
        assert!(!allows("http://10.0.0.0/8:*", "http", "11.1.2.3", 99));
        assert!(allows("*://example.com", "https", "example.com", 443));
        assert!(!allows("*://example.com", "https", "example.com", 80));
        assert!(allows("http://[::1]:8080", "http", "[::1]", 8080));
        assert!(!allows("http://self", "http", "self", 80));
    }

    #[test]
    fn malformed_entries_are_refused() {
        for bad in [
            "example.com",
            "https://ex*ample.com",
            "https://a.com/path",
            "ftp://a.com",
            "https://a.com:99999",
            "https://a.com:9..1",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad}");
        }
    }
}
