//! Writing audit events without ever failing the request that caused them.

use hub_db::Db;
use hub_db::audit::{self, AuditEvent};
use spin_sdk::http::Request;

/// Where a request came from, for audit events and sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's IP address (Spin's `spin-client-addr`, port stripped).
    pub addr: Option<String>,
    /// Its `User-Agent`, cut to 512 characters.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// Reads the request's headers.
    pub fn from_request(req: &Request) -> Self {
        let text = |name: &str| req.header(name).and_then(|v| v.as_str());
        Self {
            addr: hub_auth::client_ip(text("spin-client-addr")).map(|ip| ip.to_string()),
            user_agent: text("user-agent").map(|ua| ua.chars().take(512).collect()),
        }
    }
}

/// Records `action` by `actor` on `target`. A failure is logged and otherwise ignored: auditing
/// never fails the user's request. Call it outside any transaction (a failed insert would abort
/// the transaction).
pub fn record(
    db: &dyn Db,
    client: &ClientInfo,
    actor_id: Option<uuid::Uuid>,
    action: &'static str,
    target: Option<String>,
    details: serde_json::Value,
) {
    let event = AuditEvent {
        actor_id,
        action,
        target,
        client_addr: client.addr.clone(),
        user_agent: client.user_agent.clone(),
        details,
    };
    if let Err(e) = audit::insert(db, &event) {
        eprintln!("audit: could not record {action}: {e}");
    }
}
