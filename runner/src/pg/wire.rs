//! Postgres wire (binary format) types that Spin handles through wrapper types of its own:
//! ranges, INTERVAL, the typed-any NULL parameter, raw bytes of unmapped types.
//!
//! Spin uses the `postgres_range` crate for ranges; its behaviour is reproduced here directly
//! on the binary range format: discrete (integer) bounds are normalised to `[lower, upper)`,
//! a range whose bounds cross is sent/read as the empty range, and the empty range surfaces as
//! `(none, none)`.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

use super::errors::{Message, SpinWrongType};
use crate::bindings::spin::postgres::postgres::{Interval, RangeBoundKind};

type BoxError = Box<dyn StdError + Sync + Send>;

// Flag bits of the binary range format.
const RANGE_EMPTY: u8 = 0x01;
const RANGE_LOWER_INCLUSIVE: u8 = 0x02;
const RANGE_UPPER_INCLUSIVE: u8 = 0x04;
const RANGE_LOWER_UNBOUNDED: u8 = 0x08;
const RANGE_UPPER_UNBOUNDED: u8 = 0x10;

/// One bound of a range as WIT carries it.
pub(crate) type WitBound<T> = Option<(T, RangeBoundKind)>;

/// An element type of the ranges Spin supports (int4range, int8range, numrange).
pub(crate) trait RangeElement:
    Sized + PartialOrd + Copy + std::fmt::Display + std::fmt::Debug + Sync
{
    /// The Rust type name Spin reports in a WrongType error for a range of this element.
    const SPIN_RANGE_TYPE_NAME: &'static str;
    /// `Some(value + 1)` for discrete types (`None` on overflow); discrete types are normalised.
    fn successor(&self) -> Option<Option<Self>>;
    fn element_accepts(ty: &Type) -> bool;
    fn encode(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError>;
    fn decode(ty: &Type, raw: &[u8]) -> Result<Self, BoxError>;
    fn decode_null(ty: &Type) -> Result<Self, BoxError>;
}

macro_rules! discrete_element {
    ($t:ty, $name:literal) => {
        impl RangeElement for $t {
            const SPIN_RANGE_TYPE_NAME: &'static str = $name;
            fn successor(&self) -> Option<Option<Self>> {
                Some(self.checked_add(1))
            }
            fn element_accepts(ty: &Type) -> bool {
                <$t as ToSql>::accepts(ty)
            }
            fn encode(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
                <$t as ToSql>::to_sql(self, ty, out)
            }
            fn decode(ty: &Type, raw: &[u8]) -> Result<Self, BoxError> {
                <$t as FromSql>::from_sql(ty, raw)
            }
            fn decode_null(ty: &Type) -> Result<Self, BoxError> {
                <$t as FromSql>::from_sql_null(ty)
            }
        }
    };
}

discrete_element!(i32, "postgres_range::Range<i32>");
discrete_element!(i64, "postgres_range::Range<i64>");

impl RangeElement for rust_decimal::Decimal {
    const SPIN_RANGE_TYPE_NAME: &'static str =
        "postgres_range::Range<spin_factor_outbound_pg::types::decimal::RangeableDecimal>";
    fn successor(&self) -> Option<Option<Self>> {
        None
    }
    fn element_accepts(ty: &Type) -> bool {
        <rust_decimal::Decimal as ToSql>::accepts(ty)
    }
    fn encode(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        <rust_decimal::Decimal as ToSql>::to_sql(self, ty, out)
    }
    fn decode(ty: &Type, raw: &[u8]) -> Result<Self, BoxError> {
        <rust_decimal::Decimal as FromSql>::from_sql(ty, raw)
    }
    fn decode_null(ty: &Type) -> Result<Self, BoxError> {
        <rust_decimal::Decimal as FromSql>::from_sql_null(ty)
    }
}

/// A range value, normalised the way `postgres_range::Range::new` does it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PgRange<T> {
    Empty,
    Bounded {
        lower: WitBound<T>,
        upper: WitBound<T>,
    },
}

/// A discrete bound at the type's maximum cannot be normalised (`postgres_range` asserts).
#[derive(Debug, PartialEq)]
pub(crate) struct BoundOverflow(pub(crate) String);

impl<T: RangeElement> PgRange<T> {
    pub(crate) fn new(lower: WitBound<T>, upper: WitBound<T>) -> Result<Self, BoundOverflow> {
        let lower = match lower {
            Some((v, RangeBoundKind::Exclusive)) => match v.successor() {
                None => Some((v, RangeBoundKind::Exclusive)),
                Some(Some(next)) => Some((next, RangeBoundKind::Inclusive)),
                Some(None) => return Err(BoundOverflow(v.to_string())),
            },
            other => other,
        };
        let upper = match upper {
            Some((v, RangeBoundKind::Inclusive)) => match v.successor() {
                None => Some((v, RangeBoundKind::Inclusive)),
                Some(Some(next)) => Some((next, RangeBoundKind::Exclusive)),
                Some(None) => return Err(BoundOverflow(v.to_string())),
            },
            other => other,
        };
        if let (Some((lo, lo_kind)), Some((hi, hi_kind))) = (&lower, &upper) {
            let empty = match (lo_kind, hi_kind) {
                (RangeBoundKind::Inclusive, RangeBoundKind::Inclusive) => lo > hi,
                _ => lo >= hi,
            };
            if empty {
                return Ok(PgRange::Empty);
            }
        }
        Ok(PgRange::Bounded { lower, upper })
    }

    /// The WIT tuple; the empty range has no bounds.
    pub(crate) fn into_wit(self) -> (WitBound<T>, WitBound<T>) {
        match self {
            PgRange::Empty => (None, None),
            PgRange::Bounded { lower, upper } => (lower, upper),
        }
    }
}

fn range_element_type(ty: &Type) -> Option<&Type> {
    match ty.kind() {
        Kind::Range(inner) => Some(inner),
        _ => None,
    }
}

fn write_bound<T: RangeElement>(
    bound: &WitBound<T>,
    element: &Type,
    out: &mut BytesMut,
) -> Result<(), BoxError> {
    if let Some((value, _)) = bound {
        let len_at = out.len();
        out.put_i32(0);
        let len = match value.encode(element, out)? {
            IsNull::Yes => -1,
            IsNull::No => i32::try_from(out.len() - len_at - 4)
                .map_err(|_| Message("value too large to transmit"))?,
        };
        out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

impl<T: RangeElement> ToSql for PgRange<T> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let element = range_element_type(ty).ok_or(Message("not a range type"))?;
        match self {
            PgRange::Empty => out.put_u8(RANGE_EMPTY),
            PgRange::Bounded { lower, upper } => {
                let mut flags = 0u8;
                match lower {
                    None => flags |= RANGE_LOWER_UNBOUNDED,
                    Some((_, RangeBoundKind::Inclusive)) => flags |= RANGE_LOWER_INCLUSIVE,
                    Some((_, RangeBoundKind::Exclusive)) => {}
                }
                match upper {
                    None => flags |= RANGE_UPPER_UNBOUNDED,
                    Some((_, RangeBoundKind::Inclusive)) => flags |= RANGE_UPPER_INCLUSIVE,
                    Some((_, RangeBoundKind::Exclusive)) => {}
                }
                out.put_u8(flags);
                write_bound(lower, element, out)?;
                write_bound(upper, element, out)?;
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        range_element_type(ty).is_some_and(T::element_accepts)
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        if !<Self as ToSql>::accepts(ty) {
            return Err(Box::new(SpinWrongType {
                postgres: ty.clone(),
                rust: T::SPIN_RANGE_TYPE_NAME,
            }));
        }
        self.to_sql(ty, out)
    }
}

fn read_i32(buf: &mut &[u8]) -> Result<i32, BoxError> {
    let (head, tail) = buf
        .split_at_checked(4)
        .ok_or(Message("invalid message size"))?;
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(head);
    *buf = tail;
    Ok(i32::from_be_bytes(bytes))
}

fn read_bound<T: RangeElement>(
    buf: &mut &[u8],
    flags: u8,
    unbounded: u8,
    inclusive: u8,
    element: &Type,
) -> Result<WitBound<T>, BoxError> {
    if flags & unbounded != 0 {
        return Ok(None);
    }
    let len = read_i32(buf)?;
    let value = if len < 0 {
        T::decode_null(element)?
    } else {
        let len = usize::try_from(len).map_err(|_| Message("invalid message size"))?;
        let (raw, tail) = buf
            .split_at_checked(len)
            .ok_or(Message("invalid message size"))?;
        *buf = tail;
        T::decode(element, raw)?
    };
    let kind = if flags & inclusive != 0 {
        RangeBoundKind::Inclusive
    } else {
        RangeBoundKind::Exclusive
    };
    Ok(Some((value, kind)))
}

impl<'a, T: RangeElement> FromSql<'a> for PgRange<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let element = range_element_type(ty).ok_or(Message("not a range type"))?;
        let (&flags, mut buf) = raw.split_first().ok_or(Message("invalid message size"))?;
        if flags == RANGE_EMPTY {
            if !buf.is_empty() {
                return Err(Box::new(Message("invalid message size")));
            }
            return Ok(PgRange::Empty);
        }
        let lower = read_bound(
            &mut buf,
            flags,
            RANGE_LOWER_UNBOUNDED,
            RANGE_LOWER_INCLUSIVE,
            element,
        )?;
        let upper = read_bound(
            &mut buf,
            flags,
            RANGE_UPPER_UNBOUNDED,
            RANGE_UPPER_INCLUSIVE,
            element,
        )?;
        if !buf.is_empty() {
            return Err(Box::new(Message("invalid message size")));
        }
        PgRange::new(lower, upper)
            .map_err(|_| Box::new(Message("range bound out of range")) as BoxError)
    }

    fn accepts(ty: &Type) -> bool {
        range_element_type(ty).is_some_and(T::element_accepts)
    }
}

/// INTERVAL as its three binary fields (microseconds, days, months), both ways.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IntervalValue(pub(crate) Interval);

const SPIN_INTERVAL_TYPE_NAME: &str = "spin_factor_outbound_pg::types::interval::Interval";

impl ToSql for IntervalValue {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.put_i64(self.0.micros);
        out.put_i32(self.0.days);
        out.put_i32(self.0.months);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        if !<Self as ToSql>::accepts(ty) {
            return Err(Box::new(SpinWrongType {
                postgres: ty.clone(),
                rust: SPIN_INTERVAL_TYPE_NAME,
            }));
        }
        self.to_sql(ty, out)
    }
}

impl<'a> FromSql<'a> for IntervalValue {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        if raw.len() != 16 {
            return Err(Box::new(Message(
                "unexpected binary format for Postgres INTERVAL",
            )));
        }
        let mut micros = [0u8; 8];
        let mut days = [0u8; 4];
        let mut months = [0u8; 4];
        micros.copy_from_slice(&raw[0..8]);
        days.copy_from_slice(&raw[8..12]);
        months.copy_from_slice(&raw[12..16]);
        Ok(IntervalValue(Interval {
            micros: i64::from_be_bytes(micros),
            days: i32::from_be_bytes(days),
            months: i32::from_be_bytes(months),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

/// The `db-null` parameter: accepted for a placeholder of any type, always sent as NULL.
#[derive(Debug)]
pub(crate) struct PgNull;

impl ToSql for PgNull {
    fn to_sql(&self, _ty: &Type, _out: &mut BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::Yes)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn to_sql_checked(&self, _ty: &Type, _out: &mut BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::Yes)
    }
}

/// The raw binary value of a column of a type Spin does not map (`unsupported(bytes)`).
#[derive(Debug)]
pub(crate) struct RawBytes(pub(crate) Vec<u8>);

impl<'a> FromSql<'a> for RawBytes {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(RawBytes(raw.to_vec()))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use RangeBoundKind::{Exclusive as Ex, Inclusive as In};

    fn encode<T: ToSql>(v: &T, ty: &Type) -> Vec<u8> {
        let mut out = BytesMut::new();
        v.to_sql_checked(ty, &mut out).unwrap();
        out.to_vec()
    }

    #[test]
    fn discrete_ranges_normalise_like_postgres_range() {
        // (1,5] -> [2,6)
        let r = PgRange::<i32>::new(Some((1, Ex)), Some((5, In))).unwrap();
        assert_eq!(r.into_wit(), (Some((2, In)), Some((6, Ex))));
        // [5,5) is empty, [5,5] is not, [6,5] is empty
        assert_eq!(
            PgRange::<i64>::new(Some((5, In)), Some((5, Ex))).unwrap(),
            PgRange::Empty
        );
        assert_eq!(
            PgRange::<i64>::new(Some((5, In)), Some((5, In)))
                .unwrap()
                .into_wit(),
            (Some((5, In)), Some((6, Ex)))
        );
        assert_eq!(
            PgRange::<i32>::new(Some((6, In)), Some((5, In))).unwrap(),
            PgRange::Empty
        );
        assert_eq!(PgRange::<i32>::Empty.into_wit(), (None, None));
        // unbounded sides stay unbounded
        assert_eq!(
            PgRange::<i32>::new(None, Some((3, In))).unwrap().into_wit(),
            (None, Some((4, Ex)))
        );
        // Spin panics here; we report it.
        assert_eq!(
            PgRange::<i32>::new(None, Some((i32::MAX, In))),
            Err(BoundOverflow(i32::MAX.to_string()))
        );
    }

    #[test]
    fn decimal_ranges_are_not_normalised() {
        let lo = rust_decimal::Decimal::new(15, 1);
        let hi = rust_decimal::Decimal::new(25, 1);
        let r = PgRange::new(Some((lo, Ex)), Some((hi, In))).unwrap();
        assert_eq!(r.into_wit(), (Some((lo, Ex)), Some((hi, In))));
        assert_eq!(
            PgRange::new(Some((hi, Ex)), Some((lo, In))).unwrap(),
            PgRange::Empty
        );
    }

    #[test]
    fn int4range_wire_format_round_trips() {
        let r = PgRange::<i32>::new(Some((2, In)), Some((6, Ex))).unwrap();
        let bytes = encode(&r, &Type::INT4_RANGE);
        assert_eq!(
            bytes,
            vec![0x02, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6]
        );
        let back = PgRange::<i32>::from_sql(&Type::INT4_RANGE, &bytes).unwrap();
        assert_eq!(back, r);

        let unbounded = PgRange::<i64>::new(None, None).unwrap();
        let bytes = encode(&unbounded, &Type::INT8_RANGE);
        assert_eq!(bytes, vec![RANGE_LOWER_UNBOUNDED | RANGE_UPPER_UNBOUNDED]);
        assert_eq!(
            PgRange::<i64>::from_sql(&Type::INT8_RANGE, &bytes)
                .unwrap()
                .into_wit(),
            (None, None)
        );

        let empty = encode(&PgRange::<i32>::Empty, &Type::INT4_RANGE);
        assert_eq!(empty, vec![RANGE_EMPTY]);
        assert_eq!(
            PgRange::<i32>::from_sql(&Type::INT4_RANGE, &empty).unwrap(),
            PgRange::Empty
        );

        assert!(PgRange::<i32>::from_sql(&Type::INT4_RANGE, &[0x02, 0, 0]).is_err());
        assert!(PgRange::<i32>::from_sql(&Type::INT4_RANGE, &[RANGE_EMPTY, 1]).is_err());
    }

    #[test]
    fn numrange_round_trips_through_numeric_encoding() {
        let lo = rust_decimal::Decimal::new(12345, 2);
        let r = PgRange::new(Some((lo, In)), None).unwrap();
        let bytes = encode(&r, &Type::NUM_RANGE);
        assert_eq!(bytes[0], RANGE_LOWER_INCLUSIVE | RANGE_UPPER_UNBOUNDED);
        let back = PgRange::<rust_decimal::Decimal>::from_sql(&Type::NUM_RANGE, &bytes).unwrap();
        assert_eq!(back.into_wit(), (Some((lo, In)), None));
    }

    #[test]
    fn ranges_reject_other_types_with_spins_type_names() {
        let r = PgRange::<i32>::Empty;
        let err = r
            .to_sql_checked(&Type::INT8_RANGE, &mut BytesMut::new())
            .err()
            .unwrap();
        assert_eq!(
            format!("{err:?}"),
            "WrongType { postgres: Int8Range, rust: \"postgres_range::Range<i32>\" }"
        );
        let r = PgRange::<rust_decimal::Decimal>::Empty;
        let err = r
            .to_sql_checked(&Type::TEXT, &mut BytesMut::new())
            .err()
            .unwrap();
        assert!(err.to_string().contains("RangeableDecimal"), "{err}");
        assert!(<PgRange<i64> as ToSql>::accepts(&Type::INT8_RANGE));
        assert!(!<PgRange<i64> as ToSql>::accepts(&Type::INT4_RANGE));
    }

    #[test]
    fn interval_binary_layout() {
        let iv = IntervalValue(Interval {
            micros: 1_500_000,
            days: -2,
            months: 14,
        });
        let bytes = encode(&iv, &Type::INTERVAL);
        assert_eq!(bytes.len(), 16);
        let back = IntervalValue::from_sql(&Type::INTERVAL, &bytes).unwrap();
        assert_eq!(
            (back.0.micros, back.0.days, back.0.months),
            (1_500_000, -2, 14)
        );
        let err = IntervalValue::from_sql(&Type::INTERVAL, &bytes[..15]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected binary format for Postgres INTERVAL"
        );
        let err = iv
            .to_sql_checked(&Type::TEXT, &mut BytesMut::new())
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "cannot convert between the Rust type `spin_factor_outbound_pg::types::interval::Interval` and the Postgres type `text`"
        );
    }

    #[test]
    fn null_parameter_fits_anything() {
        let mut out = BytesMut::new();
        assert!(matches!(
            PgNull.to_sql_checked(&Type::UUID, &mut out).unwrap(),
            IsNull::Yes
        ));
        assert!(out.is_empty());
    }
}
