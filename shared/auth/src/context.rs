//! Who a request is from, and how to read its credentials and address.

use std::net::{IpAddr, SocketAddr};

use uuid::Uuid;

use crate::AuthError;

/// A verified caller: from a valid access token whose user is active and whose session is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserContext {
    /// The user's id.
    pub user_id: Uuid,
    /// Whether the user is an admin (as the database says now).
    pub is_admin: bool,
    /// The session (refresh token family) the access token belongs to.
    pub session_id: Uuid,
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let value = authorization.ok_or(AuthError::MissingCredentials)?.trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthError::MalformedAuthorization {
            scheme: scheme.chars().take(16).collect(),
        });
    }
    Ok(token)
}

/// The client's IP address from Spin's `spin-client-addr` header (`1.2.3.4:5678`,
/// `[::1]:5678`), without the port; `None` when absent or unreadable.
pub fn client_ip(spin_client_addr: Option<&str>) -> Option<IpAddr> {
    let value = spin_client_addr?.trim();
    value
        .parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| value.parse::<IpAddr>())
        .ok()
        .map(|ip| match ip {
            // An IPv4 client on a dual-stack socket.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_tokens() {
        assert_eq!(bearer_token(Some("Bearer abc.def")).unwrap(), "abc.def");
        assert_eq!(bearer_token(Some("bearer   abc ")).unwrap(), "abc");
        assert_eq!(bearer_token(None), Err(AuthError::MissingCredentials));
        for bad in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "abc", ""] {
            assert!(
                matches!(
                    bearer_token(Some(bad)),
                    Err(AuthError::MalformedAuthorization { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn strips_the_port() {
        assert_eq!(
            client_ip(Some("1.2.3.4:5678")).unwrap().to_string(),
            "1.2.3.4"
        );
        assert_eq!(client_ip(Some("[::1]:80")).unwrap().to_string(), "::1");
        assert_eq!(
            client_ip(Some("[::ffff:10.0.0.1]:80")).unwrap().to_string(),
            "10.0.0.1"
        );
        assert_eq!(client_ip(Some("10.1.2.3")).unwrap().to_string(), "10.1.2.3");
        assert_eq!(client_ip(Some("not an address")), None);
        assert_eq!(client_ip(None), None);
    }
}
