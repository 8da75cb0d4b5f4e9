//! The use cases around a login, over `hub-db`: starting a session for a user who proved who
//! they are, and the failed-login throttle (check, count, block).

use hub_db::users::User;
use hub_db::{Db, sessions, throttle};
use uuid::Uuid;

use crate::{
    AuthError, REFRESH_TOKEN_TTL_SECS, RefreshToken, ThrottlePolicy, UserContext, Verdict,
};

/// Where a request came from, for sessions and audit events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's IP address (Spin's `spin-client-addr`, port stripped).
    pub addr: Option<String>,
    /// Its `User-Agent`, cut to 512 characters.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// From the values of the `spin-client-addr` and `user-agent` headers.
    pub fn from_headers(spin_client_addr: Option<&str>, user_agent: Option<&str>) -> Self {
        Self {
            addr: crate::client_ip(spin_client_addr).map(|ip| ip.to_string()),
            user_agent: user_agent.map(|ua| ua.chars().take(512).collect()),
        }
    }
}

/// Starts a session (a refresh token family) for `user`; who the session's requests are from,
/// and its first refresh token.
pub fn start_session(
    db: &dyn Db,
    user: &User,
    client: &ClientInfo,
) -> Result<(UserContext, RefreshToken), AuthError> {
    let refresh = RefreshToken::generate()?;
    let context = UserContext {
        user_id: user.id,
        is_admin: user.is_admin,
        session_id: Uuid::new_v4(),
    };
    sessions::create(
        db,
        &sessions::NewSession {
            id: context.session_id,
            user_id: user.id,
            token_hash: &refresh.hash(),
            token_ttl_secs: REFRESH_TOKEN_TTL_SECS,
            client_addr: client.addr.as_deref(),
            user_agent: client.user_agent.as_deref(),
        },
    )?;
    Ok((context, refresh))
}

/// [`AuthError::Throttled`] when the account (normalised email) or the client's address is
/// blocked.
pub fn check_throttle(db: &dyn Db, account: &str, client: &ClientInfo) -> Result<(), AuthError> {
    match throttle::blocked_for(db, account, client.addr.as_deref())? {
        Some(secs) => Err(AuthError::Throttled {
            retry_after_secs: u64::try_from(secs).unwrap_or(1).max(1),
        }),
        None => Ok(()),
    }
}

/// An account or address that a failure just locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockout {
    /// What was locked.
    pub scope: throttle::Scope,
    /// The email or the address.
    pub key: String,
    /// Failures counted in the window.
    pub failures: u32,
    /// How long the lock lasts.
    pub secs: i64,
}

/// What counting a failure did: the locks it set (to be audited), and what went wrong on the
/// way (to be logged; counting never fails the request).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FailureCount {
    /// Accounts or addresses locked by this failure.
    pub lockouts: Vec<Lockout>,
    /// Failures of the counting itself.
    pub problems: Vec<String>,
}

/// Counts a failed attempt against the account and the client's address and blocks them as
/// [`ThrottlePolicy::ACCOUNT`] and [`ThrottlePolicy::ADDRESS`] say.
pub fn record_failure(db: &dyn Db, account: &str, client: &ClientInfo) -> FailureCount {
    let mut count = FailureCount::default();
    let mut keys = vec![(throttle::Scope::Account, account, ThrottlePolicy::ACCOUNT)];
    if let Some(addr) = client.addr.as_deref() {
        keys.push((throttle::Scope::Address, addr, ThrottlePolicy::ADDRESS));
    }
    for (scope, key, policy) in keys {
        let failures = match throttle::record_failure(db, scope, key, policy.window_secs) {
            Ok(n) => n,
            Err(e) => {
                count
                    .problems
                    .push(format!("could not count a failure: {e}"));
                continue;
            }
        };
        let verdict = policy.after_failures(failures);
        if verdict == Verdict::Allow {
            continue;
        }
        if let Err(e) = throttle::block(db, scope, key, verdict.block_secs()) {
            count.problems.push(format!("could not block: {e}"));
        }
        if let Verdict::Lock { secs } = verdict
            && failures == policy.lock_after
        {
            count.lockouts.push(Lockout {
                scope,
                key: key.to_owned(),
                failures,
                secs,
            });
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_db::testing::FakeDb;

    #[test]
    fn client_info_comes_from_the_headers() {
        let client =
            ClientInfo::from_headers(Some("[::ffff:10.0.0.7]:5000"), Some(&"a".repeat(600)));
        assert_eq!(client.addr.as_deref(), Some("10.0.0.7"));
        assert_eq!(client.user_agent.unwrap().len(), 512);
        assert_eq!(ClientInfo::from_headers(None, None), ClientInfo::default());
    }

    #[test]
    fn a_failed_count_is_reported_not_raised() {
        let db = FakeDb::new();
        db.push_error(hub_db::DbError::Unavailable("down".into()));
        db.push_error(hub_db::DbError::Unavailable("down".into()));
        let count = record_failure(&db, "a@example.com", &ClientInfo::default());
        assert_eq!(count.lockouts, []);
        assert_eq!(count.problems.len(), 1);
        assert!(matches!(
            check_throttle(&db, "a@example.com", &ClientInfo::default()),
            Err(AuthError::Db(_))
        ));
    }
}
