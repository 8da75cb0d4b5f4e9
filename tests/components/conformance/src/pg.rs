//! `POST pg`: runs SQL steps, in order, on ONE `spin_sdk::pg4::Connection`, and reports each
//! step's rows, affected-row count or error. Values travel as externally tagged JSON named after
//! the WIT variants, the same shape in and out: `{"int32":5}`, `{"decimal":"1.50"}`,
//! `{"jsonb":[123,125]}` (bytes), `{"range_int32":[[1,"inclusive"],null]}`,
//! `{"interval":{"micros":1,"days":2,"months":3}}`, `{"db_null":null}`, and, in results only,
//! `{"unsupported":[...bytes]}`.
//!
//! Request: `{"url": <optional; default the component variable db_url>, "steps": [{"op":
//! "query"|"execute", "sql": "...", "params": [...]}]}`.
//! Response: `{"steps": [{"rows": {"columns": [{"name", "data_type"}], "rows": [[value]]}} |
//! {"affected": n} | {"error": {"kind", "message", "db_error"?}}]}`, or `{"error": ...}` when
//! the connection cannot be opened.

use serde::Deserialize;
use serde_json::{Value, json};
use spin_sdk::pg4::{
    Connection, DbDataType, DbValue, Interval, ParameterValue, PgError, QueryError, RangeBoundKind,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    #[serde(default)]
    url: Option<String>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    op: Op,
    sql: String,
    #[serde(default)]
    params: Vec<Param>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Op {
    Query,
    Execute,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Bound {
    Inclusive,
    Exclusive,
}

/// A range as JSON: `[[lower, "inclusive"|"exclusive"] | null, [upper, ...] | null]`.
type RangeOf<T> = (Option<(T, Bound)>, Option<(T, Bound)>);
/// A bound as WIT has it.
type WitBound<T> = Option<(T, RangeBoundKind)>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IntervalJson {
    micros: i64,
    days: i32,
    months: i32,
}

/// Every `parameter-value` variant.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Param {
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Floating32(f32),
    Floating64(f64),
    Str(String),
    Binary(Vec<u8>),
    Date((i32, u8, u8)),
    Time((u8, u8, u8, u32)),
    Datetime((i32, u8, u8, u8, u8, u8, u32)),
    Timestamp(i64),
    Uuid(String),
    Jsonb(Vec<u8>),
    Decimal(String),
    RangeInt32(RangeOf<i32>),
    RangeInt64(RangeOf<i64>),
    RangeDecimal(RangeOf<String>),
    ArrayInt32(Vec<Option<i32>>),
    ArrayInt64(Vec<Option<i64>>),
    ArrayDecimal(Vec<Option<String>>),
    ArrayStr(Vec<Option<String>>),
    Interval(IntervalJson),
    DbNull(()),
}

fn kind(bound: Bound) -> RangeBoundKind {
    match bound {
        Bound::Inclusive => RangeBoundKind::Inclusive,
        Bound::Exclusive => RangeBoundKind::Exclusive,
    }
}

fn range<T>((lower, upper): RangeOf<T>) -> (WitBound<T>, WitBound<T>) {
    (
        lower.map(|(v, b)| (v, kind(b))),
        upper.map(|(v, b)| (v, kind(b))),
    )
}

impl From<Param> for ParameterValue {
    fn from(p: Param) -> Self {
        use ParameterValue as P;
        match p {
            Param::Boolean(v) => P::Boolean(v),
            Param::Int8(v) => P::Int8(v),
            Param::Int16(v) => P::Int16(v),
            Param::Int32(v) => P::Int32(v),
            Param::Int64(v) => P::Int64(v),
            Param::Floating32(v) => P::Floating32(v),
            Param::Floating64(v) => P::Floating64(v),
            Param::Str(v) => P::Str(v),
            Param::Binary(v) => P::Binary(v),
            Param::Date(v) => P::Date(v),
            Param::Time(v) => P::Time(v),
            Param::Datetime(v) => P::Datetime(v),
            Param::Timestamp(v) => P::Timestamp(v),
            Param::Uuid(v) => P::Uuid(v),
            Param::Jsonb(v) => P::Jsonb(v),
            Param::Decimal(v) => P::Decimal(v),
            Param::RangeInt32(r) => P::RangeInt32(range(r)),
            Param::RangeInt64(r) => P::RangeInt64(range(r)),
            Param::RangeDecimal(r) => P::RangeDecimal(range(r)),
            Param::ArrayInt32(v) => P::ArrayInt32(v),
            Param::ArrayInt64(v) => P::ArrayInt64(v),
            Param::ArrayDecimal(v) => P::ArrayDecimal(v),
            Param::ArrayStr(v) => P::ArrayStr(v),
            Param::Interval(i) => P::Interval(Interval {
                micros: i.micros,
                days: i.days,
                months: i.months,
            }),
            Param::DbNull(()) => P::DbNull,
        }
    }
}

fn bound_json<T: serde::Serialize>(bound: &WitBound<T>) -> Value {
    match bound {
        None => Value::Null,
        Some((v, RangeBoundKind::Inclusive)) => json!([v, "inclusive"]),
        Some((v, RangeBoundKind::Exclusive)) => json!([v, "exclusive"]),
    }
}

/// A `db-value` in the same tagged shape as the parameters.
fn value_json(value: &DbValue) -> Value {
    use DbValue as D;
    match value {
        D::Boolean(v) => json!({ "boolean": v }),
        D::Int8(v) => json!({ "int8": v }),
        D::Int16(v) => json!({ "int16": v }),
        D::Int32(v) => json!({ "int32": v }),
        D::Int64(v) => json!({ "int64": v }),
        D::Floating32(v) => json!({ "floating32": v }),
        D::Floating64(v) => json!({ "floating64": v }),
        D::Str(v) => json!({ "str": v }),
        D::Binary(v) => json!({ "binary": v }),
        D::Date(v) => json!({ "date": v }),
        D::Time(v) => json!({ "time": v }),
        D::Datetime(v) => json!({ "datetime": v }),
        D::Timestamp(v) => json!({ "timestamp": v }),
        D::Uuid(v) => json!({ "uuid": v }),
        D::Jsonb(v) => json!({ "jsonb": v }),
        D::Decimal(v) => json!({ "decimal": v }),
        D::RangeInt32((l, u)) => json!({ "range_int32": [bound_json(l), bound_json(u)] }),
        D::RangeInt64((l, u)) => json!({ "range_int64": [bound_json(l), bound_json(u)] }),
        D::RangeDecimal((l, u)) => json!({ "range_decimal": [bound_json(l), bound_json(u)] }),
        D::ArrayInt32(v) => json!({ "array_int32": v }),
        D::ArrayInt64(v) => json!({ "array_int64": v }),
        D::ArrayDecimal(v) => json!({ "array_decimal": v }),
        D::ArrayStr(v) => json!({ "array_str": v }),
        D::Interval(i) => {
            json!({ "interval": { "micros": i.micros, "days": i.days, "months": i.months } })
        }
        D::DbNull => json!({ "db_null": null }),
        D::Unsupported(v) => json!({ "unsupported": v }),
    }
}

/// A `db-data-type`: the variant's name, or `{"other": "<pg type>"}`.
fn data_type_json(ty: &DbDataType) -> Value {
    use DbDataType as T;
    let name = match ty {
        T::Boolean => "boolean",
        T::Int8 => "int8",
        T::Int16 => "int16",
        T::Int32 => "int32",
        T::Int64 => "int64",
        T::Floating32 => "floating32",
        T::Floating64 => "floating64",
        T::Str => "str",
        T::Binary => "binary",
        T::Date => "date",
        T::Time => "time",
        T::Datetime => "datetime",
        T::Timestamp => "timestamp",
        T::Uuid => "uuid",
        T::Jsonb => "jsonb",
        T::Decimal => "decimal",
        T::RangeInt32 => "range_int32",
        T::RangeInt64 => "range_int64",
        T::RangeDecimal => "range_decimal",
        T::ArrayInt32 => "array_int32",
        T::ArrayInt64 => "array_int64",
        T::ArrayDecimal => "array_decimal",
        T::ArrayStr => "array_str",
        T::Interval => "interval",
        T::Other(name) => return json!({ "other": name }),
    };
    json!(name)
}

/// An `error`: its variant as `kind`, and for Postgres' own errors the structured `db_error`.
fn error_json(error: &PgError) -> Value {
    let (kind, message) = match error {
        PgError::ConnectionFailed(m) => ("connection_failed", m),
        PgError::BadParameter(m) => ("bad_parameter", m),
        PgError::ValueConversionFailed(m) => ("value_conversion_failed", m),
        PgError::Other(m) => ("other", m),
        PgError::QueryFailed(QueryError::Text(m)) => ("query_failed", m),
        PgError::QueryFailed(QueryError::DbError(db)) => {
            return json!({
                "kind": "query_failed",
                "message": db.message,
                "db_error": {
                    "as_text": db.as_text,
                    "severity": db.severity,
                    "code": db.code,
                    "message": db.message,
                    "detail": db.detail,
                    "extras": db.extras,
                },
            });
        }
    };
    json!({ "kind": kind, "message": message })
}

fn run_step(connection: &Connection, step: Step) -> Value {
    let params: Vec<ParameterValue> = step.params.into_iter().map(Into::into).collect();
    match step.op {
        Op::Query => match connection.query(&step.sql, &params) {
            Ok(set) => json!({
                "rows": {
                    "columns": set.columns.iter().map(|c| json!({
                        "name": c.name,
                        "data_type": data_type_json(&c.data_type),
                    })).collect::<Vec<_>>(),
                    "rows": set.rows.iter()
                        .map(|row| row.iter().map(value_json).collect::<Vec<_>>())
                        .collect::<Vec<_>>(),
                }
            }),
            Err(e) => json!({ "error": error_json(&e) }),
        },
        Op::Execute => match connection.execute(&step.sql, &params) {
            Ok(n) => json!({ "affected": n }),
            Err(e) => json!({ "error": error_json(&e) }),
        },
    }
}

/// Runs the script in `body`; returns the status and the JSON report.
pub fn run(body: &[u8]) -> (u16, Value) {
    let script: Script = match serde_json::from_slice(body) {
        Ok(s) => s,
        Err(e) => {
            return (
                400,
                json!({ "error": { "kind": "bad_request", "message": e.to_string() } }),
            );
        }
    };
    let url = match script.url {
        Some(url) => url,
        None => match spin_sdk::variables::get("db_url") {
            Ok(url) => url,
            Err(e) => {
                return (
                    200,
                    json!({ "error": { "kind": "variable", "message": format!("{e:?}") } }),
                );
            }
        },
    };
    let connection = match Connection::open(&url) {
        Ok(c) => c,
        Err(e) => return (200, json!({ "error": error_json(&e) })),
    };
    let steps: Vec<Value> = script
        .steps
        .into_iter()
        .map(|step| run_step(&connection, step))
        .collect();
    (200, json!({ "steps": steps }))
}
