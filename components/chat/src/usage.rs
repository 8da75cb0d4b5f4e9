//! `GET /api/usage/me?period=`: the caller's tokens, cost and requests (U5's sidebar widget).

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use hub_api::{UsagePeriod, UsageTotals};
use hub_component::auth::{authenticate, owner};
use hub_component::errors::db as db_error;
use hub_component::{database, json, query_param, usage_amounts};
use hub_db::usage;
use hub_http::ApiError;
use spin_sdk::http::{Request, Response};

use crate::views::time;

/// The caller's usage in the period (`month` by default).
pub fn me(req: &Request) -> Result<Response, ApiError> {
    let db = database()?;
    let user = authenticate(req, &db)?;
    let period = match query_param(req.query(), "period") {
        None => UsagePeriod::Month,
        Some(text) => UsagePeriod::parse(&text).ok_or_else(|| {
            ApiError::invalid_field("period", "must be one of day, week, month, all")
        })?,
    };
    let until = Utc::now();
    let from = start(period, until);
    let summary = usage::summary(&db, owner(&user), from, until).map_err(db_error)?;
    Ok(json(
        200,
        &UsageTotals {
            period,
            from: time(from),
            until: time(until),
            usage: usage_amounts(summary),
        },
    ))
}

/// Where `period` starts, seen at `now` (UTC).
pub fn start(period: UsagePeriod, now: DateTime<Utc>) -> DateTime<Utc> {
    let midnight = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(now, |t| Utc.from_utc_datetime(&t))
    };
    match period {
        UsagePeriod::Day => midnight(now.date_naive()),
        UsagePeriod::Week => now - Duration::days(7),
        UsagePeriod::Month => midnight(now.date_naive().with_day(1).unwrap_or(now.date_naive())),
        UsagePeriod::All => DateTime::<Utc>::UNIX_EPOCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_start_where_people_expect() {
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 15, 30, 0).unwrap();
        assert_eq!(
            start(UsagePeriod::Day, now),
            Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap()
        );
        assert_eq!(
            start(UsagePeriod::Week, now),
            Utc.with_ymd_and_hms(2026, 11, 20, 15, 30, 0).unwrap()
        );
        assert_eq!(
            start(UsagePeriod::Month, now),
            Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(start(UsagePeriod::All, now).timestamp(), 0);
    }
}
