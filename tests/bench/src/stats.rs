//! Exact order statistics over all samples (no histogram, no approximation).

use serde::{Deserialize, Serialize};

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Latency {
    /// Number of samples.
    pub samples: usize,
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    /// Absent from reports written before it was added.
    #[serde(default)]
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// The nearest-rank percentile of `sorted` (ascending, non-empty): the smallest sample with at
/// least `p` percent of the samples at or below it.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len();
    // ceil(p/100 * n) as a 1-based rank, clamped to 1..=n. Computed in integers where possible
    // so that p50 of 2 samples is the first, p100 the last.
    let rank = ((p / 100.0) * n as f64).ceil();
    let rank = if rank.is_finite() && rank >= 1.0 {
        (rank as usize).min(n)
    } else {
        1
    };
    sorted.get(rank - 1).copied().unwrap_or(0)
}

fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1_000_000.0
}

impl Latency {
    /// Summarises samples given in nanoseconds (sorts them).
    pub fn from_nanos(samples: &mut [u64]) -> Self {
        samples.sort_unstable();
        let n = samples.len();
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        let mean = if n == 0 {
            0.0
        } else {
            sum as f64 / n as f64 / 1_000_000.0
        };
        Self {
            samples: n,
            min: ms(samples.first().copied().unwrap_or(0)),
            mean,
            p50: ms(percentile(samples, 50.0)),
            p90: ms(percentile(samples, 90.0)),
            p95: ms(percentile(samples, 95.0)),
            p99: ms(percentile(samples, 99.0)),
            p999: ms(percentile(samples, 99.9)),
            max: ms(samples.last().copied().unwrap_or(0)),
        }
    }
}

/// Summary of a few timings (startup runs), in milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub runs: usize,
    pub min: f64,
    pub median: f64,
    pub mean: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises `values` (any order).
    pub fn of(values: &[f64]) -> Self {
        let mut v: Vec<f64> = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => v.get(n / 2).copied().unwrap_or(0.0),
            _ => {
                let a = v.get(n / 2 - 1).copied().unwrap_or(0.0);
                let b = v.get(n / 2).copied().unwrap_or(0.0);
                (a + b) / 2.0
            }
        };
        Self {
            runs: n,
            min: v.first().copied().unwrap_or(0.0),
            median,
            mean: if n == 0 {
                0.0
            } else {
                v.iter().sum::<f64>() / n as f64
            },
            max: v.last().copied().unwrap_or(0.0),
        }
    }
}
