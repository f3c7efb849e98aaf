//! `bfjit run`: load, optimize, compile for the tier, run, report.

use super::args::{parse_timeout, Conventions, Optimization};
use super::message::error;
use crate::counting;
use crate::exit_status;
use crate::load::load;
use crate::tier::{compile, Tier};
use clap::Args;
use ir_passes::error::RunError;
use std::path::PathBuf;

/// `bfjit run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The BF program.
    pub file: PathBuf,
    /// The execution tier.
    #[arg(long, value_enum, default_value = "opt")]
    pub tier: Tier,
    /// Conventions.
    #[command(flatten)]
    pub conventions: Conventions,
    /// Pass selection.
    #[command(flatten)]
    pub optimization: Optimization,
    /// Stop the run after this many seconds (exit status 4).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Print the number of IR ops executed to stderr (interp tier only).
    #[arg(long)]
    pub count_ops: bool,
}

/// Runs `bfjit run` and returns the exit status.
///
/// `--count-ops` is an interp-tier option: the count is of bytecode
/// instructions, and the JIT tiers carry no counters (running the
/// interpreter behind a JIT tier's back would time and report another
/// engine), so with another tier it is a usage error.
pub fn run(args: &RunArgs) -> u8 {
    if args.count_ops && args.tier != Tier::Interp {
        error("--count-ops counts interpreter instructions; use it with --tier interp");
        return exit_status::USAGE;
    }
    let pipeline = match args.optimization.pipeline(args.tier) {
        Ok(p) => p,
        Err(e) => {
            error(e);
            return exit_status::USAGE;
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
    let target = match parse_timeout(args.timeout) {
        Ok(timeout) => args.conventions.target(timeout),
        Err(e) => {
            error(e);
            return exit_status::USAGE;
        }
    };
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let outcome = if args.count_ops {
        counting::run(&program, &target, &mut stdin, &mut stdout).map(|counted| {
            eprintln!(
                "bfjit: executed ops: {} ({} of them guard checks)",
                counted.total(),
                counted.guards()
            );
            counted.outcome
        })
    } else {
        compile(&program, args.tier, &target).and_then(|c| c.run(&mut stdin, &mut stdout))
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            error(e);
            return exit_status::USAGE;
        }
    };
    match outcome.result {
        Ok(()) | Err(RunError::OutputClosed) => exit_status::OK,
        Err(e @ RunError::OffTape { .. }) => {
            error(e.describe(&program.source));
            exit_status::RUNTIME
        }
        Err(RunError::Timeout) => {
            error(format!(
                "{}: time limit of {}s reached",
                program.source.name(),
                args.timeout.unwrap_or_default()
            ));
            exit_status::TIMEOUT
        }
        Err(e) => {
            error(e);
            exit_status::USAGE
        }
    }
}
