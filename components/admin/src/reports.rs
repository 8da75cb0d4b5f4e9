//! `GET /api/admin/costs`, `/api/admin/costs.csv` and `/api/admin/stats`.

use hub_admin_domain::costs::{self, Period, Report};
use hub_api::{AdminStats, CostGroup, CostPeriod, CostReport, DayCount, UsageAmounts, UserStats};
use hub_component::{errors, json, query_param, timestamp, usage_amounts};
use hub_db::stats;
use hub_db::usage::CostRow;
use hub_http::ApiError;
use hub_http::csv::Writer;
use hub_providers::ProviderKind;
use spin_sdk::http::{Request, Response};

use crate::routes::admin;

/// The days of the messages-per-day series.
const SERIES_DAYS: i32 = 30;

fn group(row: CostRow) -> CostGroup {
    CostGroup {
        key: row.key,
        label: row.label,
        usage: usage_amounts(row.usage),
    }
}

/// The report of the request's period (`?period=&from=&until=`).
fn report(req: &Request) -> Result<Report, ApiError> {
    let (db, _) = admin(req)?;
    let query = req.query();
    let (period, from, until) = (
        query_param(query, "period"),
        query_param(query, "from"),
        query_param(query, "until"),
    );
    let range = costs::range(
        period.as_deref(),
        from.as_deref(),
        until.as_deref(),
        chrono::Utc::now(),
    )
    .map_err(errors::admin)?;
    costs::report(&db, range).map_err(errors::admin)
}

fn cost_report(report: Report) -> CostReport {
    let provider_name = |mut row: CostRow| {
        if let Some(kind) = row
            .key
            .as_deref()
            .and_then(|k| k.parse::<ProviderKind>().ok())
        {
            row.label = Some(kind.display_name().to_owned());
        }
        group(row)
    };
    CostReport {
        period: match report.range.period {
            Period::Day => CostPeriod::Day,
            Period::Week => CostPeriod::Week,
            Period::Month => CostPeriod::Month,
            Period::Custom => CostPeriod::Custom,
        },
        from: timestamp(report.range.from),
        until: timestamp(report.range.until),
        total: report.total.map_or_else(
            || CostGroup {
                key: None,
                label: None,
                usage: UsageAmounts::zero(),
            },
            group,
        ),
        by_user: report.by_user.into_iter().map(group).collect(),
        by_model: report.by_model.into_iter().map(group).collect(),
        by_provider: report.by_provider.into_iter().map(provider_name).collect(),
        by_day: report.by_day.into_iter().map(group).collect(),
    }
}

/// `GET /api/admin/costs`: totals and breakdowns by user, model, provider and day.
pub fn costs(req: &Request) -> Result<Response, ApiError> {
    Ok(json(200, &cost_report(report(req)?)))
}

/// `GET /api/admin/costs.csv`: the same report, one line per group (`group` says which
/// breakdown: `total`, `user`, `model`, `provider`, `day`).
pub fn costs_csv(req: &Request) -> Result<Response, ApiError> {
    let report = cost_report(report(req)?);
    let mut csv = Writer::new(&[
        "group",
        "key",
        "label",
        "input_tokens",
        "output_tokens",
        "cached_tokens",
        "requests",
        "cost",
        "currency",
    ]);
    let total = [report.total];
    let sections: [(&str, &[CostGroup]); 5] = [
        ("total", &total),
        ("user", &report.by_user),
        ("model", &report.by_model),
        ("provider", &report.by_provider),
        ("day", &report.by_day),
    ];
    for (name, groups) in sections {
        for g in groups {
            csv.row(&[
                name.to_owned(),
                g.key.clone().unwrap_or_default(),
                g.label.clone().unwrap_or_default(),
                g.usage.input_tokens.to_string(),
                g.usage.output_tokens.to_string(),
                g.usage.cached_tokens.to_string(),
                g.usage.requests.to_string(),
                g.usage.cost.amount.clone(),
                g.usage.cost.currency.clone(),
            ]);
        }
    }
    let filename = format!(
        "costs-{}-{}.csv",
        report.from.get(..10).unwrap_or("from"),
        report.until.get(..10).unwrap_or("until")
    );
    Ok(hub_component::csv(&filename, csv.finish()))
}

/// `GET /api/admin/stats`: accounts, chats, messages and messages per day.
pub fn stats(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let users = stats::user_counts(&db).map_err(errors::db)?;
    let (chats, messages) = stats::chat_counts(&db).map_err(errors::db)?;
    let (assistants, templates) = stats::content_counts(&db).map_err(errors::db)?;
    let series = stats::messages_per_day(&db, SERIES_DAYS).map_err(errors::db)?;
    Ok(json(
        200,
        &AdminStats {
            users: UserStats {
                total: users.total,
                active: users.active,
                admins: users.admins,
                active_last_7_days: users.active_7_days,
                active_last_30_days: users.active_30_days,
            },
            chats,
            messages,
            assistants,
            templates,
            messages_per_day: series
                .into_iter()
                .map(|(day, count)| DayCount { day, count })
                .collect(),
        },
    ))
}
