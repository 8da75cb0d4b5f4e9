//! Typed parameters in, typed values out.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

use crate::DbError;

/// A query parameter. Each maps to one of Spin's `parameter-value`s; see the crate docs for the
/// casts the SQL needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// SQL NULL (matches any placeholder type).
    Null,
    /// `boolean`.
    Bool(bool),
    /// `int2`.
    Int16(i16),
    /// `int4`.
    Int32(i32),
    /// `int8`.
    Int64(i64),
    /// `float8`.
    Float64(f64),
    /// `text` / `varchar` (cast in SQL for anything else).
    Text(String),
    /// `bytea`.
    Bytes(Vec<u8>),
    /// `uuid`.
    Uuid(Uuid),
    /// `jsonb` / `json`.
    Json(serde_json::Value),
    /// `numeric`, as a decimal string.
    Numeric(String),
}

impl From<bool> for Param {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<i16> for Param {
    fn from(v: i16) -> Self {
        Self::Int16(v)
    }
}
impl From<i32> for Param {
    fn from(v: i32) -> Self {
        Self::Int32(v)
    }
}
impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Self::Int64(v)
    }
}
impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Self::Float64(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Param {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<Vec<u8>> for Param {
    fn from(v: Vec<u8>) -> Self {
        Self::Bytes(v)
    }
}
impl From<Uuid> for Param {
    fn from(v: Uuid) -> Self {
        Self::Uuid(v)
    }
}
impl From<serde_json::Value> for Param {
    fn from(v: serde_json::Value) -> Self {
        Self::Json(v)
    }
}
/// A time is sent as RFC 3339 text: write `$n::text::timestamptz` in SQL.
impl From<DateTime<Utc>> for Param {
    fn from(v: DateTime<Utc>) -> Self {
        Self::Text(v.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    }
}
impl From<Numeric> for Param {
    fn from(v: Numeric) -> Self {
        Self::Numeric(v.0)
    }
}
impl<T: Into<Param>> From<Option<T>> for Param {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// `boolean`.
    Bool(bool),
    /// Any integer column (`int2`, `int4`, `int8`).
    Int(i64),
    /// `float4` / `float8`.
    Float(f64),
    /// Text types.
    Text(String),
    /// `bytea`.
    Bytes(Vec<u8>),
    /// `uuid`, as text.
    Uuid(String),
    /// `jsonb`, as its bytes.
    Json(Vec<u8>),
    /// `numeric`, as a decimal string.
    Numeric(String),
    /// `timestamp` (UTC by convention: select `timestamptz` columns `AT TIME ZONE 'UTC'`).
    DateTime(NaiveDateTime),
    /// A type this crate does not map (its name, when known).
    Other(String),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Bool(_) => "boolean",
            Self::Int(_) => "integer",
            Self::Float(_) => "float",
            Self::Text(_) => "text",
            Self::Bytes(_) => "bytea",
            Self::Uuid(_) => "uuid",
            Self::Json(_) => "jsonb",
            Self::Numeric(_) => "numeric",
            Self::DateTime(_) => "timestamp",
            Self::Other(_) => "an unmapped type",
        }
    }
}

/// An exact decimal as the database wrote it (e.g. a cost `"0.004215"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numeric(pub String);

/// Conversion from a [`Value`]; the error names what was found.
pub trait FromValue: Sized {
    /// Converts, or says what was found instead.
    fn from_value(value: &Value) -> Result<Self, String>;
}

fn mismatch<T>(expected: &str, found: &Value) -> Result<T, String> {
    Err(format!("expected {expected}, found {}", found.kind()))
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Bool(b) => Ok(*b),
            v => mismatch("boolean", v),
        }
    }
}
impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Int(i) => Ok(*i),
            v => mismatch("integer", v),
        }
    }
}
impl FromValue for i32 {
    fn from_value(value: &Value) -> Result<Self, String> {
        let i = i64::from_value(value)?;
        i32::try_from(i).map_err(|_| format!("{i} does not fit in int4"))
    }
}
impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            v => mismatch("float", v),
        }
    }
}
impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Text(s) | Value::Uuid(s) | Value::Numeric(s) => Ok(s.clone()),
            v => mismatch("text", v),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Bytes(b) => Ok(b.clone()),
            v => mismatch("bytea", v),
        }
    }
}
impl FromValue for Uuid {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Uuid(s) | Value::Text(s) => {
                Uuid::parse_str(s).map_err(|e| format!("invalid uuid {s:?}: {e}"))
            }
            v => mismatch("uuid", v),
        }
    }
}
impl FromValue for serde_json::Value {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Json(bytes) => {
                serde_json::from_slice(bytes).map_err(|e| format!("invalid jsonb: {e}"))
            }
            Value::Text(s) => serde_json::from_str(s).map_err(|e| format!("invalid json: {e}")),
            v => mismatch("jsonb", v),
        }
    }
}
impl FromValue for Numeric {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Numeric(s) => Ok(Numeric(s.clone())),
            Value::Int(i) => Ok(Numeric(i.to_string())),
            v => mismatch("numeric", v),
        }
    }
}
impl FromValue for DateTime<Utc> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::DateTime(naive) => Ok(naive.and_utc()),
            v => mismatch(
                "timestamp (select timestamptz columns AT TIME ZONE 'UTC')",
                v,
            ),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// The rows of a result, with their column names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    columns: Arc<[String]>,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    /// A result from column names and rows of values (in column order).
    pub fn new(columns: Vec<String>, rows: Vec<Vec<Value>>) -> Self {
        Self {
            columns: columns.into(),
            rows,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    /// The first row, if any.
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
}

/// One row.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl Row<'_> {
    /// The value of `column` converted to `T`; the error names the column and the mismatch.
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T, DbError> {
        let index = self
            .columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| DbError::Decode {
                column: column.to_owned(),
                problem: "no such column in the result".to_owned(),
            })?;
        let value = self.values.get(index).unwrap_or(&Value::Null);
        T::from_value(value).map_err(|problem| DbError::Decode {
            column: column.to_owned(),
            problem,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_typed_values_and_names_mismatches() {
        let when = chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .unwrap()
            .and_hms_opt(10, 15, 0)
            .unwrap();
        let rows = Rows::new(
            vec![
                "id".into(),
                "n".into(),
                "cost".into(),
                "at".into(),
                "gone".into(),
            ],
            vec![vec![
                Value::Uuid("0190f0c4-9c4f-7d4e-8f00-000000000001".into()),
                Value::Int(7),
                Value::Numeric("0.004215".into()),
                Value::DateTime(when),
                Value::Null,
            ]],
        );
        let row = rows.first().unwrap();
        assert_eq!(
            row.get::<Uuid>("id").unwrap().to_string(),
            "0190f0c4-9c4f-7d4e-8f00-000000000001"
        );
        assert_eq!(row.get::<i32>("n").unwrap(), 7);
        assert_eq!(
            row.get::<Numeric>("cost").unwrap(),
            Numeric("0.004215".into())
        );
        assert_eq!(
            row.get::<DateTime<Utc>>("at").unwrap().to_rfc3339(),
            "2026-11-27T10:15:00+00:00"
        );
        assert_eq!(row.get::<Option<String>>("gone").unwrap(), None);
        let err = row.get::<String>("n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "column \"n\": expected text, found integer"
        );
        assert!(row.get::<i64>("missing").is_err());
    }

    #[test]
    fn params_from_rust_values() {
        let t = DateTime::parse_from_rfc3339("2026-11-27T10:15:00.5Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            Param::from(t),
            Param::Text("2026-11-27T10:15:00.500000Z".into())
        );
        assert_eq!(Param::from(None::<i32>), Param::Null);
        assert_eq!(Param::from(Some("x")), Param::Text("x".into()));
    }
}
