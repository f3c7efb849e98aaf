//! One in-process measurement: parse, run the passes, compile for the tier,
//! run with output captured in memory, each phase timed on its own, and the
//! output checked. Reading files is done once beforehand and never timed.
//!
//! This file is the bench's only contact with the run harness
//! (`tier::compile`, `Compiled::run`, `Target`): [`measure`] and
//! [`run_config`]. The rest of the bench describes runs with [`Settings`].

use super::check::compare;
use super::clock::Clock;
use super::contender::TierSpec;
use super::discovery::Case;
use super::memory::PeakProbe;
use super::report::Status;
/// Whether a run's code must enforce the time limit (see [`measure`]).
use crate::harness::Target;
pub use crate::jit::Limits;
use crate::tier::{compile, Tier};
use ir_passes::error::RunError;
use ir_passes::io::{Buffering, EofMode};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::{parse, parse_folded};
use ir_passes::pipeline::Pipeline;
use std::time::Duration;

/// A case's files, read into memory.
pub struct Loaded {
    /// The name diagnostics use.
    pub name: String,
    /// The program text.
    pub text: Vec<u8>,
    /// Its stdin (empty without a `.in` file).
    pub input: Vec<u8>,
    /// The expected stdout.
    pub expected: Vec<u8>,
}

impl Loaded {
    /// Reads the case's files.
    pub fn read(case: &Case) -> Result<Loaded, String> {
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        };
        Ok(Loaded {
            name: case.program.display().to_string(),
            text: read(&case.program)?,
            input: match &case.input {
                Some(p) => read(p)?,
                None => Vec::new(),
            },
            expected: read(&case.expected)?,
        })
    }
}

/// The conventions every run uses.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The cell width.
    pub cell: CellWidth,
    /// What `,` does at end of input.
    pub eof: EofMode,
    /// Number of cells on the tape.
    pub tape_size: usize,
    /// The time limit of every single run (and build).
    pub timeout: Duration,
    /// The clock the phases are timed with.
    pub clock: Clock,
}

impl Default for Settings {
    /// `bfjit run`'s conventions, wall time, a ten-minute limit.
    fn default() -> Settings {
        let run = Target::default();
        Settings {
            cell: CellWidth::U8,
            eof: run.eof,
            tape_size: run.tape_size,
            timeout: Duration::from_secs(600),
            clock: Clock::Wall,
        }
    }
}

/// The harness's run configuration for these settings: with
/// [`Limits::Unlimited`] no time limit, so the JIT tiers compile no budget
/// checks (the code `bfjit run` runs without `--timeout`). The `exe`
/// contender builds its executable for these conventions too.
pub(super) fn run_config(settings: &Settings, limits: Limits) -> Target {
    Target {
        eof: settings.eof,
        tape_size: settings.tape_size,
        timeout: (limits == Limits::Enforced).then_some(settings.timeout),
        max_steps: None,
        ..Target::default()
    }
}

/// The phase times of one run. A phase a contender does not have (an
/// external implementation's parse) is `None`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Parsing.
    pub parse: Option<Duration>,
    /// The pass pipeline.
    pub passes: Option<Duration>,
    /// `tier::compile`; for a process contender its build step.
    pub codegen: Option<Duration>,
    /// `Compiled::run`, or the process's run.
    pub execution: Duration,
    /// Peak memory growth over the four phases (see `memory.rs`).
    pub peak: Option<u64>,
    /// From the start (parse, or spawning the process) to the first output
    /// byte; `None` without output, or when the clock cannot tell.
    pub first_byte: Option<Duration>,
}

impl Sample {
    /// The sum of the phases the sample has.
    pub fn total(&self) -> Duration {
        [self.parse, self.passes, self.codegen]
            .into_iter()
            .flatten()
            .sum::<Duration>()
            + self.execution
    }
}

/// Why a run does not count.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Which kind of failure.
    pub status: Status,
    /// What happened.
    pub message: String,
}

fn fail(status: Status, message: impl Into<String>) -> Failure {
    Failure {
        status,
        message: message.into(),
    }
}

/// A program parsed and optimized, with the time of each step.
pub(super) struct Prepared {
    /// The optimized program.
    pub program: Program,
    /// Parsing.
    pub parse: Duration,
    /// The pipeline.
    pub passes: Duration,
}

/// Parses the case's text and runs `pipeline` over it, each step timed by
/// the settings' clock: the first two phases of every in-process
/// measurement and of every build.
pub(super) fn parse_and_optimize(
    loaded: &Loaded,
    settings: &Settings,
    pipeline: impl FnOnce(&Program) -> Pipeline,
) -> Result<Prepared, Failure> {
    parse_and_optimize_as(loaded, settings, false, pipeline)
}

/// [`parse_and_optimize`], with runs folded while parsing when `folded`
/// (as `bfjit run` does when the selection starts with `fold_runs`; a
/// leading `fold_runs` of the pipeline is then skipped, as there).
pub(super) fn parse_and_optimize_as(
    loaded: &Loaded,
    settings: &Settings,
    folded: bool,
    pipeline: impl FnOnce(&Program) -> Pipeline,
) -> Result<Prepared, Failure> {
    let clock = settings.clock;
    let t0 = clock.read();
    let parsed = match folded {
        true => parse_folded(&loaded.name, &loaded.text, settings.cell),
        false => parse(&loaded.name, &loaded.text, settings.cell),
    };
    let program = parsed.map_err(|e| fail(Status::Error, format!("malformed program: {e}")))?;
    let t1 = clock.read();
    let pipeline = match folded {
        true => Tier::after_parse(pipeline(&program)),
        false => pipeline(&program),
    };
    // An empty pipeline (a large program on auto) costs nothing, as in
    // `bfjit run`.
    let program = match pipeline.names().is_empty() {
        true => program,
        false => pipeline.run(program, false).program,
    };
    let t2 = clock.read();
    Ok(Prepared {
        program,
        parse: t1 - t0,
        passes: t2 - t1,
    })
}

/// Runs the program once on the tier and checks its output. With
/// [`Limits::Unlimited`] the JIT tiers' code has no budget checks (the code
/// `bfjit run` runs without `--timeout`) and the time limit cannot stop it:
/// only for a program already seen to finish within it on the same input.
pub fn measure(
    loaded: &Loaded,
    spec: TierSpec,
    settings: &Settings,
    limits: Limits,
) -> Result<Sample, Failure> {
    let probe = PeakProbe::start();
    let clock = settings.clock;
    let t0 = clock.read();
    // auto runs only the cheap passes before it starts (its compiled loops
    // get the level's whole pipeline).
    let Prepared {
        program,
        parse,
        passes,
    } = parse_and_optimize_as(loaded, settings, spec.level > 0, |program| {
        spec.tier
            .before_compile(&Pipeline::level(spec.level), program)
    })?;
    let t2 = clock.read();
    // Line buffered, as on a terminal, so the first write to the output is
    // when the first line (or a prompt before reading) would be seen.
    let run_config = Target {
        output: Buffering::Line,
        ..run_config(settings, limits)
    };
    let compiled = compile(&program, spec.tier, &run_config)
        .map_err(|e| fail(Status::Error, format!("cannot compile: {e}")))?;
    let t3 = clock.read();
    let mut output = FirstWrite {
        bytes: Vec::with_capacity(loaded.expected.len()),
        clock,
        at: None,
    };
    let outcome = compiled
        .run(&mut &loaded.input[..], &mut output)
        .map_err(|e| fail(Status::Error, e))?;
    let t4 = clock.read();
    let (output, first) = (output.bytes, output.at);
    drop(compiled);
    let peak = probe.and_then(PeakProbe::finish);
    match outcome.result {
        Ok(()) => {}
        Err(RunError::Timeout) => {
            let limit = settings.timeout.as_secs_f64();
            return Err(fail(
                Status::Timeout,
                format!("time limit of {limit}s reached"),
            ));
        }
        Err(e) => return Err(fail(Status::Error, e.describe(&program.source))),
    }
    if let Some(diff) = compare(&output, &loaded.expected) {
        return Err(fail(Status::WrongOutput, diff));
    }
    Ok(Sample {
        parse: Some(parse),
        passes: Some(passes),
        codegen: Some(t3 - t2),
        execution: t4 - t3,
        peak,
        first_byte: first.map(|t| t - t0),
    })
}

/// The output of an in-process run, with the clock's reading at the first
/// write that carried bytes.
struct FirstWrite {
    bytes: Vec<u8>,
    clock: Clock,
    at: Option<Duration>,
}

impl std::io::Write for FirstWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.at.is_none() && !buf.is_empty() {
            self.at = Some(self.clock.read());
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
