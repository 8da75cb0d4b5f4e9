//! The audit log for admins: `GET /api/admin/audit` (a `Page` of [`AuditEntryView`]),
//! `GET /api/admin/audit.csv` and `GET /api/admin/audit/verify` ([`AuditVerification`]).

use serde::{Deserialize, Serialize};

/// One audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntryView {
    /// Its place in the hash chain (1, 2, 3, ...).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// Its id (UUID v7).
    pub id: String,
    /// Who acted; `null` for events without a signed-in actor (failed logins, the CLI).
    pub actor_id: Option<String>,
    /// The actor's current email; `null` when unknown or the account is gone.
    pub actor_email: Option<String>,
    /// What happened, `area.verb` (e.g. `auth.login`, `admin.user_updated`).
    pub action: String,
    /// What it was done to (a user or chat id, an email, a model id).
    pub target: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// Before/after values and the like (never a secret).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub details: serde_json::Value,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// Its link in the chain: SHA-256 (hex) over its content and the previous row's hash.
    pub hash: String,
}

/// The first broken link of the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditBrokenLink {
    /// Where the chain breaks.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
    /// The row found there; `null` when rows are missing at the end.
    pub id: Option<String>,
    /// `missing` (the row at `seq` was deleted), `prev_hash_mismatch` (a row before was
    /// deleted, inserted or reordered), `hash_mismatch` (the row was changed), `head_mismatch`
    /// (rows removed from the end).
    pub problem: String,
    /// What differs, for people.
    pub message: String,
}

/// What verifying the audit chain found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditVerification {
    /// Whether every link holds.
    pub ok: bool,
    /// Rows whose link was checked and held.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub checked: i64,
    /// The last row of the chain when the check started (0 when empty).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub head_seq: i64,
    /// Its hash (hex): keep it elsewhere to detect a rewrite of the whole chain later.
    pub head_hash: String,
    /// The first broken link; `null` when `ok`.
    pub broken: Option<AuditBrokenLink>,
}
