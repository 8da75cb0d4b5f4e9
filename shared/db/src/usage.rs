//! `chat_token_usage`: the provider-reported usage and exact cost of every request.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Db, DbError, Numeric, Owner, Param, Row};

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

/// The columns of a usage row, in the order of [`row_params`].
pub(crate) const COLUMNS: &str = "id, user_id, chat_id, message_id, provider, model, \
    input_tokens, output_tokens, cached_tokens, cost, latency_ms, ttft_ms, estimated";

/// The values of a usage row of `owner` under the fresh v7 `id`, in the order of [`COLUMNS`];
/// refused when the cost is not a plain non-negative decimal. Cached tokens are capped at the
/// input tokens (they are part of them).
pub(crate) fn row_params(
    id: Uuid,
    owner: Owner,
    usage: &NewUsage<'_>,
) -> Result<Vec<Param>, DbError> {
    if !is_plain_decimal(&usage.cost.0) {
        return Err(DbError::Other(format!(
            "cost {:?} is not a non-negative decimal",
            usage.cost.0.chars().take(64).collect::<String>()
        )));
    }
    Ok(vec![
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
    ])
}

/// `$first, $first+1, …` for the values of a usage row ([`row_params`]).
pub(crate) fn placeholders(first: usize) -> String {
    (first..first + 13)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores the usage of a request by `owner` under a fresh v7 id; the id. Cached tokens are
/// capped at the input tokens (they are part of them).
pub fn insert(db: &dyn Db, owner: Owner, usage: &NewUsage<'_>) -> Result<Uuid, DbError> {
    let id = Uuid::now_v7();
    let params = row_params(id, owner, usage)?;
    let sql = format!(
        "INSERT INTO chat_token_usage ({COLUMNS}) VALUES ({})",
        placeholders(1)
    );
    db.execute(&sql, &params)?;
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
    match rows.first() {
        Some(row) => UsageSummary::from_row(row),
        None => Ok(UsageSummary {
            input_tokens: 0,
            output_tokens: 0,
            cached_tokens: 0,
            cost: Numeric("0".to_owned()),
            requests: 0,
        }),
    }
}

/// The range of a cost report as the daily rollups (`usage_daily_models`, `usage_daily_users`)
/// serve it: the whole UTC days inside `[from, until)` from the rollups, the partial days at
/// either end from the usage rows themselves. Each part is `[start, end)`; an empty one has
/// `start == end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostSpan {
    /// Midnights: the first whole day and the end of the last.
    days: [DateTime<Utc>; 2],
    /// From `from` to the first whole day.
    head: [DateTime<Utc>; 2],
    /// From the end of the last whole day to `until`.
    tail: [DateTime<Utc>; 2],
}

impl CostSpan {
    /// Splits `[from, until)` (empty when `until <= from`).
    pub fn new(from: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        let until = until.max(from);
        let midnight = |t: DateTime<Utc>| {
            t.date_naive()
                .and_hms_opt(0, 0, 0)
                .map_or(t, |m| m.and_utc())
        };
        let first = if midnight(from) == from {
            from
        } else {
            midnight(from) + chrono::Duration::days(1)
        };
        let last = midnight(until);
        if first >= last {
            // No whole day: the usage rows of the range only.
            return Self {
                days: [first, first],
                head: [from, until],
                tail: [until, until],
            };
        }
        Self {
            days: [first, last],
            head: [from, first],
            tail: [last, until],
        }
    }

    /// The parameters `$1`..`$6` of [`SPAN_SQL`].
    fn params(&self) -> [Param; 6] {
        let [a, b] = self.days;
        let [c, d] = self.head;
        let [e, f] = self.tail;
        [a, b, c, d, e, f].map(Param::from)
    }
}

/// The rows of a span, as `s` with the columns `{cols}` of a rollup (`requests` included) and
/// the same from the usage rows (`{raw_cols}`, one request each). Parameters `$1`..`$6`.
const SPAN_SQL: &str = r#"
WITH s AS (
    SELECT {cols}, input_tokens, output_tokens, cached_tokens, cost, requests
    FROM {rollup}
    WHERE day >= ($1::text::timestamptz AT TIME ZONE 'UTC')::date
      AND day < ($2::text::timestamptz AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT {raw_cols}, input_tokens, output_tokens, cached_tokens, cost, 1
    FROM chat_token_usage
    WHERE created_at >= $3::text::timestamptz AND created_at < $4::text::timestamptz
    UNION ALL
    SELECT {raw_cols}, input_tokens, output_tokens, cached_tokens, cost, 1
    FROM chat_token_usage
    WHERE created_at >= $5::text::timestamptz AND created_at < $6::text::timestamptz
)"#;

/// The sums selected from `s` (see [`SPAN_SQL`]), named as [`UsageSummary::from_row`] reads them.
const SUMS_SQL: &str = "coalesce(sum(input_tokens), 0)::int8 AS input_tokens, \
    coalesce(sum(output_tokens), 0)::int8 AS output_tokens, \
    coalesce(sum(cached_tokens), 0)::int8 AS cached_tokens, \
    coalesce(sum(cost), 0) AS cost, coalesce(sum(requests), 0)::int8 AS requests";

fn span_sql(rollup: &str, cols: &str, raw_cols: &str) -> String {
    SPAN_SQL
        .replace("{rollup}", rollup)
        .replace("{raw_cols}", raw_cols)
        .replace("{cols}", cols)
}

impl UsageSummary {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            input_tokens: row.get("input_tokens")?,
            output_tokens: row.get("output_tokens")?,
            cached_tokens: row.get("cached_tokens")?,
            cost: row.get("cost")?,
            requests: row.get("requests")?,
        })
    }
}

/// One group of the admin's cost report.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRow {
    /// What the group is: a user's id (`None` for deleted accounts), a model id, a provider id
    /// or a UTC day `YYYY-MM-DD`; `None` for the total.
    pub key: Option<String>,
    /// For people: a user's email, a model's display name while configured (else its id), the
    /// provider id, the day.
    pub label: Option<String>,
    /// The sums of the group.
    pub usage: UsageSummary,
}

impl CostRow {
    fn from_row(row: Row<'_>) -> Result<Self, DbError> {
        Ok(Self {
            key: row.get("key")?,
            label: row.get("label")?,
            usage: UsageSummary::from_row(row)?,
        })
    }
}

/// The usage of everyone over `span` by user, most expensive first, at most `limit` users.
pub fn cost_by_user(db: &dyn Db, span: CostSpan, limit: i64) -> Result<Vec<CostRow>, DbError> {
    let sql = format!(
        r#"{with},
g AS (
    SELECT user_id AS key, {SUMS_SQL}
    FROM s
    GROUP BY 1
    ORDER BY cost DESC, key
    LIMIT $7
)
SELECT g.key::text AS key, u.email AS label, g.input_tokens, g.output_tokens, g.cached_tokens,
       g.cost, g.requests
FROM g LEFT JOIN app_users AS u ON u.id = g.key
ORDER BY g.cost DESC, g.key"#,
        with = span_sql("usage_daily_users", "user_id", "user_id"),
    );
    let [p1, p2, p3, p4, p5, p6] = span.params();
    let rows = db.query(&sql, &[p1, p2, p3, p4, p5, p6, limit.into()])?;
    rows.iter().map(CostRow::from_row).collect()
}

/// The totals of a span and its breakdowns by model, provider and day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostBreakdowns {
    /// Everything (`None` when there was no usage).
    pub total: Option<CostRow>,
    /// By model id, most expensive first.
    pub by_model: Vec<CostRow>,
    /// By provider id, most expensive first.
    pub by_provider: Vec<CostRow>,
    /// By UTC day, oldest first (days without usage left out).
    pub by_day: Vec<CostRow>,
}

/// The most models in [`CostBreakdowns::by_model`] (the most expensive).
pub const MAX_MODEL_GROUPS: i64 = 1000;

/// The usage of everyone over `span`: the total and the breakdowns by model, provider and day,
/// in one pass over the rows (`GROUPING SETS`).
pub fn cost_breakdowns(db: &dyn Db, span: CostSpan) -> Result<CostBreakdowns, DbError> {
    // GROUPING(provider, model, day): a bit for each column the set leaves out.
    const TOTAL: i64 = 0b111;
    const PROVIDER: i64 = 0b011;
    const MODEL: i64 = 0b101;
    const DAY: i64 = 0b110;
    let sql = format!(
        r#"{with},
g AS (
    SELECT GROUPING(provider, model, day)::int8 AS grouping, provider, model, day, {SUMS_SQL}
    FROM s
    GROUP BY GROUPING SETS ((), (provider), (model), (day))
),
ranked AS (
    SELECT g.*, row_number() OVER (PARTITION BY grouping ORDER BY cost DESC, model) AS rank
    FROM g
)
SELECT r.grouping,
       CASE r.grouping WHEN {PROVIDER} THEN r.provider WHEN {MODEL} THEN r.model
                       WHEN {DAY} THEN to_char(r.day, 'YYYY-MM-DD') END AS key,
       CASE r.grouping WHEN {PROVIDER} THEN r.provider
                       WHEN {MODEL} THEN COALESCE(m.display_name, r.model)
                       WHEN {DAY} THEN to_char(r.day, 'YYYY-MM-DD') END AS label,
       r.input_tokens, r.output_tokens, r.cached_tokens, r.cost, r.requests
FROM ranked AS r
LEFT JOIN app_model_config AS m ON r.grouping = {MODEL} AND m.model_id = r.model
WHERE r.grouping <> {MODEL} OR r.rank <= $7
ORDER BY r.grouping, r.day, r.cost DESC, key"#,
        with = span_sql(
            "usage_daily_models",
            "day, provider, model",
            "(created_at AT TIME ZONE 'UTC')::date, provider, model",
        ),
    );
    let [p1, p2, p3, p4, p5, p6] = span.params();
    let rows = db.query(&sql, &[p1, p2, p3, p4, p5, p6, MAX_MODEL_GROUPS.into()])?;
    let mut out = CostBreakdowns::default();
    for row in rows.iter() {
        let grouping: i64 = row.get("grouping")?;
        let group = CostRow::from_row(row)?;
        match grouping {
            // A total over no rows at all is one row of NULL sums: no usage.
            TOTAL if group.usage.requests > 0 => out.total = Some(group),
            TOTAL => {}
            PROVIDER => out.by_provider.push(group),
            MODEL => out.by_model.push(group),
            DAY => out.by_day.push(group),
            other => return Err(DbError::Other(format!("unexpected grouping {other}"))),
        }
    }
    Ok(out)
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

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn span(from: &str, until: &str) -> [[DateTime<Utc>; 2]; 3] {
        let s = CostSpan::new(at(from), at(until));
        [s.days, s.head, s.tail]
    }

    #[test]
    fn a_span_takes_whole_days_from_the_rollups_and_the_ends_from_the_rows() {
        let [days, head, tail] = span("2026-11-26T15:30:00Z", "2026-12-03T15:30:00Z");
        assert_eq!(
            days,
            [at("2026-11-27T00:00:00Z"), at("2026-12-03T00:00:00Z")]
        );
        assert_eq!(
            head,
            [at("2026-11-26T15:30:00Z"), at("2026-11-27T00:00:00Z")]
        );
        assert_eq!(
            tail,
            [at("2026-12-03T00:00:00Z"), at("2026-12-03T15:30:00Z")]
        );
        // Starting at midnight: no head.
        let [days, head, tail] = span("2026-12-01T00:00:00Z", "2026-12-03T15:30:00Z");
        assert_eq!(
            days,
            [at("2026-12-01T00:00:00Z"), at("2026-12-03T00:00:00Z")]
        );
        assert_eq!(head[0], head[1]);
        assert_eq!(
            tail,
            [at("2026-12-03T00:00:00Z"), at("2026-12-03T15:30:00Z")]
        );
        // Ending at midnight: no tail.
        let [days, head, tail] = span("2026-12-01T00:00:00Z", "2026-12-03T00:00:00Z");
        assert_eq!(
            days,
            [at("2026-12-01T00:00:00Z"), at("2026-12-03T00:00:00Z")]
        );
        assert_eq!((head[0] == head[1], tail[0] == tail[1]), (true, true));
    }

    #[test]
    fn a_span_without_a_whole_day_reads_only_rows() {
        for (from, until) in [
            ("2026-12-03T10:00:00Z", "2026-12-03T12:00:00Z"),
            // Across a midnight, still no whole day.
            ("2026-12-02T20:00:00Z", "2026-12-03T04:00:00Z"),
            // Today so far.
            ("2026-12-03T00:00:00Z", "2026-12-03T15:30:00Z"),
        ] {
            let [days, head, tail] = span(from, until);
            assert_eq!(days[0], days[1], "{from} {until}");
            assert_eq!(tail[0], tail[1], "{from} {until}");
            assert_eq!(head, [at(from), at(until)], "{from} {until}");
        }
        // An empty or reversed range is empty everywhere.
        let [days, head, tail] = span("2026-12-03T10:00:00Z", "2026-12-03T09:00:00Z");
        assert!(days[0] == days[1] && head[0] == head[1] && tail[0] == tail[1]);
    }

    #[test]
    fn cost_breakdowns_sort_the_groups_by_their_grouping_bits() {
        let db = FakeDb::new();
        let cols = [
            "grouping",
            "key",
            "label",
            "input_tokens",
            "output_tokens",
            "cached_tokens",
            "cost",
            "requests",
        ]
        .map(String::from)
        .to_vec();
        let row = |grouping: i64, key: Option<&str>, requests: i64| {
            let text = |t: Option<&str>| t.map_or(Value::Null, |t| Value::Text(t.into()));
            vec![
                Value::Int(grouping),
                text(key),
                text(key),
                Value::Int(10),
                Value::Int(5),
                Value::Int(0),
                Value::Numeric("0.5".into()),
                Value::Int(requests),
            ]
        };
        db.push_rows(Rows::new(
            cols.clone(),
            vec![
                row(0b111, None, 3),
                row(0b011, Some("openai"), 3),
                row(0b101, Some("gpt-4o"), 2),
                row(0b101, Some("gpt-4o-mini"), 1),
                row(0b110, Some("2026-12-01"), 3),
            ],
        ));
        let b = cost_breakdowns(
            &db,
            CostSpan::new(at("2026-12-01T00:00:00Z"), at("2026-12-03T10:00:00Z")),
        )
        .unwrap();
        assert_eq!(b.total.unwrap().usage.requests, 3);
        let keys = |rows: &[CostRow]| {
            rows.iter()
                .map(|r| r.key.clone().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&b.by_provider), ["openai"]);
        assert_eq!(keys(&b.by_model), ["gpt-4o", "gpt-4o-mini"]);
        assert_eq!(keys(&b.by_day), ["2026-12-01"]);
        let (sql, params) = &db.calls()[0];
        assert!(sql.contains("GROUPING SETS"), "{sql}");
        assert_eq!(params[0], Param::Text("2026-12-01T00:00:00.000000Z".into()));
        assert_eq!(params[5], Param::Text("2026-12-03T10:00:00.000000Z".into()));
        // No usage at all: the total's row has no requests.
        db.push_rows(Rows::new(cols, vec![row(0b111, None, 0)]));
        let b = cost_breakdowns(
            &db,
            CostSpan::new(at("2026-12-01T00:00:00Z"), at("2026-12-03T10:00:00Z")),
        )
        .unwrap();
        assert_eq!(b, CostBreakdowns::default());
    }
}
