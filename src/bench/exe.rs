//! The `exe` contender: the program as `bfjit build` makes it (the opt
//! tier's code at `-O2` in an object file, linked with the C runtime by the
//! system C compiler, `crate::build::executable`), run as a whole process
//! like the C yardstick. Its codegen phase is the object file plus the
//! link, once per program; its execution time includes process start-up.
//!
//! The link uses `bfjit build`'s C compiler (`BFJIT_CC`, else `CC`, else
//! `cc`), not `--cc`. Whether linking works at all is probed once per suite
//! on an empty program ([`probe`]), so a machine without a C compiler (or a
//! bfjit built without the runtime) reports the contender unavailable, as it
//! does the C yardstick, rather than failing every program.

use super::child::Scratch;
use super::clock::{children_cpu_time, Clock};
use super::process::Built;
use super::report::Status;
use super::runner::{
    parse_and_optimize, run_config, Failure, Limits, Loaded, Prepared, Sample, Settings,
};
use crate::build::{executable, BuildInfo};
use ir_passes::ir::Program;
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use std::time::Duration;

/// The `-O` level of the code: `bfjit build`'s default.
const EXE_LEVEL: u8 = 2;

/// Builds an empty program into `scratch`; `Err` says why executables
/// cannot be built here.
pub fn probe(settings: &Settings, scratch: &Scratch) -> Result<(), String> {
    let program = parse("probe.b", b"", settings.cell)
        .map_err(|e| format!("cannot parse the probe program: {e}"))?;
    let out = scratch.path("exe-probe");
    executable(
        &program,
        &target_of(settings),
        &info(&program, settings),
        &out,
    )
    .map_err(|e| format!("cannot build executables: {e}"))
}

/// Builds the program's executable; `index` keeps file names apart.
pub fn build(
    loaded: &Loaded,
    settings: &Settings,
    scratch: &Scratch,
    index: usize,
) -> Result<Built, Failure> {
    let error = |message: String| Failure {
        status: Status::Error,
        message,
    };
    let clock = settings.clock;
    let Prepared {
        program,
        parse,
        passes,
    } = parse_and_optimize(loaded, settings, |_| Pipeline::level(EXE_LEVEL))?;
    let t2 = clock.read();
    let exe = scratch.path(&format!("exe-{index}"));
    let linker_before = children_cpu_time();
    executable(
        &program,
        &target_of(settings),
        &info(&program, settings),
        &exe,
    )
    .map_err(|e| error(format!("cannot build: {e}")))?;
    let t3 = clock.read();
    // The process's CPU clock does not see the linker, a child process.
    let linker = match clock {
        Clock::Cpu => children_cpu_time().saturating_sub(linker_before),
        Clock::Wall => Duration::ZERO,
    };
    Ok(Built {
        argv: vec![exe.into_os_string()],
        build: Sample {
            parse: Some(parse),
            passes: Some(passes),
            codegen: Some(t3 - t2 + linker),
            execution: Duration::ZERO,
            peak: None,
            first_byte: None,
        },
        memory: None,
    })
}

/// The conventions the executable is built with: the suite's, without a
/// time limit (an executable has none to enforce; a run past the limit is
/// killed by the bench instead).
fn target_of(settings: &Settings) -> crate::harness::Target {
    run_config(settings, Limits::Unlimited)
}

/// What `./exe --help` says it was built with.
fn info(program: &Program, settings: &Settings) -> BuildInfo {
    BuildInfo {
        file: program.source.name().to_string(),
        optimization: format!("-O{EXE_LEVEL}"),
        passes: Pipeline::level(EXE_LEVEL)
            .names()
            .into_iter()
            .map(str::to_string)
            .collect(),
        cell_bits: settings.cell.bits(),
        eof: settings.eof,
        tape_size: settings.tape_size,
    }
}
