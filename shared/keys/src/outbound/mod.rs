//! The outbound-URL (SSRF) policy for admin-entered provider base URLs.
//!
//! An admin types a base URL (an Azure OpenAI endpoint, an OpenAI-compatible server); the hub
//! later sends requests, with the provider key, to that URL. [`OutboundPolicy::validate`] checks
//! it before it is stored:
//!
//! - `https` only; `http` only for a host in the operator's trusted list
//!   ([`TRUSTED_HOSTS_VARIABLE`], passed in by the caller); no other scheme;
//! - a host, no user name or password, no query, no fragment, no whitespace or control
//!   characters;
//! - no loopback, private (including carrier NAT `100.64/10`), link-local, unique-local,
//!   unspecified, multicast, broadcast, reserved or cloud-metadata address, and no IPv4 address
//!   wrapped in IPv6 (mapped, compatible, NAT64, 6to4), however it is written: the host is
//!   judged after WHATWG URL parsing (the `url` crate), which turns decimal (`2130706433`),
//!   octal (`0177.0.0.1`), hexadecimal (`0x7f.1`), shortened (`127.1`) and percent-encoded
//!   IPv4, fullwidth digits and dots (IDNA), uppercase and bracketed IPv6 into one canonical
//!   form; IPv6 zone ids (`[fe80::1%25eth0]`) do not parse and are refused;
//! - no local or internal name (`localhost`, `*.localhost`, `*.local`, `*.internal`,
//!   `metadata.google.internal`, …, trailing dots ignored) and no name without a dot;
//! - inside the component's `allowed_outbound_hosts` ([`AllowedHosts`], Spin's matching), or
//!   Spin would refuse the requests later.
//!
//! A host in the operator's trusted list may also be an internal address or name (a model
//! server on the company network), never a metadata service nor a multicast, broadcast,
//! reserved or unspecified address. Names are not resolved (no I/O here): a public name that
//! resolves to an internal address is not caught by this check, which is why the component's
//! `allowed_outbound_hosts` must stay narrow.
//!
//! The result, [`SafeBaseUrl`], is the URL as the `url` crate serialises it (lowercase scheme
//! and host, punycode, default port dropped, `.`/`..` segments resolved, trailing dots of the
//! host removed) without any trailing `/`: `https://api.openai.com/v1/` becomes
//! `https://api.openai.com/v1` and `https://res.openai.azure.com/` becomes
//! `https://res.openai.azure.com`, so callers append paths that start with `/`.
//!
//! Errors never repeat the URL as typed (it may hold credentials): they name the normalised host
//! at most. Each has a stable reason code ([`OutboundError::reason`]).

mod address;
mod allowed;

use std::fmt;

pub use address::BlockedKind;
pub use allowed::AllowedHosts;
use url::{Host, Url};

/// The Spin variable an operator sets to one more outbound host for the LLM components (an
/// entry of their `allowed_outbound_hosts` in spin.toml).
pub const EXTRA_HOST_VARIABLE: &str = "llm_extra_host";

/// The Spin variable an operator sets to the hosts admins may point a provider at over plain
/// `http` or on the internal network (comma- or whitespace-separated host names or IP
/// addresses, IPv6 in brackets).
pub const TRUSTED_HOSTS_VARIABLE: &str = "llm_trusted_hosts";

/// The longest base URL accepted, in bytes.
const MAX_URL_LEN: usize = 2048;

/// Why a base URL (or the policy's own configuration) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// Nothing was entered.
    #[error("the base URL is empty")]
    Empty,
    /// The URL is longer than the limit.
    #[error("the base URL is longer than {MAX_URL_LEN} characters")]
    TooLong,
    /// Whitespace or control characters inside the URL.
    #[error("the base URL contains whitespace or control characters")]
    InvalidCharacters,
    /// Not a URL (or an invalid host, port or address in it).
    #[error("the base URL is not a valid absolute URL: {0}")]
    Invalid(String),
    /// A scheme other than `https` and `http`.
    #[error("the base URL must start with https:// (not {scheme}:)")]
    UnsupportedScheme {
        /// The scheme, lowercase.
        scheme: String,
    },
    /// `http` for a host the operator has not trusted.
    #[error(
        "the base URL must use https://; plain http:// is allowed only for a host the operator \
         lists in the Spin variable `{TRUSTED_HOSTS_VARIABLE}` ({host} is not listed)"
    )]
    InsecureScheme {
        /// The URL's host.
        host: String,
    },
    /// A user name or password in the URL.
    #[error(
        "the base URL must not contain a user name or password: enter the API key in its own field"
    )]
    Credentials,
    /// A query string.
    #[error("the base URL must not have a query string (`?…`)")]
    Query,
    /// A fragment.
    #[error("the base URL must not have a fragment (`#…`)")]
    Fragment,
    /// No host.
    #[error("the base URL has no host")]
    MissingHost,
    /// The host is a name with an empty label (`a..b`).
    #[error("the base URL's host {host} is not a valid name")]
    InvalidHost {
        /// The URL's host.
        host: String,
    },
    /// The host is an internal, private, metadata or otherwise forbidden address or name.
    #[error("the base URL's host {host} is {}: provider URLs must point at a public host", kind.describe())]
    Blocked {
        /// The URL's host, normalised.
        host: String,
        /// What kind of address or name it is.
        kind: BlockedKind,
    },
    /// The URL is outside the component's `allowed_outbound_hosts`.
    #[error(
        "{origin} is not among the allowed outbound hosts of the `{component}` component: add \
         \"{origin}\" to `allowed_outbound_hosts` of [component.{component}] in spin.toml, or set \
         the Spin variable `{EXTRA_HOST_VARIABLE}` to \"{origin}\""
    )]
    NotAllowed {
        /// `scheme://host[:port]`, in the form of an `allowed_outbound_hosts` entry.
        origin: String,
        /// The component whose manifest entry is missing.
        component: String,
    },
    /// An `allowed_outbound_hosts` entry is malformed (a configuration error).
    #[error("the allowed_outbound_hosts entry {entry:?} is invalid: {problem}")]
    AllowedHostInvalid {
        /// The entry.
        entry: String,
        /// What is wrong.
        problem: String,
    },
    /// An entry of the trusted-host list is not a host (a configuration error).
    #[error(
        "entry {position} of the Spin variable `{TRUSTED_HOSTS_VARIABLE}` is not a host name or \
         IP address (IPv6 in brackets), without scheme, port or path"
    )]
    TrustedHostInvalid {
        /// The entry's position, from 1.
        position: usize,
    },
}

impl OutboundError {
    /// The stable, machine-readable reason code.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::InvalidCharacters => "invalid_characters",
            Self::Invalid(_) => "invalid_url",
            Self::UnsupportedScheme { .. } => "unsupported_scheme",
            Self::InsecureScheme { .. } => "insecure_scheme",
            Self::Credentials => "credentials",
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::MissingHost => "missing_host",
            Self::InvalidHost { .. } => "invalid_host",
            Self::Blocked { kind, .. } => kind.reason(),
            Self::NotAllowed { .. } => "not_allowed_outbound",
            Self::AllowedHostInvalid { .. } => "allowed_host_invalid",
            Self::TrustedHostInvalid { .. } => "trusted_host_invalid",
        }
    }
}

/// A base URL that passed [`OutboundPolicy::validate`], normalised, without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SafeBaseUrl(String);

impl SafeBaseUrl {
    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for SafeBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a base URL is checked against: the component's `allowed_outbound_hosts` and the
/// operator's trusted hosts.
#[derive(Debug, Clone)]
pub struct OutboundPolicy {
    component: String,
    allowed: AllowedHosts,
    trusted: Vec<String>,
}

impl OutboundPolicy {
    /// The policy of `component` (its id in spin.toml, named in errors), with its resolved
    /// `allowed_outbound_hosts` entries and the text of [`TRUSTED_HOSTS_VARIABLE`] (empty: none).
    pub fn new<S: AsRef<str>>(
        component: impl Into<String>,
        allowed_outbound_hosts: &[S],
        trusted_hosts: &str,
    ) -> Result<Self, OutboundError> {
        let trusted = trusted_hosts
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .enumerate()
            .map(|(index, entry)| {
                normalise_trusted_host(entry).ok_or(OutboundError::TrustedHostInvalid {
                    position: index + 1,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            component: component.into(),
            allowed: AllowedHosts::parse(allowed_outbound_hosts)?,
            trusted,
        })
    }

    /// Checks an admin-entered base URL; see the [module documentation](self) for the rules.
    pub fn validate(&self, input: &str) -> Result<SafeBaseUrl, OutboundError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(OutboundError::Empty);
        }
        if input.len() > MAX_URL_LEN {
            return Err(OutboundError::TooLong);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(OutboundError::InvalidCharacters);
        }
        let mut url = Url::parse(input).map_err(|e| OutboundError::Invalid(e.to_string()))?;
        let scheme = url.scheme().to_owned();
        if scheme != "https" && scheme != "http" {
            return Err(OutboundError::UnsupportedScheme {
                scheme: scheme.chars().take(32).collect(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::Credentials);
        }
        if url.query().is_some() {
            return Err(OutboundError::Query);
        }
        if url.fragment().is_some() {
            return Err(OutboundError::Fragment);
        }
        let blocked = match url.host() {
            None => return Err(OutboundError::MissingHost),
            Some(Host::Ipv4(addr)) => address::classify_v4(addr),
            Some(Host::Ipv6(addr)) => address::classify_v6(addr),
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_owned();
                if name.is_empty() || name.split('.').any(str::is_empty) {
                    return Err(OutboundError::InvalidHost { host: name });
                }
                url.set_host(Some(&name))
                    .map_err(|e| OutboundError::Invalid(e.to_string()))?;
                address::classify_name(&name)
            }
        };
        let host = url.host_str().unwrap_or_default().to_owned();
        let trusted = self.trusted.contains(&host);
        if let Some(kind) = blocked
            && !(trusted && kind.trustable())
        {
            return Err(OutboundError::Blocked { host, kind });
        }
        if scheme == "http" && !trusted {
            return Err(OutboundError::InsecureScheme { host });
        }
        if !self.allowed.allows(&scheme, &host, url.port()) {
            return Err(OutboundError::NotAllowed {
                origin: origin(&scheme, &host, url.port()),
                component: self.component.clone(),
            });
        }
        let mut normalised = String::from(url);
        while normalised.ends_with('/') {
            normalised.pop();
        }
        Ok(SafeBaseUrl(normalised))
    }
}

/// `scheme://host[:port]` as an `allowed_outbound_hosts` entry: the port only when it is not the
/// scheme's default, except after an IPv6 address, which Spin cannot parse without one.
fn origin(scheme: &str, host: &str, port: Option<u16>) -> String {
    let ipv6_default = if host.starts_with('[') {
        allowed::well_known_port(scheme)
    } else {
        None
    };
    match port.or(ipv6_default) {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// A trusted-host entry in the form the `url` crate gives a URL's host, or `None` if it is not
/// a bare host.
fn normalise_trusted_host(entry: &str) -> Option<String> {
    if entry.contains(['/', '@', '?', '#']) {
        return None;
    }
    let url = Url::parse(&format!("http://{entry}/")).ok()?;
    if url.port().is_some() || entry.ends_with(':') {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_owned();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_host_entries() {
        for (entry, host) in [
            ("ollama.lan", "ollama.lan"),
            ("OLLAMA.LAN.", "ollama.lan"),
            ("10.1.2.3", "10.1.2.3"),
            ("0x7f.1", "127.0.0.1"),
            ("[::1]", "[::1]"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(
                normalise_trusted_host(entry).as_deref(),
                Some(host),
                "{entry}"
            );
        }
        for bad in [
            "http://ollama.lan",
            "ollama.lan:11434",
            "ollama.lan/v1",
            "::1",
            "u@host",
            "ollama.lan:",
            ".",
        ] {
            assert_eq!(normalise_trusted_host(bad), None, "{bad}");
        }
        let err =
            OutboundPolicy::new("chat", &["https://x.example"], "ok.lan, http://bad").unwrap_err();
        assert_eq!(err, OutboundError::TrustedHostInvalid { position: 2 });
        assert!(err.to_string().contains(TRUSTED_HOSTS_VARIABLE));
    }

    #[test]
    fn origins_are_valid_allowed_host_entries() {
        assert_eq!(origin("https", "a.example", None), "https://a.example");
        assert_eq!(
            origin("https", "a.example", Some(8443)),
            "https://a.example:8443"
        );
        assert_eq!(
            origin("https", "[2001:db8::1]", None),
            "https://[2001:db8::1]:443"
        );
        for (scheme, host, port) in [
            ("https", "a.example", None),
            ("http", "a.example", Some(8080)),
            ("https", "[2606:4700::1111]", None),
        ] {
            let entry = origin(scheme, host, port);
            let allowed = AllowedHosts::parse(&[entry.as_str()]).unwrap();
            assert!(allowed.allows(scheme, host, port), "{entry}");
        }
    }
}
