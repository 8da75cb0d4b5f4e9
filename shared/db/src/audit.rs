//! `audit_logs`: who did what, when, from where.

use uuid::Uuid;

use crate::{Db, DbError, Param};

/// Longest `User-Agent` kept.
const USER_AGENT_MAX_CHARS: usize = 512;
/// Longest `target` kept.
const TARGET_MAX_CHARS: usize = 320;

/// Every action the audit log records, `area.verb` on the wire (the `action` column). One list,
/// so that a filter, a report or a new writer cannot misspell an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A user registered (or an admin created an account through registration).
    Register,
    /// A login succeeded.
    Login,
    /// A login failed (unknown email, wrong password, disabled account).
    LoginFailed,
    /// Too many failures: the email or address is locked out for a while.
    Lockout,
    /// A session was logged out.
    Logout,
    /// A spent refresh token came again: its whole family was revoked.
    RefreshReuseDetected,
    /// A user ended one of their sessions.
    SessionRevoked,
    /// A user changed their password.
    PasswordChanged,
    /// A password change was refused (wrong current password).
    PasswordChangeFailed,
    /// The first admin was created from the `bootstrap_admin_*` variables.
    BootstrapAdmin,
    /// The command-line tool made an account an admin with a new password.
    AdminSetByCli,
    /// A conversation was created.
    ChatCreated,
    /// A conversation was renamed.
    ChatRenamed,
    /// A conversation was deleted.
    ChatDeleted,
    /// A message was answered (whatever the outcome: complete, partial or error).
    ChatMessageAnswered,
}

impl AuditAction {
    /// Every action, in the order above.
    pub const ALL: [Self; 15] = [
        Self::Register,
        Self::Login,
        Self::LoginFailed,
        Self::Lockout,
        Self::Logout,
        Self::RefreshReuseDetected,
        Self::SessionRevoked,
        Self::PasswordChanged,
        Self::PasswordChangeFailed,
        Self::BootstrapAdmin,
        Self::AdminSetByCli,
        Self::ChatCreated,
        Self::ChatRenamed,
        Self::ChatDeleted,
        Self::ChatMessageAnswered,
    ];

    /// The stored name, `area.verb`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Register => "auth.register",
            Self::Login => "auth.login",
            Self::LoginFailed => "auth.login_failed",
            Self::Lockout => "auth.lockout",
            Self::Logout => "auth.logout",
            Self::RefreshReuseDetected => "auth.refresh_reuse_detected",
            Self::SessionRevoked => "auth.session_revoked",
            Self::PasswordChanged => "auth.password_changed",
            Self::PasswordChangeFailed => "auth.password_change_failed",
            Self::BootstrapAdmin => "auth.bootstrap_admin",
            Self::AdminSetByCli => "auth.admin_set_by_cli",
            Self::ChatCreated => "chat.created",
            Self::ChatRenamed => "chat.renamed",
            Self::ChatDeleted => "chat.deleted",
            Self::ChatMessageAnswered => "chat.message_answered",
        }
    }

    /// The action stored as `name`, if it is one of the list.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One audit event. Never put a password, a token or a secret in it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// The user who acted, when known.
    pub actor_id: Option<Uuid>,
    /// What happened.
    pub action: AuditAction,
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
            event.action.as_str().into(),
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
            action: AuditAction::LoginFailed,
            target: Some("a@example.com".into()),
            client_addr: Some("10.0.0.1".into()),
            user_agent: Some("x".repeat(10_000)),
            details: serde_json::json!({"reason": "wrong_password"}),
        };
        let id = insert(&db, &event).unwrap();
        assert_eq!(id.get_version_num(), 7);
        let (_, params) = &db.calls()[0];
        assert_eq!(params[1], Param::Null);
        assert_eq!(params[2], Param::Text("auth.login_failed".into()));
        assert_eq!(params[5], Param::Text("x".repeat(512)));
    }

    #[test]
    fn actions_have_one_unique_name_each() {
        let names: std::collections::HashSet<_> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            let (area, verb) = action.as_str().split_once('.').unwrap();
            assert!(!area.is_empty() && !verb.is_empty(), "{action}");
        }
        assert_eq!(AuditAction::parse("chat.exploded"), None);
    }
}
