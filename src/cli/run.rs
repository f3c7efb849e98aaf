//! `bfjit run`: load, optimize, compile for the tier, run, report.

use super::args::RunArgs;
use super::{error, EXIT_OK, EXIT_RUNTIME, EXIT_TIMEOUT, EXIT_USAGE};
use crate::load::load;
use crate::profile::run_counting;
use crate::tier::{compile, RunConfig, Tier};
use ir_passes::error::RunError;
use std::time::Duration;

/// Runs `bfjit run` and returns the exit status.
///
/// `--count-ops` is an interp-tier option: the count is of bytecode
/// instructions, and the JIT tiers carry no counters (running the
/// interpreter behind a JIT tier's back would time and report another
/// engine), so with another tier it is a usage error.
pub fn run(args: &RunArgs) -> u8 {
    if args.count_ops && args.tier != Tier::Interp {
        error("--count-ops counts interpreter instructions; use it with --tier interp");
        return EXIT_USAGE;
    }
    let pipeline = match args.optimization.pipeline(args.tier) {
        Ok(p) => p,
        Err(e) => {
            error(e);
            return EXIT_USAGE;
        }
    };
    let program = match load(&args.file, args.conventions.cell_width()) {
        Ok(p) => p,
        Err(e) => {
            error(&e);
            return e.exit_code();
        }
    };
    let program = pipeline.run(program, false).program;
    let timeout = match args.timeout {
        Some(t) if !(t.is_finite() && t >= 0.0) => {
            error(format!("invalid --timeout {t}"));
            return EXIT_USAGE;
        }
        t => t.map(Duration::from_secs_f64),
    };
    let config = RunConfig {
        eof: args.conventions.eof.into(),
        tape_size: args.conventions.tape_size as usize,
        timeout,
        max_steps: None,
    };
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let outcome = if args.count_ops {
        run_counting(&program, &config, &mut stdin, &mut stdout).map(|profile| {
            eprintln!(
                "bfjit: executed ops: {} ({} of them guard checks)",
                profile.total(),
                profile.guards()
            );
            profile.outcome
        })
    } else {
        compile(&program, args.tier, &config).and_then(|c| c.run(&config, &mut stdin, &mut stdout))
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            error(e);
            return EXIT_USAGE;
        }
    };
    match outcome.result {
        Ok(()) | Err(RunError::OutputClosed) => EXIT_OK,
        Err(e @ RunError::OffTape { .. }) => {
            error(e.describe(&program.source));
            EXIT_RUNTIME
        }
        Err(RunError::Timeout) => {
            error(format!(
                "{}: time limit of {}s reached",
                program.source.name(),
                args.timeout.unwrap_or_default()
            ));
            EXIT_TIMEOUT
        }
        Err(e) => {
            error(e);
            EXIT_USAGE
        }
    }
}
