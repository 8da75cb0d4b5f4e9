//! `login_throttle`: failed-login counters per account and per client address.

use crate::{Db, DbError, Param};

/// What a counter counts failures of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// An account: the normalised email (whether or not an account has it).
    Account,
    /// A client address.
    Address,
}

impl Scope {
    /// The stored name: `account` or `address`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Address => "address",
        }
    }
}

/// Seconds until the longest block on any of the keys ends; `None` when none is blocked.
/// `address` may be unknown.
pub fn blocked_for(
    db: &dyn Db,
    account: &str,
    address: Option<&str>,
) -> Result<Option<i64>, DbError> {
    const SQL: &str = r#"
SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int8 AS secs
FROM login_throttle
WHERE blocked_until > now()
  AND ((scope = 'account' AND key = $1) OR (scope = 'address' AND key = $2))"#;
    let rows = db.query(SQL, &[account.into(), address.into()])?;
    Ok(rows
        .first()
        .map(|r| r.get::<Option<i64>>("secs"))
        .transpose()?
        .flatten()
        .map(|secs| secs.max(1)))
}

/// Counts one failure for `key`, forgetting earlier ones when the last was more than
/// `window_secs` ago; the number of failures in the window, this one included.
pub fn record_failure(
    db: &dyn Db,
    scope: Scope,
    key: &str,
    window_secs: i64,
) -> Result<u32, DbError> {
    const SQL: &str = r#"
INSERT INTO login_throttle AS t (scope, key, failures, last_failure_at)
VALUES ($1, $2, 1, now())
ON CONFLICT (scope, key) DO UPDATE SET
    failures = CASE
        WHEN t.last_failure_at < now() - $3::int8 * interval '1 second' THEN 1
        ELSE least(t.failures, 1000000) + 1
    END,
    last_failure_at = now()
RETURNING failures"#;
    let rows = db.query(
        SQL,
        &[scope.as_str().into(), key.into(), window_secs.into()],
    )?;
    let failures: i64 = rows
        .first()
        .map(|r| r.get("failures"))
        .transpose()?
        .unwrap_or(1);
    Ok(u32::try_from(failures).unwrap_or(u32::MAX))
}

/// Blocks `key` for `secs` seconds from now.
pub fn block(db: &dyn Db, scope: Scope, key: &str, secs: i64) -> Result<(), DbError> {
    const SQL: &str = r#"
UPDATE login_throttle SET blocked_until = now() + $3::int8 * interval '1 second'
WHERE scope = $1 AND key = $2"#;
    db.execute(
        SQL,
        &[scope.as_str().into(), key.into(), Param::Int64(secs)],
    )
    .map(drop)
}

/// Forgets the failures of `key` (after a successful login).
pub fn clear(db: &dyn Db, scope: Scope, key: &str) -> Result<(), DbError> {
    const SQL: &str = "DELETE FROM login_throttle WHERE scope = $1 AND key = $2";
    db.execute(SQL, &[scope.as_str().into(), key.into()])
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    #[test]
    fn blocked_for_is_at_least_a_second_and_none_when_free() {
        let db = FakeDb::new();
        assert_eq!(blocked_for(&db, "a@example.com", None).unwrap(), None);
        assert_eq!(db.calls()[0].1[1], Param::Null);

        db.push_rows(Rows::new(vec!["secs".into()], vec![vec![Value::Null]]));
        assert_eq!(
            blocked_for(&db, "a@example.com", Some("::1")).unwrap(),
            None
        );
        db.push_rows(Rows::new(vec!["secs".into()], vec![vec![Value::Int(0)]]));
        assert_eq!(
            blocked_for(&db, "a@example.com", Some("::1")).unwrap(),
            Some(1)
        );
        db.push_rows(Rows::new(vec!["secs".into()], vec![vec![Value::Int(42)]]));
        assert_eq!(
            blocked_for(&db, "a@example.com", Some("::1")).unwrap(),
            Some(42)
        );
    }

    #[test]
    fn record_failure_returns_the_count() {
        let db = FakeDb::new();
        db.push_rows(Rows::new(
            vec!["failures".into()],
            vec![vec![Value::Int(4)]],
        ));
        assert_eq!(
            record_failure(&db, Scope::Address, "10.0.0.1", 900).unwrap(),
            4
        );
        let (_, params) = &db.calls()[0];
        assert_eq!(
            params[..],
            [
                Param::Text("address".into()),
                Param::Text("10.0.0.1".into()),
                Param::Int64(900)
            ]
        );
    }
}
