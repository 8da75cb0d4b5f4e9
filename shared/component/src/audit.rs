//! Writing audit events without ever failing the request that caused them.

pub use hub_auth::ClientInfo;
use hub_db::Db;
pub use hub_db::audit::AuditAction;
use hub_db::audit::{self, AuditEvent};
use spin_sdk::http::Request;

/// Where `req` came from: its `spin-client-addr` and `User-Agent`.
pub fn client(req: &Request) -> ClientInfo {
    let text = |name: &str| req.header(name).and_then(|v| v.as_str());
    ClientInfo::from_headers(text("spin-client-addr"), text("user-agent"))
}

/// Records `action` by `actor` on `target`. A failure is logged and otherwise ignored: auditing
/// never fails the user's request. Call it outside any transaction (a failed insert would abort
/// the transaction).
pub fn record(
    db: &dyn Db,
    client: &ClientInfo,
    actor_id: Option<uuid::Uuid>,
    action: AuditAction,
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
        crate::log::warn("audit", format_args!("could not record {action}: {e}"));
    }
}

/// [`record`] of `action` by the authenticated `actor` on the resource `id`, with the client
/// of `req`: how a component audits a change it made (outside any transaction).
pub fn record_change(
    req: &Request,
    db: &dyn Db,
    actor: uuid::Uuid,
    action: AuditAction,
    id: uuid::Uuid,
    details: serde_json::Value,
) {
    record(
        db,
        &client(req),
        Some(actor),
        action,
        Some(id.to_string()),
        details,
    );
}
