//! Median, minimum and maximum of repeated timings. The median is the
//! headline figure: on a shared, noisy machine one slow run must not move it.

use serde::Serialize;
use std::time::Duration;

/// Summary of a set of timings, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// The median (the mean of the middle two for an even count).
    pub median_s: f64,
    /// The fastest.
    pub min_s: f64,
    /// The slowest.
    pub max_s: f64,
}

impl Stats {
    /// Summarizes the samples; `None` when there are none.
    pub fn of(samples: &[Duration]) -> Option<Stats> {
        let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
        if s.is_empty() {
            return None;
        }
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Some(Stats {
            median_s: median,
            min_s: s[0],
            max_s: s[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let s = Stats::of(&ms(&[30, 10, 20])).unwrap();
        assert_eq!((s.median_s, s.min_s, s.max_s), (0.02, 0.01, 0.03));
        assert_eq!(Stats::of(&ms(&[40, 10, 20, 30])).unwrap().median_s, 0.025);
        assert_eq!(Stats::of(&[]), None);
    }
}
