//! `chat_token_usage`: the provider-reported usage and exact cost of every request.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Numeric, Owner, Param};

/// The usage of one request to a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUsage<'a> {
    /// The chat, if the request belonged to one.
    pub chat_id: Option<Uuid>,
    /// The answer it produced, if stored.
    pub message_id: Option<Uuid>,
    /// The provider's id (`hub_providers::ProviderKind::as_str`).
    pub provider: &'a str,
    /// The model id the request named.
    pub model: &'a str,
    /// Input tokens, cached ones included.
    pub input_tokens: u64,
    /// Output tokens, reasoning included.
    pub output_tokens: u64,
    /// The part of the input served from the prompt cache.
    pub cached_tokens: u64,
    /// The cost in USD, a non-negative decimal (`hub_providers::cost(..).to_string()`).
    pub cost: Numeric,
    /// The whole request, in milliseconds.
    pub latency_ms: Option<u32>,
    /// Time to the first streamed token, in milliseconds.
    pub ttft_ms: Option<u32>,
    /// Whether the tokens are the hub's estimate (the provider reported none).
    pub estimated: bool,
}

/// Whether `text` is a plain non-negative decimal (`0`, `0.004215`), as the cost must be.
fn is_plain_decimal(text: &str) -> bool {
    let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac) && text.len() <= 64
}

fn tokens(n: u64) -> Param {
    Param::Int64(i64::try_from(n).unwrap_or(i64::MAX))
}

fn millis(n: Option<u32>) -> Param {
    n.map(|n| Param::Int32(i32::try_from(n).unwrap_or(i32::MAX)))
        .unwrap_or(Param::Null)
}

/// Stores the usage of a request by `owner` under a fresh v7 id; the id. Cached tokens are
/// capped at the input tokens (they are part of them).
pub fn insert(db: &dyn Db, owner: Owner, usage: &NewUsage<'_>) -> Result<Uuid, DbError> {
    const SQL: &str = r#"
INSERT INTO chat_token_usage (
    id, user_id, chat_id, message_id, provider, model,
    input_tokens, output_tokens, cached_tokens, cost, latency_ms, ttft_ms, estimated
)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"#;
    if !is_plain_decimal(&usage.cost.0) {
        return Err(DbError::Other(format!(
            "cost {:?} is not a non-negative decimal",
            usage.cost.0.chars().take(64).collect::<String>()
        )));
    }
    let id = Uuid::now_v7();
    db.execute(
        SQL,
        &[
            Param::Uuid(id),
            owner.into(),
            usage.chat_id.map(Param::Uuid).unwrap_or(Param::Null),
            usage.message_id.map(Param::Uuid).unwrap_or(Param::Null),
            usage.provider.into(),
            usage.model.into(),
            tokens(usage.input_tokens),
            tokens(usage.output_tokens),
            tokens(usage.cached_tokens.min(usage.input_tokens)),
            usage.cost.clone().into(),
            millis(usage.latency_ms),
            millis(usage.ttft_ms),
            usage.estimated.into(),
        ],
    )?;
    Ok(id)
}

/// A user's usage over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageSummary {
    /// Input tokens, cached ones included.
    pub input_tokens: i64,
    /// Output tokens.
    pub output_tokens: i64,
    /// Cached input tokens.
    pub cached_tokens: i64,
    /// The total cost in USD, exact.
    pub cost: Numeric,
    /// The number of requests.
    pub requests: i64,
}

/// The usage of `owner` from `from` (inclusive) to `until` (exclusive).
pub fn summary(
    db: &dyn Db,
    owner: Owner,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<UsageSummary, DbError> {
    const SQL: &str = r#"
SELECT coalesce(sum(input_tokens), 0)::int8 AS input_tokens,
       coalesce(sum(output_tokens), 0)::int8 AS output_tokens,
       coalesce(sum(cached_tokens), 0)::int8 AS cached_tokens,
       coalesce(sum(cost), 0) AS cost,
       count(*) AS requests
FROM chat_token_usage
WHERE user_id = $1
  AND created_at >= $2::text::timestamptz
  AND created_at < $3::text::timestamptz"#;
    let rows = db.query(SQL, &[owner.into(), from.into(), until.into()])?;
    let Some(row) = rows.first() else {
        return Ok(UsageSummary {
            input_tokens: 0,
            output_tokens: 0,
            cached_tokens: 0,
            cost: Numeric("0".to_owned()),
            requests: 0,
        });
    };
    Ok(UsageSummary {
        input_tokens: row.get("input_tokens")?,
        output_tokens: row.get("output_tokens")?,
        cached_tokens: row.get("cached_tokens")?,
        cost: row.get("cost")?,
        requests: row.get("requests")?,
    })
}

/// How the admin's cost report groups usage rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostGrouping {
    /// Everything in one row (key and label `NULL`).
    Total,
    /// By user (key: the id, `NULL` for deleted users; label: the email), most expensive first.
    User,
    /// By model id (label: its display name while configured), most expensive first.
    Model,
    /// By provider id, most expensive first.
    Provider,
    /// By UTC day (`YYYY-MM-DD`), oldest first.
    Day,
}

impl CostGrouping {
    /// The key expression (grouped on), the key as text, the label's join and expression, and
    /// the order of the groups. Users are grouped on the uuid and days on the date (cheaper to
    /// hash and sort than their text, which only the returned groups are turned into).
    const fn shape(self) -> [&'static str; 5] {
        match self {
            Self::Total => ["NULL::text", "g.key", "", "NULL::text", "cost DESC"],
            Self::User => [
                "user_id",
                "g.key::text",
                "LEFT JOIN app_users AS u ON u.id = g.key",
                "u.email",
                "cost DESC, key",
            ],
            Self::Model => [
                "model",
                "g.key",
                "LEFT JOIN app_model_config AS m ON m.model_id = g.key",
                "COALESCE(m.display_name, g.key)",
                "cost DESC, key",
            ],
            Self::Provider => ["provider", "g.key", "", "g.key", "cost DESC, key"],
            Self::Day => [
                "(created_at AT TIME ZONE 'UTC')::date",
                "to_char(g.key, 'YYYY-MM-DD')",
                "",
                "to_char(g.key, 'YYYY-MM-DD')",
                "key",
            ],
        }
    }
}

/// One group of the admin's cost report.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRow {
    /// What the group is (see [`CostGrouping`]).
    pub key: Option<String>,
    /// For people (see [`CostGrouping`]).
    pub label: Option<String>,
    /// The sums of the group.
    pub usage: UsageSummary,
}

/// The usage of everyone from `from` (inclusive) to `until` (exclusive), grouped, at most
/// `limit` groups.
pub fn cost_report(
    db: &dyn Db,
    grouping: CostGrouping,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<CostRow>, DbError> {
    let [key, key_text, join, label, order] = grouping.shape();
    let sql = format!(
        r#"
WITH g AS (
    SELECT {key} AS key,
           coalesce(sum(input_tokens), 0)::int8 AS input_tokens,
           coalesce(sum(output_tokens), 0)::int8 AS output_tokens,
           coalesce(sum(cached_tokens), 0)::int8 AS cached_tokens,
           coalesce(sum(cost), 0) AS cost,
           count(*) AS requests
    FROM chat_token_usage
    WHERE created_at >= $1::text::timestamptz AND created_at < $2::text::timestamptz
    GROUP BY 1
    ORDER BY {order}
    LIMIT $3
)
SELECT {key_text} AS key, {label} AS label, g.input_tokens, g.output_tokens, g.cached_tokens,
       g.cost, g.requests
FROM g {join}
ORDER BY {order}"#
    );
    let rows = db.query(&sql, &[from.into(), until.into(), limit.into()])?;
    rows.iter()
        .map(|row| {
            Ok(CostRow {
                key: row.get("key")?,
                label: row.get("label")?,
                usage: UsageSummary {
                    input_tokens: row.get("input_tokens")?,
                    output_tokens: row.get("output_tokens")?,
                    cached_tokens: row.get("cached_tokens")?,
                    cost: row.get("cost")?,
                    requests: row.get("requests")?,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeDb;
    use crate::{Rows, Value};

    fn usage(cost: &str) -> NewUsage<'static> {
        NewUsage {
            chat_id: Some(Uuid::nil()),
            message_id: None,
            provider: "openai",
            model: "gpt-4o",
            input_tokens: 2000,
            output_tokens: 300,
            cached_tokens: 5000,
            cost: Numeric(cost.to_owned()),
            latency_ms: Some(1234),
            ttft_ms: None,
            estimated: false,
        }
    }

    #[test]
    fn insert_sends_the_cost_as_numeric_in_column_order() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        let id = insert(&db, owner, &usage("0.00672")).unwrap();
        assert_eq!(id.get_version_num(), 7);
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("INSERT INTO chat_token_usage"), "{sql}");
        assert_eq!(
            params,
            &[
                Param::Uuid(id),
                Param::Uuid(owner.user_id()),
                Param::Uuid(Uuid::nil()),
                Param::Null,
                Param::Text("openai".into()),
                Param::Text("gpt-4o".into()),
                Param::Int64(2000),
                Param::Int64(300),
                // Capped at the input tokens.
                Param::Int64(2000),
                Param::Numeric("0.00672".into()),
                Param::Int32(1234),
                Param::Null,
                Param::Bool(false),
            ]
        );
    }

    #[test]
    fn insert_refuses_a_cost_that_is_not_a_plain_decimal() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        for bad in ["", "-1", "1e-3", "0.", ".5", "NaN", "1.2.3", " 1"] {
            assert!(insert(&db, owner, &usage(bad)).is_err(), "{bad:?}");
        }
        assert!(db.calls().is_empty());
        for good in ["0", "3", "0.0000983", "12.50"] {
            insert(&db, owner, &usage(good)).unwrap();
        }
    }

    #[test]
    fn summary_is_of_the_owner_over_the_period() {
        let db = FakeDb::new();
        let owner = Owner::new(Uuid::new_v4());
        db.push_rows(Rows::new(
            [
                "input_tokens",
                "output_tokens",
                "cached_tokens",
                "cost",
                "requests",
            ]
            .map(String::from)
            .to_vec(),
            vec![vec![
                Value::Int(4000),
                Value::Int(600),
                Value::Int(1024),
                Value::Numeric("0.01344".into()),
                Value::Int(2),
            ]],
        ));
        let from = DateTime::from_timestamp(1_796_083_200, 0).unwrap();
        let until = DateTime::from_timestamp(1_798_761_600, 0).unwrap();
        let s = summary(&db, owner, from, until).unwrap();
        assert_eq!(s.cost, Numeric("0.01344".into()));
        assert_eq!((s.input_tokens, s.requests), (4000, 2));
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("WHERE user_id = $1"), "{sql}");
        assert_eq!(
            params,
            &[
                Param::Uuid(owner.user_id()),
                Param::Text("2026-12-01T00:00:00.000000Z".into()),
                Param::Text("2027-01-01T00:00:00.000000Z".into()),
            ]
        );
    }
}
