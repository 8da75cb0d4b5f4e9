//! The audit log as admins read it: filtered, newest first (by `seq`), in keyset pages.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AuditAction;
use super::chain::StoredLink;
use crate::{Db, DbError, Param, Row};

/// The largest page ([`list`] clamps to it).
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// Which rows to list; every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only rows by this actor.
    pub actor_id: Option<Uuid>,
    /// Only rows with exactly this target (checked for NUL by the caller's parsing).
    pub target: Option<String>,
    /// Only rows written at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only rows written before this time.
    pub until: Option<DateTime<Utc>>,
}

/// One row of the audit log: the row as stored (with its links) and who its actor is now.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// The row.
    pub row: StoredLink,
    /// The actor's current email (none when unknown or deleted).
    pub actor_email: Option<String>,
}

impl AuditEntry {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            row: StoredLink::from_row(row)?,
            actor_email: row.get("actor_email")?,
        })
    }
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// The rows, newest first.
    pub items: Vec<AuditEntry>,
    /// The cursor of the next page (the seq the next page continues before); `None` on the last.
    pub next: Option<i64>,
}

/// Rows matching `filter`, newest first (`seq` descending), `limit` of them (clamped to
/// `1..=`[`MAX_PAGE_SIZE`]) before the seq `before`. Each filter column leads an index ending in
/// seq (see the chain migration), so a page is one index range scan; the actor's email is one
/// primary-key lookup per listed row (a join would read every account for a page).
pub fn list(
    db: &dyn Db,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<AuditPage, DbError> {
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let mut params: Vec<Param> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let mut add = |condition: &str, param: Param| {
        params.push(param);
        conditions.push(condition.replace('#', &format!("${}", params.len())));
    };
    if let Some(action) = filter.action {
        add("a.action = #", action.as_str().into());
    }
    if let Some(actor) = filter.actor_id {
        add("a.actor_id = #", Param::Uuid(actor));
    }
    if let Some(target) = &filter.target {
        add("a.target = #", target.into());
    }
    // A time bound is also a seq bound (rows are written in time order: `created_at` is taken
    // under the chain's lock), found on the created_at index, so that an old time range does
    // not walk every newer row.
    if let Some(from) = filter.from {
        add(
            "a.created_at >= #::text::timestamptz AND a.seq >= (SELECT s.seq FROM audit_logs s \
             WHERE s.created_at >= #::text::timestamptz ORDER BY s.created_at LIMIT 1)",
            from.into(),
        );
    }
    if let Some(until) = filter.until {
        add(
            "a.created_at < #::text::timestamptz AND a.seq <= (SELECT s.seq FROM audit_logs s \
             WHERE s.created_at < #::text::timestamptz ORDER BY s.created_at DESC LIMIT 1)",
            until.into(),
        );
    }
    if let Some(before) = before {
        add("a.seq < #", Param::Int64(before));
    }
    // One more than the page: whether there is a next page.
    params.push(Param::Int64(i64::from(limit) + 1));
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        r#"
SELECT a.seq, a.id, a.actor_id,
       (SELECT u.email FROM app_users u WHERE u.id = a.actor_id) AS actor_email,
       a.action, a.target, a.client_addr, a.user_agent, a.details,
       a.created_at AT TIME ZONE 'UTC' AS created_at, a.prev_hash, a.hash
FROM audit_logs a
{where_clause}
ORDER BY a.seq DESC
LIMIT ${}"#,
        params.len()
    );
    let rows = db.query(&sql, &params)?;
    let mut items = rows
        .iter()
        .map(AuditEntry::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(|e| e.row.seq)
    } else {
        None
    };
    Ok(AuditPage { items, next })
}

/// A page cursor as the API hands it out: `s` and the seq in hex.
pub fn encode_cursor(before: i64) -> String {
    format!("s{before:x}")
}

/// Reads [`encode_cursor`]'s form; `None` for anything else.
pub fn decode_cursor(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('s')?;
    if digits.is_empty()
        || digits.len() > 16
        || !digits
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    i64::from_str_radix(digits, 16).ok().filter(|s| *s > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;

    #[test]
    fn no_filter_lists_newest_first_with_one_row_more() {
        let db = FakeDb::new();
        let page = list(&db, &AuditFilter::default(), None, 0).unwrap();
        assert_eq!(
            page,
            AuditPage {
                items: vec![],
                next: None
            }
        );
        let (sql, params) = &db.calls()[0];
        assert!(!sql.contains("WHERE a."), "{sql}");
        assert!(sql.contains("ORDER BY a.seq DESC"), "{sql}");
        assert_eq!(params[..], [Param::Int64(2)]);
    }

    #[test]
    fn every_filter_is_a_parameter_in_order() {
        let db = FakeDb::new();
        let from = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let filter = AuditFilter {
            action: Some(AuditAction::Login),
            actor_id: Some(Uuid::from_u128(9)),
            target: Some("x'; DROP TABLE audit_logs; --".into()),
            from: Some(from),
            until: None,
        };
        list(&db, &filter, Some(77), 5000).unwrap();
        let (sql, params) = &db.calls()[0];
        assert!(
            sql.contains(
                "WHERE a.action = $1 AND a.actor_id = $2 AND a.target = $3 \
                 AND a.created_at >= $4::text::timestamptz AND a.seq >= (SELECT s.seq \
                 FROM audit_logs s WHERE s.created_at >= $4::text::timestamptz \
                 ORDER BY s.created_at LIMIT 1) AND a.seq < $5"
            ),
            "{sql}"
        );
        assert!(sql.contains("LIMIT $6"), "{sql}");
        assert!(!sql.contains("DROP"), "{sql}");
        assert_eq!(params[0], Param::Text("auth.login".into()));
        assert_eq!(params[4], Param::Int64(77));
        assert_eq!(params[5], Param::Int64(i64::from(MAX_PAGE_SIZE) + 1));
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        for seq in [1, 255, i64::MAX] {
            assert_eq!(decode_cursor(&encode_cursor(seq)), Some(seq));
        }
        for bad in [
            "",
            "s",
            "s0",
            "sG",
            "S1",
            "1",
            "s-1",
            "s8000000000000000",
            "s00000000000000001",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
