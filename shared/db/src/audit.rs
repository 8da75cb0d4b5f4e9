//! `audit_logs`: who did what, when, from where.

use uuid::Uuid;

use crate::{Db, DbError, Param};

/// Longest `User-Agent` kept.
const USER_AGENT_MAX_CHARS: usize = 512;
/// Longest `target` kept.
const TARGET_MAX_CHARS: usize = 320;

/// One audit event. Never put a password, a token or a secret in it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// The user who acted, when known.
    pub actor_id: Option<Uuid>,
    /// What happened, `area.verb` (`auth.login_failed`).
    pub action: &'static str,
    /// What it was done to (an email, a user or session id).
    pub target: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// Anything else, as a JSON object.
    pub details: serde_json::Value,
}

/// Stores an event under a fresh time-ordered (v7) id; the id.
pub fn insert(db: &dyn Db, event: &AuditEvent) -> Result<Uuid, DbError> {
    const SQL: &str = r#"
INSERT INTO audit_logs (id, actor_id, action, target, client_addr, user_agent, details)
VALUES ($1, $2, $3, $4, $5, $6, $7)"#;
    let id = Uuid::now_v7();
    let cut = |s: &Option<String>, max: usize| -> Param {
        s.as_ref()
            .map(|s| s.chars().take(max).collect::<String>())
            .into()
    };
    db.execute(
        SQL,
        &[
            Param::Uuid(id),
            event.actor_id.map(Param::Uuid).unwrap_or(Param::Null),
            event.action.into(),
            cut(&event.target, TARGET_MAX_CHARS),
            event.client_addr.as_deref().into(),
            cut(&event.user_agent, USER_AGENT_MAX_CHARS),
            Param::Json(event.details.clone()),
        ],
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;

    #[test]
    fn insert_cuts_long_values_and_uses_v7_ids() {
        let db = FakeDb::new();
        let event = AuditEvent {
            actor_id: None,
            action: "auth.login_failed",
            target: Some("a@example.com".into()),
            client_addr: Some("10.0.0.1".into()),
            user_agent: Some("x".repeat(10_000)),
            details: serde_json::json!({"reason": "wrong_password"}),
        };
        let id = insert(&db, &event).unwrap();
        assert_eq!(id.get_version_num(), 7);
        let (_, params) = &db.calls()[0];
        assert_eq!(params[1], Param::Null);
        assert_eq!(params[5], Param::Text("x".repeat(512)));
    }
}
