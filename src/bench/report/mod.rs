//! The report of a suite run: plain data (documented field by field in
//! docs/bench.md, since the JSON form is an interface), speed-ups, and the
//! unit formatting the renderings share.
//!
//! - `table.rs`: the terminal table.
//! - `markdown.rs`: the README table.
//! - `json.rs`: the JSON document.
//! - `svg.rs`: the bar chart.

pub mod json;
pub mod markdown;
pub mod svg;
pub mod table;

use super::stats::Stats;
use serde::Serialize;

/// The version of the JSON layout; bumped when a field changes meaning.
pub const SCHEMA: &str = "bfjit-bench/1";

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
    /// One entry per program, in run order.
    pub programs: Vec<ProgramReport>,
    /// How many results are failures (see [`Status::is_failure`]).
    pub failures: usize,
    /// Wall time of the whole suite in seconds.
    pub elapsed_s: f64,
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
    /// The largest growth of the resident set during one timed run (all
    /// phases), in bytes.
    pub peak_memory_bytes: Option<u64>,
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
            peak_memory_bytes: None,
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
                .map(|r| (r.execution, r.total));
            for r in &mut program.results {
                let ratio = |b: Option<Stats>, t: Option<Stats>| match (b, t) {
                    (Some(b), Some(t)) if t.median_s > 0.0 => Some(b.median_s / t.median_s),
                    _ => None,
                };
                let ok = r.status == Status::Ok;
                r.speedup = base.and_then(|(e, _)| ratio(e, r.execution)).filter(|_| ok);
                r.speedup_total = base.and_then(|(_, t)| ratio(t, r.total)).filter(|_| ok);
            }
        }
    }

    /// Counts the failures into [`Report::failures`].
    pub fn count_failures(&mut self) {
        self.failures = self
            .programs
            .iter()
            .flat_map(|p| &p.results)
            .filter(|r| r.status.is_failure())
            .count();
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

/// A speed-up factor: `4.87×`, `12.3×`, `0.45×`.
pub fn format_speedup(x: f64) -> String {
    format!("{}×", three_digits(x))
}

fn three_digits(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
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
}
