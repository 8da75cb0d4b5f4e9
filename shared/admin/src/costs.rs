//! The cost report: its period, and the totals and breakdowns of that period.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use hub_db::Db;
use hub_db::usage::{self, CostRow, CostSpan};

use crate::AdminError;

/// The longest custom period, in days.
pub const MAX_CUSTOM_DAYS: i64 = 366;
/// The most users in the breakdown by user (the most expensive).
pub const MAX_USERS: i64 = 100;

/// The period of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since midnight UTC.
    Day,
    /// The last 7 days.
    Week,
    /// Since the first of this month (UTC).
    Month,
    /// From `from` to `until`.
    Custom,
}

/// A period and its bounds: `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Which period.
    pub period: Period,
    /// Its start.
    pub from: DateTime<Utc>,
    /// Its end.
    pub until: DateTime<Utc>,
}

/// An instant from a query parameter (`?from=`, `?until=`): RFC 3339, or a day `YYYY-MM-DD`
/// (its midnight UTC), from 1970 to 9999; else an [`AdminError::Invalid`] naming `field`.
pub fn instant(field: &'static str, text: &str) -> Result<DateTime<Utc>, AdminError> {
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| Utc.from_utc_datetime(&t))
        })
        .filter(|t| (1970..=9999).contains(&t.year()));
    parsed.ok_or_else(|| {
        AdminError::invalid(
            field,
            "must be an RFC 3339 time or a day YYYY-MM-DD, from 1970 to 9999",
        )
    })
}

/// The range of `?period=` (default `month`) at `now`; `?from=` and `?until=` only with
/// `custom`, where both are needed, `from < until`, at most [`MAX_CUSTOM_DAYS`] apart.
pub fn range(
    period: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Range, AdminError> {
    let period = match period {
        None | Some("month") => Period::Month,
        Some("day") => Period::Day,
        Some("week") => Period::Week,
        Some("custom") => Period::Custom,
        Some(_) => {
            return Err(AdminError::invalid(
                "period",
                "must be day, week, month or custom",
            ));
        }
    };
    if period != Period::Custom {
        if from.is_some() {
            return Err(AdminError::invalid("from", "only with period=custom"));
        }
        if until.is_some() {
            return Err(AdminError::invalid("until", "only with period=custom"));
        }
    }
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
    let (from, until) = match period {
        Period::Day => (Utc.from_utc_datetime(&midnight), now),
        Period::Week => (now - Duration::days(7), now),
        Period::Month => {
            let first = midnight.with_day(1).unwrap_or(midnight);
            (Utc.from_utc_datetime(&first), now)
        }
        Period::Custom => {
            let from = instant(
                "from",
                from.ok_or_else(|| AdminError::invalid("from", "is needed with period=custom"))?,
            )?;
            let until = instant(
                "until",
                until
                    .ok_or_else(|| AdminError::invalid("until", "is needed with period=custom"))?,
            )?;
            if from >= until {
                return Err(AdminError::invalid("until", "must be after from"));
            }
            if until - from > Duration::days(MAX_CUSTOM_DAYS) {
                return Err(AdminError::invalid(
                    "until",
                    format!("must be at most {MAX_CUSTOM_DAYS} days after from"),
                ));
            }
            (from, until)
        }
    };
    Ok(Range {
        period,
        from,
        until,
    })
}

/// The totals and breakdowns of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The period.
    pub range: Range,
    /// Everything (`None` when there was no usage).
    pub total: Option<CostRow>,
    /// By user, most expensive first, at most [`MAX_USERS`].
    pub by_user: Vec<CostRow>,
    /// By model, most expensive first.
    pub by_model: Vec<CostRow>,
    /// By provider, most expensive first.
    pub by_provider: Vec<CostRow>,
    /// By UTC day, oldest first.
    pub by_day: Vec<CostRow>,
}

/// Runs the report's two queries: by user, and the rest in one pass (see [`CostSpan`] for how
/// the daily rollups serve them).
pub fn report(db: &dyn Db, range: Range) -> Result<Report, AdminError> {
    let span = CostSpan::new(range.from, range.until);
    let rest = usage::cost_breakdowns(db, span)?;
    Ok(Report {
        range,
        total: rest.total,
        by_user: usage::cost_by_user(db, span, MAX_USERS)?,
        by_model: rest.by_model,
        by_provider: rest.by_provider,
        by_day: rest.by_day,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn periods_end_now_and_start_where_named() {
        let now = at("2026-12-03T15:30:00Z");
        let r = range(None, None, None, now).unwrap();
        assert_eq!(
            (r.period, r.from, r.until),
            (Period::Month, at("2026-12-01T00:00:00Z"), now)
        );
        assert_eq!(
            range(Some("day"), None, None, now).unwrap().from,
            at("2026-12-03T00:00:00Z")
        );
        assert_eq!(
            range(Some("week"), None, None, now).unwrap().from,
            at("2026-11-26T15:30:00Z")
        );
        let r = range(
            Some("custom"),
            Some("2026-01-01"),
            Some("2026-02-01T12:00:00+01:00"),
            now,
        )
        .unwrap();
        assert_eq!(
            (r.from, r.until),
            (at("2026-01-01T00:00:00Z"), at("2026-02-01T11:00:00Z"))
        );
    }

    #[test]
    fn bad_periods_name_their_field() {
        let now = at("2026-12-03T15:30:00Z");
        for (period, from, until, field) in [
            (Some("year"), None, None, "period"),
            (Some("month"), Some("2026-01-01"), None, "from"),
            (Some("day"), None, Some("2026-01-01"), "until"),
            (Some("custom"), None, Some("2026-01-01"), "from"),
            (Some("custom"), Some("2026-01-01"), None, "until"),
            (
                Some("custom"),
                Some("yesterday"),
                Some("2026-01-01"),
                "from",
            ),
            (
                Some("custom"),
                Some("2026-01-02"),
                Some("2026-01-01"),
                "until",
            ),
            (
                Some("custom"),
                Some("2026-01-01"),
                Some("2026-01-01"),
                "until",
            ),
            (
                Some("custom"),
                Some("2024-01-01"),
                Some("2026-01-01"),
                "until",
            ),
            (
                Some("custom"),
                Some("0001-01-01"),
                Some("0001-02-01"),
                "from",
            ),
        ] {
            match range(period, from, until, now) {
                Err(AdminError::Invalid { field: f, .. }) => {
                    assert_eq!(f, field, "{period:?} {from:?} {until:?}")
                }
                other => panic!("{period:?} {from:?} {until:?}: {other:?}"),
            }
        }
    }
}
