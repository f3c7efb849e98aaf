//! `bfjit run`: load, optimize, compile for the tier, run, report.

use super::args::{parse_timeout, Conventions, Optimization};
use super::message::error;
use crate::counting;
use crate::exit_status;
use crate::load::load;
use crate::tier::{compile_with, Tier};
use crate::tiered::log::{self, TierLog};
use crate::tiered::{self, Fault, Threshold, DEFAULT_THRESHOLD};
use clap::Args;
use ir_passes::error::RunError;
use ir_passes::pipeline::Pipeline;
use std::path::PathBuf;
use std::sync::Arc;

/// `bfjit run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The BF program.
    pub file: PathBuf,
    /// The execution tier. `auto` interprets at once and compiles hot loops
    /// in the background (docs/tiering.md).
    #[arg(long, value_enum, default_value = "auto")]
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
    /// Tiering: tier auto.
    #[command(flatten)]
    pub tiering: TieringArgs,
}

/// The options of the auto tier.
#[derive(Args, Debug)]
pub struct TieringArgs {
    /// Auto tier: loop iterations before a loop is compiled; 0 compiles the
    /// whole program before running (like --tier opt), `never` only
    /// interprets.
    #[arg(long, value_name = "N|never", value_parser = Threshold::parse,
          default_value_t = Threshold::Hot(DEFAULT_THRESHOLD))]
    pub jit_threshold: Threshold,
    /// Auto tier: compile a hot loop at once on the running thread instead
    /// of in the background (deterministic, for tests and debugging).
    #[arg(long)]
    pub jit_sync: bool,
    /// Auto tier: write one line per tiering event to FILE (also taken from
    /// the BFJIT_LOG_TIERS environment variable).
    #[arg(long, value_name = "FILE")]
    pub log_tiers: Option<PathBuf>,
    /// Test hook: make every compile of the auto tier fail, panic or stall.
    #[arg(long, value_enum, hide = true)]
    pub jit_test_fault: Option<FaultArg>,
}

/// `--jit-test-fault` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FaultArg {
    /// Every compile returns an error.
    Fail,
    /// Every compile panics.
    Panic,
    /// Background compiles never finish.
    Stall,
}

impl TieringArgs {
    /// The auto tier's options, compiled loops getting `pipeline`.
    pub fn options(&self, pipeline: Pipeline) -> Result<tiered::Options, String> {
        let path = self
            .log_tiers
            .clone()
            .or_else(|| std::env::var_os(log::ENV_VAR).map(PathBuf::from));
        let log = match path {
            Some(p) => Some(Arc::new(TierLog::create(&p)?)),
            None => None,
        };
        Ok(tiered::Options {
            threshold: self.jit_threshold,
            sync: self.jit_sync,
            pipeline,
            log,
            fault: self.jit_test_fault.map(|f| match f {
                FaultArg::Fail => Fault::Fail,
                FaultArg::Panic => Fault::Panic,
                FaultArg::Stall => Fault::Stall,
            }),
        })
    }
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
    let selected = match args.optimization.pipeline(args.tier) {
        Ok(p) => p,
        Err(e) => {
            error(e);
            return exit_status::USAGE;
        }
    };
    let auto = if args.tier == Tier::Auto {
        match args.tiering.options(selected.clone()) {
            Ok(o) => o,
            Err(e) => {
                error(e);
                return exit_status::USAGE;
            }
        }
    } else {
        tiered::Options::default()
    };
    let program = match load(&args.file, args.conventions.cell_width()) {
        Ok(p) => p,
        Err(e) => {
            error(&e);
            return e.exit_code();
        }
    };
    let pipeline = args.tier.before_compile(&selected, &program);
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
        compile_with(&program, args.tier, &target, &auto)
            .and_then(|c| c.run(&mut stdin, &mut stdout))
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
