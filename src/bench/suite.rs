//! The suite: every program on every contender, warm-up runs first, then the
//! timed runs; the results become a
//! [`Report`] with speed-ups relative to the baseline.

use super::c_baseline::{self, CCompiler};
use super::child::Scratch;
use super::contender::{Contender, TierSpec};
use super::discovery::Case;
use super::machine;
use super::memory;
use super::progress::Progress;
use super::report::{
    format_seconds, Conventions, ProgramReport, Report, Status, TierResult, SCHEMA,
};
use super::runner::{measure, Failure, Loaded, Sample, Settings};
use super::stats::Stats;
use crate::jit::Limits;
use ir_passes::io::EofMode;
use std::time::{Duration, Instant};

/// What to run and how.
#[derive(Clone, Debug)]
pub struct SuiteConfig {
    /// The columns, in order.
    pub contenders: Vec<Contender>,
    /// Index of the baseline in `contenders`.
    pub baseline: usize,
    /// Timed runs per program and contender.
    pub runs: u32,
    /// Untimed runs before them.
    pub warmup: u32,
    /// Conventions and the per-run time limit.
    pub settings: Settings,
    /// The C compiler to use instead of `$CC` or `cc`.
    pub cc: Option<String>,
    /// Whether to show progress on stderr.
    pub progress: bool,
}

/// Runs every case on every contender. `Err` only when the suite cannot
/// start at all (no scratch folder); failed programs are in the report.
pub fn run_suite(cases: &[Case], config: &SuiteConfig) -> Result<Report, String> {
    let start = Instant::now();
    // Asked before the runs: the tree may change while a long suite runs.
    let revision = machine::git_revision();
    let scratch = Scratch::new()?;
    let cc = config
        .contenders
        .contains(&Contender::C)
        .then(|| CCompiler::find(config.cc.as_deref()));
    let mut progress = Progress::new(cases.len() * config.contenders.len(), config.progress);
    let mut programs = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let loaded = Loaded::read(case);
        let mut results = Vec::new();
        for &contender in &config.contenders {
            progress.begin(format!("{} {}", case.name, contender.label()));
            let result = match (&loaded, contender) {
                (Err(e), _) => TierResult::failed(contender.label(), Status::Error, e.clone()),
                (Ok(l), Contender::Tier(spec)) => measure_tier(l, spec, config, &mut progress),
                (Ok(l), Contender::C) => match &cc {
                    Some(Ok(cc)) => measure_c(cc, case, l, index, config, &scratch, &mut progress),
                    Some(Err(e)) => TierResult::failed("c".into(), Status::Unavailable, e.clone()),
                    None => {
                        TierResult::failed("c".into(), Status::Unavailable, "no C compiler".into())
                    }
                },
            };
            progress.finish(&summary(&result));
            results.push(result);
        }
        programs.push(ProgramReport {
            name: case.name.clone(),
            path: case.program.display().to_string(),
            input: case.input.as_ref().map(|p| p.display().to_string()),
            expected: case.expected.display().to_string(),
            results,
        });
    }
    let (git_revision, git_dirty) = match revision {
        Some((rev, dirty)) => (Some(rev), Some(dirty)),
        None => (None, None),
    };
    let settings = &config.settings;
    let mut report = Report {
        schema: SCHEMA,
        bfjit_version: env!("CARGO_PKG_VERSION"),
        git_revision,
        git_dirty,
        cpu: machine::cpu_model(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        started_unix_s: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .saturating_sub(start.elapsed().as_secs()),
        runs: config.runs,
        warmup: config.warmup,
        timeout_s: settings.target.timeout.map_or(0.0, |t| t.as_secs_f64()),
        clock: settings.clock.name(),
        conventions: Conventions {
            cell_bits: settings.cell.bits(),
            eof: match settings.target.eof {
                EofMode::Unchanged => "unchanged",
                EofMode::Zero => "zero",
                EofMode::Max => "max",
            }
            .into(),
            tape_size: settings.target.tape_size as u64,
        },
        memory_method: if memory::available() {
            "hwm-delta"
        } else {
            "unavailable"
        },
        contenders: config.contenders.iter().map(|c| c.label()).collect(),
        baseline: config.contenders[config.baseline].label(),
        programs,
        failures: 0,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    report.compute_speedups(config.baseline);
    report.count_failures();
    Ok(report)
}

/// The progress line for a finished measurement.
fn summary(r: &TierResult) -> String {
    match (r.status, r.execution) {
        (Status::Ok, Some(e)) => format!("ok, execution {}", format_seconds(e.median_s)),
        (status, _) => format!("{}: {}", status.word(), r.message.as_deref().unwrap_or("")),
    }
}

/// Timed samples collected so far, turned into a result.
fn result_of(label: String, samples: &[Sample], failure: Option<Failure>) -> TierResult {
    let phase = |f: fn(&Sample) -> Duration| Stats::of(&samples.iter().map(f).collect::<Vec<_>>());
    let (status, message) = match failure {
        Some(f) => (f.status, Some(f.message)),
        None => (Status::Ok, None),
    };
    TierResult {
        contender: label,
        status,
        message,
        runs: samples.len(),
        parse: phase(|s| s.parse),
        passes: phase(|s| s.passes),
        codegen: phase(|s| s.codegen),
        execution: phase(|s| s.execution),
        total: phase(|s| s.parse + s.passes + s.codegen + s.execution),
        peak_memory_bytes: samples.iter().filter_map(|s| s.peak).max(),
        speedup: None,
        speedup_total: None,
    }
}

fn measure_tier(
    loaded: &Loaded,
    spec: TierSpec,
    config: &SuiteConfig,
    progress: &mut Progress,
) -> TierResult {
    let label = Contender::Tier(spec).label();
    let mut samples = Vec::new();
    let total = config.warmup + config.runs;
    // Runs are deterministic: once one has finished within the time limit,
    // the rest run the code `bfjit run` runs without `--timeout`, which has
    // no budget checks on its back edges.
    let mut limits = Limits::Enforced;
    for i in 0..total {
        let warm = i < config.warmup;
        progress.step(&if warm {
            format!("warm-up {}/{}", i + 1, config.warmup)
        } else {
            format!("run {}/{}", i + 1 - config.warmup, config.runs)
        });
        match measure(loaded, spec, &config.settings, limits) {
            Ok(s) if !warm => samples.push(s),
            Ok(_) => {}
            Err(f) => return result_of(label, &samples, Some(f)),
        }
        limits = Limits::Unlimited;
    }
    result_of(label, &samples, None)
}

fn measure_c(
    cc: &CCompiler,
    case: &Case,
    loaded: &Loaded,
    index: usize,
    config: &SuiteConfig,
    scratch: &Scratch,
    progress: &mut Progress,
) -> TierResult {
    let label = Contender::C.label();
    progress.step(&format!("compiling with {}", cc.command));
    let binary = match c_baseline::build(cc, loaded, &config.settings, scratch, index) {
        Ok(b) => b,
        Err(f) => return result_of(label, &[], Some(f)),
    };
    let mut samples = Vec::new();
    for i in 0..config.warmup + config.runs {
        let warm = i < config.warmup;
        progress.step(&if warm {
            "warm-up".to_string()
        } else {
            format!("run {}", i + 1)
        });
        match c_baseline::run_once(&binary, case, loaded, &config.settings, scratch) {
            Ok(_) if warm => {}
            Ok((wall, peak)) => {
                // The build happened once; every sample repeats its phases so
                // that all columns summarize the same number of samples.
                samples.push(Sample {
                    execution: wall,
                    peak,
                    ..binary.build
                });
            }
            Err(f) => return result_of(label, &samples, Some(f)),
        }
    }
    result_of(label, &samples, None)
}
