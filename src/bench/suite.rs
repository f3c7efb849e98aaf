//! The suite: every program on every contender, warm-up runs first, then the
//! timed runs; the results become a [`Report`] with speed-ups relative to
//! the baseline.

use super::c_baseline::{self, CCompiler};
use super::child::Scratch;
use super::contender::{Contender, TierSpec};
use super::discovery::Case;
use super::exe;
use super::external;
use super::machine;
use super::memory;
use super::process;
use super::progress::Progress;
use super::report::{
    format_seconds, Conventions, ExternalReport, ProgramReport, Report, Status, TierResult, SCHEMA,
};
use super::runner::{measure as measure_in_process, Failure, Limits, Loaded, Sample, Settings};
use super::stats::Stats;
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

/// What the contenders need once per suite (found on first use).
struct Tools {
    scratch: Scratch,
    cc: Option<Result<CCompiler, String>>,
    /// Whether executables can be built (`exe::probe`).
    exe: Option<Result<(), String>>,
}

/// Runs every case on every contender. `Err` only when the suite cannot
/// start at all (no scratch folder); failed programs are in the report.
pub fn run_suite(cases: &[Case], config: &SuiteConfig) -> Result<Report, String> {
    let start = Instant::now();
    // Asked before the runs: the tree may change while a long suite runs.
    let revision = machine::git_revision();
    let mut tools = Tools {
        scratch: Scratch::new()?,
        cc: None,
        exe: None,
    };
    let progress = Progress::new(
        cases.len() * config.contenders.len(),
        config.warmup + config.runs,
        config.progress,
    );
    let mut programs = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let loaded = Loaded::read(case);
        let mut results = Vec::new();
        for contender in &config.contenders {
            progress.begin(format!("{} {}", case.name, contender.label()));
            let result = match &loaded {
                Err(e) => TierResult::failed(contender.label(), Status::Error, e.clone()),
                Ok(l) => measure(contender, case, l, index, config, &mut tools, &progress),
            };
            progress.finish(&summary(&result));
            results.push(result);
        }
        programs.push(ProgramReport {
            name: case.name.clone(),
            path: case.program.display().to_string(),
            source_bytes: loaded.as_ref().ok().map(|l| l.text.len() as u64),
            input: case.input.as_ref().map(|p| p.display().to_string()),
            expected: case.expected.display().to_string(),
            results,
        });
    }
    progress.clear();
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
        timeout_s: settings.timeout.as_secs_f64(),
        clock: settings.clock.name(),
        conventions: Conventions {
            cell_bits: settings.cell.bits(),
            eof: match settings.eof {
                EofMode::Unchanged => "unchanged",
                EofMode::Zero => "zero",
                EofMode::Max => "max",
            }
            .into(),
            tape_size: settings.tape_size as u64,
        },
        memory_method: if memory::available() {
            "hwm-delta"
        } else {
            "unavailable"
        },
        contenders: config.contenders.iter().map(|c| c.label()).collect(),
        baseline: config.contenders[config.baseline].label(),
        external: config
            .contenders
            .iter()
            .filter_map(|c| match c {
                Contender::External(e) => Some(ExternalReport {
                    name: e.name.clone(),
                    run: e.run.clone(),
                    build: e.build.clone(),
                }),
                _ => None,
            })
            .collect(),
        programs,
        failures: 0,
        noisy: 0,
        comparison: None,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    report.compute_speedups(config.baseline);
    report.count_failures();
    Ok(report)
}

/// One program on one contender: the one place that knows every kind of
/// contender. In-process tiers go to the runner; whatever runs as a process
/// is built here and measured by `process::measure`.
fn measure(
    contender: &Contender,
    case: &Case,
    loaded: &Loaded,
    index: usize,
    config: &SuiteConfig,
    tools: &mut Tools,
    progress: &Progress,
) -> TierResult {
    let label = contender.label();
    let settings = &config.settings;
    let scratch = &tools.scratch;
    let built = match contender {
        Contender::Tier(spec) => return measure_tier(loaded, *spec, config, progress),
        Contender::C => {
            let cc = tools
                .cc
                .get_or_insert_with(|| CCompiler::find(config.cc.as_deref()));
            match cc {
                Ok(cc) => {
                    progress.note(&format!("compiling with {}", cc.command));
                    c_baseline::build(cc, loaded, settings, scratch, index)
                }
                Err(e) => return TierResult::failed(label, Status::Unavailable, e.clone()),
            }
        }
        Contender::Exe => {
            let usable = tools
                .exe
                .get_or_insert_with(|| exe::probe(settings, scratch));
            match usable {
                Ok(()) => {
                    progress.note("building");
                    exe::build(loaded, settings, scratch, index)
                }
                Err(e) => return TierResult::failed(label, Status::Unavailable, e.clone()),
            }
        }
        Contender::External(ext) => {
            if ext.build.is_some() {
                progress.note("building");
            }
            external::build(ext, case, index, settings, scratch)
        }
    };
    process::measure(label, built, case, loaded, config, scratch, progress)
}

/// The progress line for a finished measurement.
fn summary(r: &TierResult) -> String {
    match (r.status, &r.execution) {
        (Status::Ok, Some(e)) => format!("ok, execution {}", format_seconds(e.median_s)),
        (status, _) => format!("{}: {}", status.word(), r.message.as_deref().unwrap_or("")),
    }
}

/// Timed samples collected so far, turned into a result.
pub(super) fn result_of(label: String, samples: &[Sample], failure: Option<Failure>) -> TierResult {
    let all = |f: fn(&Sample) -> Option<Duration>| {
        let times: Option<Vec<Duration>> = samples.iter().map(f).collect();
        Stats::of(&times?)
    };
    let (status, message) = match failure {
        Some(f) => (f.status, Some(f.message)),
        None => (Status::Ok, None),
    };
    let execution = all(|s| Some(s.execution));
    TierResult {
        contender: label,
        status,
        message,
        runs: samples.len(),
        parse: all(|s| s.parse),
        passes: all(|s| s.passes),
        codegen: all(|s| s.codegen),
        noisy: status == Status::Ok && execution.as_ref().is_some_and(Stats::is_noisy),
        execution,
        total: all(|s| Some(s.total())),
        first_byte: all(|s| s.first_byte),
        peak_memory_bytes: samples.iter().filter_map(|s| s.peak).max(),
        speedup: None,
        speedup_total: None,
    }
}

fn measure_tier(
    loaded: &Loaded,
    spec: TierSpec,
    config: &SuiteConfig,
    progress: &Progress,
) -> TierResult {
    let label = Contender::Tier(spec).label();
    let mut samples = Vec::new();
    // Runs are deterministic: once one has finished within the time limit,
    // the rest run the code `bfjit run` runs without `--timeout`, which has
    // no budget checks on its back edges.
    let mut limits = Limits::Enforced;
    for i in 0..config.warmup + config.runs {
        let warm = i < config.warmup;
        progress.step(warm, i, config.warmup, config.runs);
        match measure_in_process(loaded, spec, &config.settings, limits) {
            Ok(s) if !warm => samples.push(s),
            Ok(_) => {}
            Err(f) => return result_of(label, &samples, Some(f)),
        }
        limits = Limits::Unlimited;
    }
    result_of(label, &samples, None)
}
