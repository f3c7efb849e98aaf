//! The report of a suite run: plain data (documented field by field in
//! docs/bench.md, since the JSON form is an interface), speed-ups, and the
//! unit formatting the renderings share.
//!
//! - `table.rs`: the terminal table.
//! - `markdown.rs`: the README table.
//! - `json.rs`: the JSON document.
//! - `svg.rs`: the bar chart.
//! - `changes.rs`: the change against an earlier run (`--compare`).

pub mod changes;
pub mod json;
pub mod markdown;
pub mod svg;
pub mod table;

use super::compare::Comparison;
use super::stats::{Stats, NOISY_RSD};
use serde::Serialize;

/// The version of the JSON layout; bumped when a field changes meaning.
/// 2: every sample, mean and standard deviation, `noisy`, external
/// contenders, `comparison`; phases a contender lacks are `null`.
pub const SCHEMA: &str = "bfjit-bench/2";

/// Everything one `bfjit bench` run measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The bfjit version (from Cargo.toml).
    pub bfjit_version: &'static str,
    /// `git rev-parse HEAD` of the repository bfjit was built from.
    pub git_revision: Option<String>,
    /// Whether tracked files differed from that revision.
    pub git_dirty: Option<bool>,
    /// The CPU's model name from `/proc/cpuinfo`.
    pub cpu: Option<String>,
    /// Logical CPUs available to the process.
    pub cpus: usize,
    /// Seconds since the Unix epoch when the run started.
    pub started_unix_s: u64,
    /// Timed runs per program and contender.
    pub runs: u32,
    /// Untimed warm-up runs before them.
    pub warmup: u32,
    /// The per-run time limit in seconds.
    pub timeout_s: f64,
    /// What the times measure: `wall` or `cpu` (see docs/bench.md).
    pub clock: &'static str,
    /// The run conventions every contender used.
    pub conventions: Conventions,
    /// How peak memory was measured: `hwm-delta` (growth of the resident set
    /// during each run, see docs/bench.md) or `unavailable`.
    pub memory_method: &'static str,
    /// The contenders' labels, in column order.
    pub contenders: Vec<String>,
    /// The label of the contender speed-ups are relative to.
    pub baseline: String,
    /// The external contenders' commands, in column order.
    pub external: Vec<ExternalReport>,
    /// One entry per program, in run order.
    pub programs: Vec<ProgramReport>,
    /// How many results are failures (see [`Status::is_failure`]).
    pub failures: usize,
    /// How many successful results are too noisy to trust
    /// ([`TierResult::noisy`]).
    pub noisy: usize,
    /// The change against an earlier run, with `--compare`.
    pub comparison: Option<Comparison>,
    /// Wall time of the whole suite in seconds.
    pub elapsed_s: f64,
}

/// An external contender's commands, as given.
#[derive(Clone, Debug, Serialize)]
pub struct ExternalReport {
    /// Its label.
    pub name: String,
    /// The command of one run.
    pub run: String,
    /// The build command, if any.
    pub build: Option<String>,
}

/// The conventions of the runs.
#[derive(Clone, Debug, Serialize)]
pub struct Conventions {
    /// Cell width in bits.
    pub cell_bits: u32,
    /// `unchanged`, `zero` or `max`.
    pub eof: String,
    /// Tape length in cells.
    pub tape_size: u64,
}

/// One program's results.
#[derive(Clone, Debug, Serialize)]
pub struct ProgramReport {
    /// The short name (`bench/mandelbrot`).
    pub name: String,
    /// The `.b` file as given.
    pub path: String,
    /// Its size in bytes (`null` when it could not be read), which compile
    /// throughput is reckoned from.
    pub source_bytes: Option<u64>,
    /// The `.in` file, if any.
    pub input: Option<String>,
    /// The `.out` file.
    pub expected: String,
    /// One result per contender, in [`Report::contenders`] order.
    pub results: Vec<TierResult>,
}

/// How a contender's runs of a program went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every run produced the expected output.
    Ok,
    /// A run's output differed from the `.out` file.
    WrongOutput,
    /// Compiling or running failed (e.g. the pointer left the tape).
    Error,
    /// A run exceeded the time limit.
    Timeout,
    /// The contender cannot run here (no C compiler); not a failure.
    Unavailable,
}

impl Status {
    /// Whether the status makes the suite fail.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::WrongOutput | Status::Error | Status::Timeout)
    }

    /// The word reports print.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::WrongOutput => "WRONG OUTPUT",
            Status::Error => "ERROR",
            Status::Timeout => "TIMEOUT",
            Status::Unavailable => "unavailable",
        }
    }
}

/// One program on one contender.
#[derive(Clone, Debug, Serialize)]
pub struct TierResult {
    /// The contender's label.
    pub contender: String,
    /// How it went.
    pub status: Status,
    /// What went wrong, for any status but `ok`.
    pub message: Option<String>,
    /// Timed runs that completed (fewer than `runs` after a failure).
    pub runs: usize,
    /// Parsing.
    pub parse: Option<Stats>,
    /// The pass pipeline.
    pub passes: Option<Stats>,
    /// Code generation (for `c`: emitting C plus the C compiler).
    pub codegen: Option<Stats>,
    /// Running the program.
    pub execution: Option<Stats>,
    /// Parse + passes + codegen + execution, per run.
    pub total: Option<Stats>,
    /// From the start of the run (parse, or the process's spawn) to the
    /// first byte of output: in-process, the first write reaching the
    /// output (line buffered, as on a terminal); for a process, the first
    /// byte on its stdout pipe (wall clock only). `None` without output.
    pub first_byte: Option<Stats>,
    /// The largest growth of the resident set during one timed run (all
    /// phases), in bytes.
    pub peak_memory_bytes: Option<u64>,
    /// Whether the execution times spread more than [`NOISY_RSD`] of their
    /// mean: the figures are too noisy to trust.
    pub noisy: bool,
    /// Baseline execution median / this execution median.
    pub speedup: Option<f64>,
    /// The same ratio for the total time.
    pub speedup_total: Option<f64>,
}

impl TierResult {
    /// A result with no figures.
    pub fn failed(contender: String, status: Status, message: String) -> TierResult {
        TierResult {
            contender,
            status,
            message: Some(message),
            runs: 0,
            parse: None,
            passes: None,
            codegen: None,
            execution: None,
            total: None,
            first_byte: None,
            peak_memory_bytes: None,
            noisy: false,
            speedup: None,
            speedup_total: None,
        }
    }
}

impl Report {
    /// Fills in every result's speed-ups relative to the baseline column
    /// (`baseline` indexes [`Report::contenders`]); only successful results
    /// on both sides get one.
    pub fn compute_speedups(&mut self, baseline: usize) {
        for program in &mut self.programs {
            let base = program
                .results
                .get(baseline)
                .filter(|r| r.status == Status::Ok)
                .map(|r| (median(&r.execution), median(&r.total)));
            for r in &mut program.results {
                let ratio = |b: Option<f64>, t: Option<f64>| match (b, t) {
                    (Some(b), Some(t)) if t > 0.0 => Some(b / t),
                    _ => None,
                };
                let ok = r.status == Status::Ok;
                let (e, t) = (median(&r.execution), median(&r.total));
                r.speedup = base.and_then(|(b, _)| ratio(b, e)).filter(|_| ok);
                r.speedup_total = base.and_then(|(_, b)| ratio(b, t)).filter(|_| ok);
            }
        }
    }

    /// Counts the failures and noisy results into [`Report::failures`] and
    /// [`Report::noisy`].
    pub fn count_failures(&mut self) {
        let results = || self.programs.iter().flat_map(|p| &p.results);
        self.failures = results().filter(|r| r.status.is_failure()).count();
        self.noisy = results().filter(|r| r.noisy).count();
    }

    /// The note every rendering prints when some results are noisy, or
    /// `None`.
    pub fn noise_note(&self) -> Option<String> {
        (self.noisy > 0).then(|| {
            let cpu = if self.clock == "cpu" {
                ""
            } else {
                " --clock cpu,"
            };
            format!(
                "{} result(s) marked ~ are noisy: their execution times spread more than {:.0}% \
                 of the mean (std dev / mean), so small differences mean nothing. \
                 Try more --runs,{cpu} or a quieter machine.",
                self.noisy,
                NOISY_RSD * 100.0
            )
        })
    }

    /// What the times are, for captions: "wall time" or "CPU time".
    pub fn clock_words(&self) -> &'static str {
        match self.clock {
            "cpu" => "CPU time",
            _ => "wall time",
        }
    }

    /// One line saying where the figures come from, for captions.
    pub fn provenance(&self) -> String {
        let rev = match (&self.git_revision, self.git_dirty) {
            (Some(r), Some(true)) => format!("bfjit {} (modified)", short(r)),
            (Some(r), _) => format!("bfjit {}", short(r)),
            (None, _) => format!("bfjit {}", self.bfjit_version),
        };
        let cpu = self.cpu.as_deref().unwrap_or("unknown CPU");
        format!("{rev}, {cpu} ({} logical CPUs)", self.cpus)
    }
}

/// Compile throughput: kilobytes (1024 bytes) of source per millisecond
/// of `seconds`; `None` without a time or a size.
pub fn kb_per_ms(source_bytes: Option<u64>, seconds: Option<f64>) -> Option<f64> {
    let ms = seconds? * 1e3;
    (ms > 0.0).then_some(source_bytes? as f64 / 1024.0 / ms)
}

/// The median of a phase, in seconds.
pub fn median_s(phase: &Option<Stats>) -> Option<f64> {
    phase.as_ref().map(|s| s.median_s)
}

/// The compile phases' medians summed (parse, passes, codegen: those the
/// result has), or `None` when it has none.
pub fn compile_median_s(r: &TierResult) -> Option<f64> {
    let medians: Vec<f64> = [&r.parse, &r.passes, &r.codegen]
        .into_iter()
        .filter_map(median_s)
        .collect();
    (!medians.is_empty()).then(|| medians.iter().sum())
}

fn median(s: &Option<Stats>) -> Option<f64> {
    s.as_ref().map(|s| s.median_s)
}

fn short(rev: &str) -> &str {
    rev.get(..12).unwrap_or(rev)
}

/// A duration in seconds with three significant digits and a unit that
/// keeps the number between 1 and 1000 (`812 ns`, `4.56 ms`, `12.3 s`).
pub fn format_seconds(s: f64) -> String {
    let (value, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else if s >= 1e-6 {
        (s * 1e6, "µs")
    } else {
        (s * 1e9, "ns")
    };
    format!("{} {unit}", three_digits(value))
}

/// A byte count in KiB, MiB or GiB with three significant digits.
pub fn format_bytes(b: u64) -> String {
    let b = b as f64;
    let (value, unit) = if b >= (1u64 << 30) as f64 {
        (b / (1u64 << 30) as f64, "GiB")
    } else if b >= (1u64 << 20) as f64 {
        (b / (1u64 << 20) as f64, "MiB")
    } else {
        (b / 1024.0, "KiB")
    };
    format!("{} {unit}", three_digits(value))
}

/// A speed-up factor with three significant digits: `4.87×`, `12.3×`,
/// `0.450×`, `0.00123×` (never `0.00×`); below a thousandth, in scientific
/// notation (`5.60e-7×`), which stays short.
pub fn format_speedup(x: f64) -> String {
    if x > 0.0 && x < 1e-3 {
        return format!("{x:.2e}×");
    }
    format!("{}×", three_digits(x))
}

/// A number with three significant digits (all digits from 100 on).
pub fn three_digits(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return format!("{v}");
    }
    let decimals = |v: f64| (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let d = decimals(v);
    // 9.996 rounds to 10.00: one decimal fewer keeps three digits.
    let rounded: f64 = format!("{v:.d$}").parse().unwrap_or(v);
    let d = decimals(rounded).min(d);
    format!("{v:.d$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_three_significant_digits() {
        assert_eq!(format_seconds(12.34), "12.3 s");
        assert_eq!(format_seconds(0.004567), "4.57 ms");
        assert_eq!(format_seconds(812e-9), "812 ns");
        assert_eq!(format_bytes(4 * 1024 * 1024 + 300_000), "4.29 MiB");
        assert_eq!(format_speedup(4.871), "4.87×");
    }

    #[test]
    fn speedups_keep_three_significant_digits_however_small() {
        let cases = [
            (0.001234, "0.00123×"),
            (5.6e-7, "5.60e-7×"),
            (0.45, "0.450×"),
            (1.0, "1.00×"),
            (9.996, "10.0×"),
            (12.34, "12.3×"),
            (99.96, "100×"),
            (1234.4, "1234×"),
        ];
        for (x, text) in cases {
            assert_eq!(format_speedup(x), text, "{x}");
        }
        assert_eq!(format_seconds(0.0009996), "1000 µs");
    }
}
