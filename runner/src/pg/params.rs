//! `parameter-value` -> the Rust value Spin binds for it.
//!
//! The Rust type decides which placeholder types the value is accepted for (tokio-postgres
//! checks `ToSql::accepts` against the type Postgres inferred for `$n`), so the types here are
//! exactly Spin's; see the table in the module docs of `pg`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use tokio_postgres::types::ToSql;

use super::errors::context_text;
use super::wire::{IntervalValue, PgNull, PgRange, RangeElement, WitBound};
use crate::bindings::spin::postgres::postgres::{ParameterValue, RangeBoundKind};

/// A bound parameter.
pub(crate) type Param = Box<dyn ToSql + Send + Sync>;

/// Converts all parameters, stopping at the first that cannot be converted. The error is the
/// text Spin puts in `bad-parameter` (query) / `value-conversion-failed` (execute).
pub(crate) fn to_sql_parameters(values: &[ParameterValue]) -> Result<Vec<Param>, String> {
    values.iter().map(to_sql_parameter).collect()
}

pub(crate) fn to_sql_parameter(value: &ParameterValue) -> Result<Param, String> {
    Ok(match value {
        ParameterValue::Boolean(v) => Box::new(*v),
        ParameterValue::Int8(v) => Box::new(*v),
        ParameterValue::Int16(v) => Box::new(*v),
        ParameterValue::Int32(v) => Box::new(*v),
        ParameterValue::Int64(v) => Box::new(*v),
        ParameterValue::Floating32(v) => Box::new(*v),
        ParameterValue::Floating64(v) => Box::new(*v),
        ParameterValue::Str(v) => Box::new(v.clone()),
        ParameterValue::Binary(v) => Box::new(v.clone()),
        ParameterValue::Date(v) => Box::new(date(*v)?),
        ParameterValue::Time(v) => Box::new(time(*v)?),
        ParameterValue::Datetime(v) => Box::new(datetime(*v)?),
        ParameterValue::Timestamp(v) => Box::new(timestamp(*v)?),
        ParameterValue::Uuid(v) => Box::new(uuid(v)?),
        ParameterValue::Jsonb(v) => Box::new(json(v)?),
        ParameterValue::Decimal(v) => Box::new(decimal(v)?),
        ParameterValue::RangeInt32((lower, upper)) => Box::new(range(*lower, *upper)?),
        ParameterValue::RangeInt64((lower, upper)) => Box::new(range(*lower, *upper)?),
        ParameterValue::RangeDecimal((lower, upper)) => {
            let lower = decimal_bound(lower)?;
            let upper = decimal_bound(upper)?;
            Box::new(range(lower, upper)?)
        }
        ParameterValue::ArrayInt32(v) => Box::new(v.clone()),
        ParameterValue::ArrayInt64(v) => Box::new(v.clone()),
        ParameterValue::ArrayDecimal(v) => Box::new(
            v.iter()
                .map(|item| item.as_deref().map(decimal).transpose())
                .collect::<Result<Vec<Option<Decimal>>, String>>()?,
        ),
        ParameterValue::ArrayStr(v) => Box::new(v.clone()),
        ParameterValue::Interval(v) => Box::new(IntervalValue(*v)),
        ParameterValue::DbNull => Box::new(PgNull),
    })
}

pub(crate) fn date((y, m, d): (i32, u8, u8)) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m.into(), d.into())
        .ok_or_else(|| format!("invalid date y={y}, m={m}, d={d}"))
}

pub(crate) fn time((h, min, s, ns): (u8, u8, u8, u32)) -> Result<NaiveTime, String> {
    NaiveTime::from_hms_nano_opt(h.into(), min.into(), s.into(), ns)
        .ok_or_else(|| format!("invalid time {h}:{min}:{s}:{ns}"))
}

pub(crate) fn datetime(
    (y, mon, d, h, min, s, ns): (i32, u8, u8, u8, u8, u8, u32),
) -> Result<NaiveDateTime, String> {
    Ok(NaiveDateTime::new(
        date((y, mon, d))?,
        time((h, min, s, ns))?,
    ))
}

/// `timestamp` parameters are seconds since the Unix epoch, bound as a UTC `DateTime`
/// (which only fits `timestamptz` placeholders).
pub(crate) fn timestamp(secs: i64) -> Result<DateTime<Utc>, String> {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .ok_or_else(|| format!("invalid epoch timestamp {secs}"))
}

pub(crate) fn uuid(text: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(text).map_err(|e| context_text(format!("invalid UUID {text}"), &e))
}

pub(crate) fn json(bytes: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        context_text(
            format!("invalid JSON {}", String::from_utf8_lossy(bytes)),
            &e,
        )
    })
}

pub(crate) fn decimal(text: &str) -> Result<Decimal, String> {
    Decimal::from_str_exact(text).map_err(|e| context_text(format!("invalid decimal {text}"), &e))
}

fn decimal_bound(bound: &Option<(String, RangeBoundKind)>) -> Result<WitBound<Decimal>, String> {
    bound
        .as_ref()
        .map(|(text, kind)| Ok((decimal(text)?, *kind)))
        .transpose()
}

fn range<T: RangeElement>(lower: WitBound<T>, upper: WitBound<T>) -> Result<PgRange<T>, String> {
    PgRange::new(lower, upper).map_err(|overflow| {
        format!(
            "range bound {} is out of range: it cannot be normalised",
            overflow.0
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use bytes::BytesMut;
    use tokio_postgres::types::Type;

    use super::*;
    use crate::bindings::spin::postgres::postgres::Interval;

    /// Which of these placeholder types the bound value is accepted for.
    fn accepted(value: ParameterValue) -> Vec<Type> {
        let param = to_sql_parameter(&value).unwrap();
        let candidates = [
            Type::BOOL,
            Type::CHAR,
            Type::INT2,
            Type::INT4,
            Type::INT8,
            Type::FLOAT4,
            Type::FLOAT8,
            Type::TEXT,
            Type::VARCHAR,
            Type::BPCHAR,
            Type::NAME,
            Type::BYTEA,
            Type::DATE,
            Type::TIME,
            Type::TIMESTAMP,
            Type::TIMESTAMPTZ,
            Type::UUID,
            Type::JSON,
            Type::JSONB,
            Type::NUMERIC,
            Type::INT4_RANGE,
            Type::INT8_RANGE,
            Type::NUM_RANGE,
            Type::INT4_ARRAY,
            Type::INT8_ARRAY,
            Type::NUMERIC_ARRAY,
            Type::TEXT_ARRAY,
            Type::VARCHAR_ARRAY,
            Type::INTERVAL,
            Type::OID,
        ];
        candidates
            .into_iter()
            .filter(|ty| param.to_sql_checked(ty, &mut BytesMut::new()).is_ok())
            .collect()
    }

    fn wrong_type(value: ParameterValue, ty: Type) -> String {
        let param = to_sql_parameter(&value).unwrap();
        format!(
            "{:?}",
            param
                .to_sql_checked(&ty, &mut BytesMut::new())
                .err()
                .unwrap()
        )
    }

    #[test]
    fn each_variant_binds_as_spins_rust_type() {
        use ParameterValue as P;
        assert_eq!(accepted(P::Boolean(true)), vec![Type::BOOL]);
        // Spin binds int8 as an i8, which only fits Postgres' one-byte "char".
        assert_eq!(accepted(P::Int8(1)), vec![Type::CHAR]);
        assert_eq!(accepted(P::Int16(1)), vec![Type::INT2]);
        assert_eq!(accepted(P::Int32(1)), vec![Type::INT4]);
        assert_eq!(accepted(P::Int64(1)), vec![Type::INT8]);
        assert_eq!(accepted(P::Floating32(1.0)), vec![Type::FLOAT4]);
        assert_eq!(accepted(P::Floating64(1.0)), vec![Type::FLOAT8]);
        assert_eq!(
            accepted(P::Str("x".into())),
            vec![Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME]
        );
        assert_eq!(accepted(P::Binary(vec![1])), vec![Type::BYTEA]);
        assert_eq!(accepted(P::Date((2024, 2, 29))), vec![Type::DATE]);
        assert_eq!(accepted(P::Time((23, 59, 59, 5))), vec![Type::TIME]);
        assert_eq!(
            accepted(P::Datetime((2024, 1, 2, 3, 4, 5, 6))),
            vec![Type::TIMESTAMP]
        );
        assert_eq!(accepted(P::Timestamp(0)), vec![Type::TIMESTAMPTZ]);
        assert_eq!(
            accepted(P::Uuid("67e55044-10b1-426f-9247-bb680e5fe0c8".into())),
            vec![Type::UUID]
        );
        assert_eq!(
            accepted(P::Jsonb(b"{\"a\":1}".to_vec())),
            vec![Type::JSON, Type::JSONB]
        );
        assert_eq!(accepted(P::Decimal("1.5".into())), vec![Type::NUMERIC]);
        assert_eq!(
            accepted(P::RangeInt32((None, None))),
            vec![Type::INT4_RANGE]
        );
        assert_eq!(
            accepted(P::RangeInt64((None, None))),
            vec![Type::INT8_RANGE]
        );
        assert_eq!(
            accepted(P::RangeDecimal((None, None))),
            vec![Type::NUM_RANGE]
        );
        assert_eq!(
            accepted(P::ArrayInt32(vec![Some(1), None])),
            vec![Type::INT4_ARRAY]
        );
        assert_eq!(accepted(P::ArrayInt64(vec![])), vec![Type::INT8_ARRAY]);
        assert_eq!(
            accepted(P::ArrayDecimal(vec![Some("2".into())])),
            vec![Type::NUMERIC_ARRAY]
        );
        assert_eq!(
            accepted(P::ArrayStr(vec![Some("a".into()), None])),
            vec![Type::TEXT_ARRAY, Type::VARCHAR_ARRAY]
        );
        assert_eq!(
            accepted(P::Interval(Interval {
                micros: 1,
                days: 2,
                months: 3
            })),
            vec![Type::INTERVAL]
        );
        assert_eq!(accepted(P::DbNull).len(), 30);
    }

    #[test]
    fn wrong_type_errors_name_spins_rust_types() {
        use ParameterValue as P;
        assert_eq!(
            wrong_type(P::Str("[1,2]".into()), Type::INT4),
            "WrongType { postgres: Int4, rust: \"alloc::string::String\" }"
        );
        assert_eq!(
            wrong_type(P::Datetime((2024, 1, 2, 3, 4, 5, 0)), Type::TIMESTAMPTZ),
            "WrongType { postgres: Timestamptz, rust: \"chrono::naive::datetime::NaiveDateTime\" }"
        );
        assert_eq!(
            wrong_type(P::RangeInt32((None, None)), Type::INT8_RANGE),
            "WrongType { postgres: Int8Range, rust: \"postgres_range::Range<i32>\" }"
        );
        assert_eq!(
            wrong_type(
                P::Interval(Interval {
                    micros: 0,
                    days: 0,
                    months: 0
                }),
                Type::TEXT
            ),
            "WrongType { postgres: Text, rust: \"spin_factor_outbound_pg::types::interval::Interval\" }"
        );
        assert_eq!(
            wrong_type(P::Jsonb(b"1".to_vec()), Type::TEXT),
            "WrongType { postgres: Text, rust: \"serde_json::value::Value\" }"
        );
    }

    #[test]
    fn conversion_errors_use_spins_messages() {
        use ParameterValue as P;
        let err = |v: P| to_sql_parameter(&v).err().unwrap();
        assert_eq!(
            err(P::Date((2023, 2, 29))),
            "invalid date y=2023, m=2, d=29"
        );
        assert_eq!(err(P::Time((24, 0, 0, 0))), "invalid time 24:0:0:0");
        assert_eq!(
            err(P::Datetime((2023, 13, 1, 0, 0, 0, 0))),
            "invalid date y=2023, m=13, d=1"
        );
        assert_eq!(
            err(P::Datetime((2023, 1, 1, 0, 60, 0, 0))),
            "invalid time 0:60:0:0"
        );
        assert_eq!(
            err(P::Timestamp(i64::MAX)),
            format!("invalid epoch timestamp {}", i64::MAX)
        );
        let uuid_err = err(P::Uuid("nope".into()));
        assert!(
            uuid_err.starts_with("invalid UUID nope\n\nCaused by:\n    "),
            "{uuid_err}"
        );
        let json_err = err(P::Jsonb(b"{oops".to_vec()));
        assert!(
            json_err.starts_with("invalid JSON {oops\n\nCaused by:\n    key must be a string"),
            "{json_err}"
        );
        let dec_err = err(P::Decimal("1.2.3".into()));
        assert!(
            dec_err.starts_with("invalid decimal 1.2.3\n\nCaused by:\n    "),
            "{dec_err}"
        );
        let arr_err = err(P::ArrayDecimal(vec![Some("1".into()), Some("x".into())]));
        assert!(arr_err.starts_with("invalid decimal x"), "{arr_err}");
        let range_err = err(P::RangeDecimal((
            None,
            Some(("y".into(), RangeBoundKind::Inclusive)),
        )));
        assert!(range_err.starts_with("invalid decimal y"), "{range_err}");
        assert!(
            err(P::RangeInt32((
                Some((i32::MAX, RangeBoundKind::Exclusive)),
                None
            )))
            .contains("out of range")
        );
        // The first bad parameter wins.
        let all = to_sql_parameters(&[P::Int32(1), P::Uuid("a".into()), P::Decimal("b".into())]);
        assert!(all.err().unwrap().starts_with("invalid UUID a"));
    }

    #[test]
    fn values_are_encoded_as_spin_encodes_them() {
        use ParameterValue as P;
        let enc = |v: P, ty: Type| {
            let mut out = BytesMut::new();
            to_sql_parameter(&v)
                .unwrap()
                .to_sql_checked(&ty, &mut out)
                .unwrap();
            out.to_vec()
        };
        // timestamp: seconds -> microseconds since 2000-01-01
        assert_eq!(
            enc(P::Timestamp(946_684_800 + 1), Type::TIMESTAMPTZ),
            1_000_000i64.to_be_bytes()
        );
        // datetime keeps nanoseconds down to microseconds
        assert_eq!(
            enc(P::Datetime((2000, 1, 1, 0, 0, 1, 2_000)), Type::TIMESTAMP),
            1_000_002i64.to_be_bytes()
        );
        // jsonb: version byte then the JSON text
        assert_eq!(
            enc(P::Jsonb(b" [1, 2] ".to_vec()), Type::JSONB),
            b"\x01[1,2]".to_vec()
        );
        assert_eq!(
            enc(
                P::Uuid("67E55044-10B1-426F-9247-BB680E5FE0C8".into()),
                Type::UUID
            )
            .len(),
            16
        );
        // int range (1,3] goes out as [2,4)
        assert_eq!(
            enc(
                P::RangeInt32((
                    Some((1, RangeBoundKind::Exclusive)),
                    Some((3, RangeBoundKind::Inclusive))
                )),
                Type::INT4_RANGE
            ),
            vec![0x02, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4]
        );
        assert_eq!(
            enc(
                P::Interval(Interval {
                    micros: 1,
                    days: 2,
                    months: 3
                }),
                Type::INTERVAL
            ),
            vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]
        );
    }
}
