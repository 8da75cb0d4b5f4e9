//! Counts across aggregates for the admin's statistics.

use crate::{Db, DbError};

/// Account counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserCounts {
    /// Every account.
    pub total: i64,
    /// Active accounts.
    pub active: i64,
    /// Active admins.
    pub admins: i64,
    /// Accounts that logged in or used a model in the last 7 days.
    pub active_7_days: i64,
    /// The same for 30 days.
    pub active_30_days: i64,
}

/// Counts the accounts.
pub fn user_counts(db: &dyn Db) -> Result<UserCounts, DbError> {
    const SQL: &str = r#"
WITH recent AS (
    SELECT greatest(u.last_login_at, t.last_use) AS seen
    FROM app_users AS u
    LEFT JOIN LATERAL (
        SELECT max(created_at) AS last_use FROM chat_token_usage
        WHERE user_id = u.id AND created_at >= now() - interval '30 days'
    ) AS t ON true
)
SELECT (SELECT count(*) FROM app_users) AS total,
       (SELECT count(*) FROM app_users WHERE is_active) AS active,
       (SELECT count(*) FROM app_users WHERE is_active AND is_admin) AS admins,
       (SELECT count(*) FROM recent WHERE seen >= now() - interval '7 days') AS active_7_days,
       (SELECT count(*) FROM recent WHERE seen >= now() - interval '30 days') AS active_30_days"#;
    let rows = db.query(SQL, &[])?;
    let row = rows.first().ok_or_else(|| DbError::Decode {
        column: "total".to_owned(),
        problem: "the count returned no row".to_owned(),
    })?;
    Ok(UserCounts {
        total: row.get("total")?,
        active: row.get("active")?,
        admins: row.get("admins")?,
        active_7_days: row.get("active_7_days")?,
        active_30_days: row.get("active_30_days")?,
    })
}

/// The number of chats and of messages.
pub fn chat_counts(db: &dyn Db) -> Result<(i64, i64), DbError> {
    const SQL: &str = r#"
SELECT (SELECT count(*) FROM chats) AS chats, (SELECT count(*) FROM chat_messages) AS messages"#;
    let rows = db.query(SQL, &[])?;
    match rows.first() {
        Some(row) => Ok((row.get("chats")?, row.get("messages")?)),
        None => Ok((0, 0)),
    }
}

/// The number of assistants and of prompt templates (global and personal).
pub fn content_counts(db: &dyn Db) -> Result<(i64, i64), DbError> {
    const SQL: &str = r#"
SELECT (SELECT count(*) FROM assistants) AS assistants,
       (SELECT count(*) FROM prompt_templates) AS templates"#;
    let rows = db.query(SQL, &[])?;
    match rows.first() {
        Some(row) => Ok((row.get("assistants")?, row.get("templates")?)),
        None => Ok((0, 0)),
    }
}

/// Messages per UTC day of the last `days` days (today included), oldest first, every day
/// present (zero when none): `(YYYY-MM-DD, count)`.
pub fn messages_per_day(db: &dyn Db, days: i32) -> Result<Vec<(String, i64)>, DbError> {
    const SQL: &str = r#"
WITH days AS (
    SELECT generate_series(
        (now() AT TIME ZONE 'UTC')::date - ($1::int4 - 1),
        (now() AT TIME ZONE 'UTC')::date,
        interval '1 day'
    )::date AS day
),
counts AS (
    SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
    FROM chat_messages
    WHERE created_at >= ((now() AT TIME ZONE 'UTC')::date - ($1::int4 - 1))::timestamp
        AT TIME ZONE 'UTC'
    GROUP BY 1
)
SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(counts.n, 0)::int8 AS count
FROM days LEFT JOIN counts ON counts.day = days.day
ORDER BY days.day"#;
    let rows = db.query(SQL, &[days.into()])?;
    rows.iter()
        .map(|row| Ok((row.get("day")?, row.get("count")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Param, Rows, Value};

    #[test]
    fn messages_per_day_reads_the_series_and_passes_the_days() {
        let db = FakeDb::new();
        db.push_rows(Rows::new(
            vec!["day".into(), "count".into()],
            vec![
                vec![Value::Text("2026-12-02".into()), Value::Int(0)],
                vec![Value::Text("2026-12-03".into()), Value::Int(4)],
            ],
        ));
        let series = messages_per_day(&db, 2).unwrap();
        assert_eq!(series, [("2026-12-02".into(), 0), ("2026-12-03".into(), 4)]);
        assert_eq!(db.calls()[0].1, [Param::Int32(2)]);
        // No row at all is an error for the counts, never a made-up zero.
        assert!(user_counts(&FakeDb::new()).is_err());
        assert_eq!(chat_counts(&FakeDb::new()).unwrap(), (0, 0));
    }
}
