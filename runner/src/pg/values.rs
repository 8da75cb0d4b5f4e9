//! Result columns and values: Postgres type -> `db-data-type` / `db-value`, as Spin maps them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::Decimal;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, Type};

use super::errors::{context_text, error_text};
use super::wire::{IntervalValue, PgRange, RawBytes, WitBound};
use crate::bindings::spin::postgres::postgres::{Column, DbDataType, DbValue};

/// The `db-data-type` Spin reports for a column of this Postgres type.
pub(crate) fn data_type(ty: &Type) -> DbDataType {
    match *ty {
        Type::BOOL => DbDataType::Boolean,
        Type::BYTEA => DbDataType::Binary,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => DbDataType::Datetime,
        Type::DATE => DbDataType::Date,
        Type::TIME => DbDataType::Time,
        Type::UUID => DbDataType::Uuid,
        Type::JSONB => DbDataType::Jsonb,
        Type::NUMERIC => DbDataType::Decimal,
        Type::INT4_RANGE => DbDataType::RangeInt32,
        Type::INT8_RANGE => DbDataType::RangeInt64,
        Type::NUM_RANGE => DbDataType::RangeDecimal,
        Type::INT4_ARRAY => DbDataType::ArrayInt32,
        Type::INT8_ARRAY => DbDataType::ArrayInt64,
        Type::NUMERIC_ARRAY => DbDataType::ArrayDecimal,
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => DbDataType::ArrayStr,
        Type::INTERVAL => DbDataType::Interval,
        _ => DbDataType::Other(ty.name().to_owned()),
    }
}

/// Column names and types, taken (as Spin does) from a row of the result.
pub(crate) fn columns(row: &Row) -> Vec<Column> {
    row.columns()
        .iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: data_type(c.type_()),
        })
        .collect()
}

/// All values of a row; the first value that cannot be converted fails the row (the text is
/// what Spin reports).
pub(crate) fn convert_row(row: &Row) -> Result<Vec<DbValue>, String> {
    (0..row.len())
        .map(|index| convert_entry(row, index))
        .collect()
}

/// Reads column `index` as `Option<T>` (exactly the Rust type Spin reads it as, so a type
/// mismatch fails with the same WrongType text) and maps a present value with `wrap`.
fn read<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
    wrap: impl FnOnce(T) -> DbValue,
) -> Result<DbValue, String> {
    match row.try_get::<_, Option<T>>(index) {
        Ok(Some(value)) => Ok(wrap(value)),
        Ok(None) => Ok(DbValue::DbNull),
        Err(e) => Err(error_text(&e)),
    }
}

pub(crate) fn convert_entry(row: &Row, index: usize) -> Result<DbValue, String> {
    let Some(column) = row.columns().get(index) else {
        return Err(format!("invalid column `{index}`"));
    };
    match *column.type_() {
        Type::BOOL => read(row, index, DbValue::Boolean),
        Type::BYTEA => read(row, index, DbValue::Binary),
        Type::FLOAT4 => read(row, index, DbValue::Floating32),
        Type::FLOAT8 => read(row, index, DbValue::Floating64),
        Type::INT2 => read(row, index, DbValue::Int16),
        Type::INT4 => read(row, index, DbValue::Int32),
        Type::INT8 => read(row, index, DbValue::Int64),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => read(row, index, DbValue::Str),
        // Read as a naive date-time for both, like Spin: TIMESTAMPTZ fails the query.
        Type::TIMESTAMP | Type::TIMESTAMPTZ => read(row, index, |v: NaiveDateTime| {
            DbValue::Datetime(datetime_tuple(v))
        }),
        Type::DATE => read(row, index, |v: NaiveDate| DbValue::Date(date_tuple(v))),
        Type::TIME => read(row, index, |v: NaiveTime| DbValue::Time(time_tuple(v))),
        Type::UUID => read(row, index, |v: uuid::Uuid| DbValue::Uuid(v.to_string())),
        Type::JSONB => match row.try_get::<_, Option<serde_json::Value>>(index) {
            Ok(Some(value)) => json_bytes(&value)
                .map(DbValue::Jsonb)
                .map_err(|e| context_text("invalid JSON from database", &e)),
            Ok(None) => Ok(DbValue::DbNull),
            Err(e) => Err(error_text(&e)),
        },
        Type::NUMERIC => read(row, index, |v: Decimal| DbValue::Decimal(v.to_string())),
        Type::INT4_RANGE => read(row, index, |v: PgRange<i32>| {
            DbValue::RangeInt32(v.into_wit())
        }),
        Type::INT8_RANGE => read(row, index, |v: PgRange<i64>| {
            DbValue::RangeInt64(v.into_wit())
        }),
        Type::NUM_RANGE => read(row, index, |v: PgRange<Decimal>| {
            let (lower, upper) = v.into_wit();
            DbValue::RangeDecimal((decimal_bound(lower), decimal_bound(upper)))
        }),
        Type::INT4_ARRAY => read(row, index, DbValue::ArrayInt32),
        Type::INT8_ARRAY => read(row, index, DbValue::ArrayInt64),
        Type::NUMERIC_ARRAY => read(row, index, |v: Vec<Option<Decimal>>| {
            DbValue::ArrayDecimal(v.into_iter().map(|d| d.map(|d| d.to_string())).collect())
        }),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => {
            read(row, index, DbValue::ArrayStr)
        }
        Type::INTERVAL => read(row, index, |v: IntervalValue| DbValue::Interval(v.0)),
        _ => read(row, index, |v: RawBytes| DbValue::Unsupported(v.0)),
    }
}

fn decimal_bound(bound: WitBound<Decimal>) -> WitBound<String> {
    bound.map(|(value, kind)| (value.to_string(), kind))
}

// chrono's month/day/hour/minute/second always fit a u8; the fallbacks are unreachable.
fn small(value: u32) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

pub(crate) fn date_tuple(v: NaiveDate) -> (i32, u8, u8) {
    (v.year(), small(v.month()), small(v.day()))
}

pub(crate) fn time_tuple(v: NaiveTime) -> (u8, u8, u8, u32) {
    (
        small(v.hour()),
        small(v.minute()),
        small(v.second()),
        v.nanosecond(),
    )
}

pub(crate) fn datetime_tuple(v: NaiveDateTime) -> (i32, u8, u8, u8, u8, u8, u32) {
    let (y, mo, d) = date_tuple(v.date());
    let (h, mi, s, ns) = time_tuple(v.time());
    (y, mo, d, h, mi, s, ns)
}

/// JSON text of a JSONB value the way Spin produces it (`serde_json::to_vec` of a
/// `serde_json::Value` without `preserve_order`): compact, object keys sorted bytewise. The
/// order is applied here explicitly so that it does not depend on cargo feature unification.
pub(crate) fn json_bytes(value: &serde_json::Value) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    write_json(value, &mut out)?;
    Ok(out)
}

fn write_json(value: &serde_json::Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key)?;
                out.push(b':');
                write_json(item, out)?;
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn data_types_follow_spin() {
        assert!(matches!(data_type(&Type::BOOL), DbDataType::Boolean));
        assert!(matches!(data_type(&Type::BPCHAR), DbDataType::Str));
        assert!(matches!(
            data_type(&Type::TIMESTAMPTZ),
            DbDataType::Datetime
        ));
        assert!(matches!(data_type(&Type::NUMERIC), DbDataType::Decimal));
        assert!(matches!(
            data_type(&Type::VARCHAR_ARRAY),
            DbDataType::ArrayStr
        ));
        assert!(matches!(data_type(&Type::JSONB), DbDataType::Jsonb));
        for (ty, name) in [
            (Type::JSON, "json"),
            (Type::CHAR, "char"),
            (Type::TIMETZ, "timetz"),
            (Type::INT2_ARRAY, "_int2"),
            (Type::OID, "oid"),
            (Type::NAME, "name"),
        ] {
            match data_type(&ty) {
                DbDataType::Other(n) => assert_eq!(n, name),
                other => panic!("{ty}: {other:?}"),
            }
        }
        let vector = Type::new(
            "vector".into(),
            16_390,
            tokio_postgres::types::Kind::Simple,
            "public".into(),
        );
        match data_type(&vector) {
            DbDataType::Other(n) => assert_eq!(n, "vector"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_is_compact_with_sorted_keys() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"b": 1, "aa": [true, null, 1.5, "x\"y"], "a": {"z": {}, "y": []}}"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(json_bytes(&v).unwrap()).unwrap(),
            r#"{"a":{"y":[],"z":{}},"aa":[true,null,1.5,"x\"y"],"b":1}"#
        );
        // Same as serde_json's own output for a BTreeMap-backed Value.
        assert_eq!(json_bytes(&v).unwrap(), serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn date_time_tuples() {
        let dt = NaiveDate::from_ymd_opt(-44, 3, 15)
            .unwrap()
            .and_hms_nano_opt(12, 34, 56, 789_000)
            .unwrap();
        assert_eq!(datetime_tuple(dt), (-44, 3, 15, 12, 34, 56, 789_000));
    }
}
