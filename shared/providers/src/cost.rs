//! The cost of a request, in exact decimal arithmetic, from its usage and the model's prices.

use rust_decimal::Decimal;

use crate::types::Usage;

/// The highest price per million tokens accepted (far above any model's), which also keeps
/// every cost computation far from `Decimal`'s limits.
const MAX_PRICE_PER_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

const ONE_MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// A price that cannot be one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} price {value} per million tokens is outside 0..={MAX_PRICE_PER_MILLION}")]
pub struct PriceError {
    /// `input`, `output` or `cached_input`.
    pub field: &'static str,
    /// The price given.
    pub value: Decimal,
}

/// A model's prices per million tokens, in the hub's currency (USD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    input: Decimal,
    output: Decimal,
    cached_input: Option<Decimal>,
}

impl Prices {
    /// Prices per million input, output and (when the model has a discount for them) cached
    /// input tokens; each must be in `0..=1_000_000`.
    pub fn new(
        input_per_million: Decimal,
        output_per_million: Decimal,
        cached_input_per_million: Option<Decimal>,
    ) -> Result<Self, PriceError> {
        let check = |field, value: Decimal| {
            if (value.is_sign_negative() && !value.is_zero()) || value > MAX_PRICE_PER_MILLION {
                Err(PriceError { field, value })
            } else {
                Ok(value)
            }
        };
        Ok(Self {
            input: check("input", input_per_million)?,
            output: check("output", output_per_million)?,
            cached_input: cached_input_per_million
                .map(|v| check("cached_input", v))
                .transpose()?,
        })
    }

    /// The price per million input tokens.
    pub fn input_per_million(&self) -> Decimal {
        self.input
    }

    /// The price per million output tokens.
    pub fn output_per_million(&self) -> Decimal {
        self.output
    }

    /// The price per million cached input tokens, if the model has one.
    pub fn cached_input_per_million(&self) -> Option<Decimal> {
        self.cached_input
    }
}

/// The cost of `usage` at `prices`, exact (no floating point, no rounding), normalised
/// (`0.00672`, not `0.006720000`).
///
/// Cached input tokens cost the cached price when the model has one, else the input price;
/// the rest of the input costs the input price; output (reasoning included) the output price.
///
/// ```
/// use hub_providers::{Decimal, Prices, Usage, cost};
///
/// // gpt-4o: $2.50 / $10.00 per million tokens, cached input $1.25.
/// let prices = Prices::new(Decimal::new(250, 2), Decimal::new(1000, 2), Some(Decimal::new(125, 2))).unwrap();
/// let usage = Usage { input: 2000, output: 300, cached: 1024 };
/// assert_eq!(cost(&usage, &prices).to_string(), "0.00672");
/// ```
pub fn cost(usage: &Usage, prices: &Prices) -> Decimal {
    let cached = usage.cached.min(usage.input);
    let uncached = usage.input - cached;
    let cached_price = prices.cached_input.unwrap_or(prices.input);
    // Each product is at most u64::MAX * MAX_PRICE_PER_MILLION (< 2e25), their sum < 6e25,
    // well inside Decimal's ~7.9e28: the checked operations cannot fail.
    let total = [
        (uncached, prices.input),
        (cached, cached_price),
        (usage.output, prices.output),
    ]
    .into_iter()
    .try_fold(Decimal::ZERO, |sum, (tokens, price)| {
        Decimal::from(tokens)
            .checked_mul(price)
            .and_then(|part| sum.checked_add(part))
    })
    .and_then(|total| total.checked_div(ONE_MILLION));
    total.unwrap_or(Decimal::MAX).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn prices(input: &str, output: &str, cached: Option<&str>) -> Prices {
        Prices::new(d(input), d(output), cached.map(d)).unwrap()
    }

    fn usage(input: u64, output: u64, cached: u64) -> Usage {
        Usage {
            input,
            output,
            cached,
        }
    }

    #[test]
    fn realistic_requests_cost_exactly_what_the_price_list_says() {
        // gpt-4o-mini: $0.15 / $0.60.
        let mini = prices("0.15", "0.60", Some("0.075"));
        assert_eq!(cost(&usage(1234, 567, 0), &mini), d("0.0005253"));
        // claude-sonnet-4: $3 / $15, a short answer.
        let sonnet = prices("3", "15", Some("0.30"));
        assert_eq!(cost(&usage(16, 38, 0), &sonnet), d("0.000618"));
        // ... with 2000 tokens read from the prompt cache.
        assert_eq!(cost(&usage(2116, 38, 2000), &sonnet), d("0.001518"));
        // gemini-2.5-flash: $0.30 / $2.50, thinking tokens billed as output.
        let flash = prices("0.30", "2.50", None);
        assert_eq!(cost(&usage(11, 14 + 24, 0), &flash), d("0.0000983"));
        // gpt-5 with 896 reasoning tokens: $1.25 / $10.
        let gpt5 = prices("1.25", "10", Some("0.125"));
        assert_eq!(cost(&usage(20, 900, 0), &gpt5), d("0.009025"));
        // A long context: 180k in, 4k out on claude-opus-4 ($15 / $75).
        let opus = prices("15", "75", None);
        assert_eq!(cost(&usage(180_000, 4_000, 0), &opus), d("3"));
    }

    #[test]
    fn results_are_normalised_for_display() {
        let gpt4o = prices("2.50", "10.00", Some("1.25"));
        assert_eq!(cost(&usage(2000, 300, 1024), &gpt4o).to_string(), "0.00672");
        assert_eq!(cost(&Usage::default(), &gpt4o).to_string(), "0");
    }

    #[test]
    fn there_is_no_floating_point_drift() {
        // 0.1 + 0.2 in floating point is 0.30000000000000004.
        let p = prices("0.1", "0.2", None);
        assert_eq!(cost(&usage(1, 1, 0), &p), d("0.0000003"));
        // A million one-token requests add up to exactly the price of a million tokens.
        let one = cost(&usage(1, 0, 0), &p);
        let sum: Decimal = std::iter::repeat_n(one, 1_000_000).sum();
        assert_eq!(sum, d("0.1"));
    }

    #[test]
    fn cached_tokens_without_a_cached_price_cost_the_input_price() {
        let p = prices("2", "8", None);
        assert_eq!(cost(&usage(1000, 0, 600), &p), cost(&usage(1000, 0, 0), &p));
    }

    #[test]
    fn more_cached_than_input_tokens_cannot_go_negative() {
        let p = prices("2", "8", Some("0.5"));
        assert_eq!(cost(&usage(100, 0, 500), &p), d("0.00005"));
    }

    #[test]
    fn extreme_usage_does_not_overflow() {
        let p = prices("1000000", "1000000", Some("1000000"));
        let c = cost(&usage(u64::MAX, u64::MAX, u64::MAX / 2), &p);
        assert!(c > d("10000000000000000000"), "{c}");
    }

    #[test]
    fn invalid_prices_are_refused() {
        assert_eq!(
            Prices::new(d("-0.01"), d("1"), None),
            Err(PriceError {
                field: "input",
                value: d("-0.01")
            })
        );
        assert!(Prices::new(d("1"), d("1000000.01"), None).is_err());
        assert!(Prices::new(d("1"), d("1"), Some(d("-1"))).is_err());
        let p = Prices::new(d("0"), d("0"), Some(d("0"))).unwrap();
        assert_eq!(p.input_per_million(), Decimal::ZERO);
        assert_eq!(p.cached_input_per_million(), Some(Decimal::ZERO));
        assert_eq!(p.output_per_million(), Decimal::ZERO);
    }
}
