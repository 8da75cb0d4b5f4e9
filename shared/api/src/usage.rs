//! A user's usage (`GET /api/usage/me`), for the sidebar widget.

use serde::{Deserialize, Serialize};

use crate::Money;

/// The period of a usage summary (`?period=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UsagePeriod {
    /// Since midnight UTC.
    Day,
    /// The last 7 days.
    Week,
    /// Since the first of this month (UTC): the default.
    Month,
    /// Everything.
    All,
}

impl UsagePeriod {
    /// Parses `day`, `week`, `month` or `all`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// Tokens, cost and requests of one user in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UsageTotals {
    /// The period.
    pub period: UsagePeriod,
    /// Its start (RFC 3339, UTC; inclusive).
    pub from: String,
    /// Its end (RFC 3339, UTC; exclusive): now.
    pub until: String,
    /// Tokens, requests and cost.
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub usage: UsageAmounts,
}

/// Tokens, requests and what they cost: the sums of a usage total or of a group of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UsageAmounts {
    /// Prompt tokens (cached ones included).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub input_tokens: i64,
    /// Generated tokens.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub output_tokens: i64,
    /// Prompt tokens served from a provider's cache.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cached_tokens: i64,
    /// Requests to providers.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: i64,
    /// What they cost.
    pub cost: Money,
}

impl UsageAmounts {
    /// Nothing used, nothing spent.
    pub fn zero() -> Self {
        Self {
            input_tokens: 0,
            output_tokens: 0,
            cached_tokens: 0,
            requests: 0,
            cost: Money::usd("0"),
        }
    }
}
