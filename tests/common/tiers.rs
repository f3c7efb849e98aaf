//! The tiers run in-process (`tier::compile` + `Compiled::run` with in-memory
//! I/O), the reference interpreter beside them, and the two kinds of native
//! code a run can get: with budget checks (a step limit or `--timeout`) and
//! without (what `bfjit run` executes by default).

use bfjit::harness::Target;
use bfjit::tier::{compile, compile_with, Tier};
use bfjit::tiered::{Options, Threshold};
use ir_passes::error::RunError;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::test_support::run::{self, Setup};
use std::path::Path;

/// How one run ended: the error (if any), the output, the final pointer
/// (only when the run succeeded: after an error engines need not agree).
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    /// How the run ended.
    pub result: Result<(), RunError>,
    /// The bytes written.
    pub output: Vec<u8>,
    /// The final pointer of a successful run.
    pub ptr: Option<usize>,
}

/// Runs `program` on the auto tier with a threshold, compiling hot loops
/// synchronously (`sync`) or in the background. The program gets only the
/// cheap passes first, the path of large programs (small ones would get -O2
/// at once and interpret less).
pub fn run_auto(
    program: &Program,
    (threshold, sync): (Threshold, bool),
    input: &[u8],
    config: &Target,
) -> Run {
    let options = Options {
        threshold,
        sync,
        ..Options::default()
    };
    run_auto_with(program, &options.pipeline.up_to(1), &options, input, config)
}

/// Runs `program` on the auto tier with `options` after the passes
/// `before` (what the interpreter starts on; compiled loops get
/// `options.pipeline`).
pub fn run_auto_with(
    program: &Program,
    before: &Pipeline,
    options: &Options,
    input: &[u8],
    config: &Target,
) -> Run {
    let program = before.run(program.clone(), false).program;
    let compiled = compile_with(&program, Tier::Auto, config, options).expect("compile");
    let mut output = Vec::new();
    let outcome = compiled
        .run(&mut &input[..], &mut output)
        .expect("start the run");
    Run {
        ptr: outcome.result.is_ok().then_some(outcome.ptr),
        result: outcome.result,
        output,
    }
}

/// Runs `program` through the `-O` pipeline of `level` on `tier`.
pub fn run_tier(program: &Program, tier: Tier, level: u8, input: &[u8], config: &Target) -> Run {
    let optimized = Pipeline::level(level).run(program.clone(), false).program;
    let compiled = compile(&optimized, tier, config).expect("compile");
    let mut output = Vec::new();
    let outcome = compiled
        .run(&mut &input[..], &mut output)
        .expect("start the run");
    Run {
        ptr: outcome.result.is_ok().then_some(outcome.ptr),
        result: outcome.result,
        output,
    }
}

/// Runs the program's source on the reference interpreter, under the same
/// conventions and step limit as `config` (a timeout does not apply).
pub fn reference(program: &Program, input: &[u8], config: &Target) -> Run {
    let setup = Setup {
        input: input.to_vec(),
        eof: config.eof,
        tape_len: config.tape_size,
        steps: config.max_steps.unwrap_or(u64::MAX),
    };
    let run = run::reference(program, &setup);
    Run {
        ptr: run.result.is_ok().then_some(run.ptr),
        result: run.result,
        output: run.output,
    }
}

/// `config` and the same run without any limit: native code compiled for
/// each differs (budget checks on back edges or none), so a program known to
/// halt is run both ways.
pub fn with_and_without_limits(config: &Target) -> [Target; 2] {
    let unlimited = Target {
        timeout: None,
        max_steps: None,
        ..*config
    };
    [*config, unlimited]
}

/// Reads and parses a program file.
pub fn load(path: &Path, cell: CellWidth) -> Program {
    let text = std::fs::read(path).expect("read program");
    parse(&path.display().to_string(), &text, cell).expect("parse")
}
