//! Summaries of repeated timings: median (the headline figure, which one slow
//! run on a shared machine cannot move), mean and standard deviation (how
//! far runs spread), extremes, and every sample, so a reader can judge the
//! figures and tools can redo the statistics.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Relative standard deviation (std dev / mean) above which a result is
/// flagged as too noisy to trust. Run-to-run spread of a quiet machine is
/// about 1%; hyperfine and criterion warn from a few percent on.
pub const NOISY_RSD: f64 = 0.05;

/// Summary of a set of timings, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// The median (the mean of the middle two for an even count).
    pub median_s: f64,
    /// The arithmetic mean.
    pub mean_s: f64,
    /// The sample standard deviation (n − 1 in the denominator); `None`
    /// with a single sample, where it is undefined.
    pub stddev_s: Option<f64>,
    /// The fastest.
    pub min_s: f64,
    /// The slowest.
    pub max_s: f64,
    /// Every timed sample, in the order the runs happened.
    pub samples_s: Vec<f64>,
}

impl Stats {
    /// Summarizes the samples; `None` when there are none.
    pub fn of(samples: &[Duration]) -> Option<Stats> {
        let in_order: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
        let mut s = in_order.clone();
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
        let mean = s.iter().sum::<f64>() / n as f64;
        let stddev = (n > 1).then(|| {
            let squares: f64 = s.iter().map(|x| (x - mean).powi(2)).sum();
            (squares / (n - 1) as f64).sqrt()
        });
        Some(Stats {
            median_s: median,
            mean_s: mean,
            stddev_s: stddev,
            min_s: s[0],
            max_s: s[n - 1],
            samples_s: in_order,
        })
    }

    /// Standard deviation relative to the mean; `None` with one sample.
    pub fn rel_stddev(&self) -> Option<f64> {
        let sd = self.stddev_s?;
        (self.mean_s > 0.0).then(|| sd / self.mean_s)
    }

    /// Whether the runs spread more than [`NOISY_RSD`].
    pub fn is_noisy(&self) -> bool {
        self.rel_stddev().is_some_and(|r| r > NOISY_RSD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = Stats::of(&ms(&[30, 10, 20])).unwrap();
        assert_eq!((s.median_s, s.min_s, s.max_s), (0.02, 0.01, 0.03));
        assert_eq!(s.samples_s, [0.03, 0.01, 0.02], "samples keep run order");
        assert_eq!(Stats::of(&ms(&[40, 10, 20, 30])).unwrap().median_s, 0.025);
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn mean_and_sample_standard_deviation() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32,
        // so the sample variance is 32 / 7.
        let s = Stats::of(&ms(&[2, 4, 4, 4, 5, 5, 7, 9])).unwrap();
        assert!((s.mean_s - 0.005).abs() < 1e-12);
        let expected = (32.0f64 / 7.0).sqrt() / 1000.0;
        assert!((s.stddev_s.unwrap() - expected).abs() < 1e-12);
        assert!(s.is_noisy(), "a 43% spread is noise");
        let one = Stats::of(&ms(&[5])).unwrap();
        assert_eq!((one.stddev_s, one.rel_stddev()), (None, None));
        assert!(!one.is_noisy());
        assert!(!Stats::of(&ms(&[1000, 1001, 999])).unwrap().is_noisy());
    }
}
