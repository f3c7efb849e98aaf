//! `bfjit run`: load, warn, optimize, compile for the tier, run, report.

use super::args::{
    parse_timeout, ColorArgs, Conventions, InputArgs, Optimization, SourceArgs, WarningArgs,
};
use super::program::{load_as, optimize, report_run, warn};
use crate::counting;
use crate::diagnostics::{internal_error, write_stderr, RunContext};
use crate::exit_status;
use crate::harness::Target;
use crate::load::Parsed;
use crate::tier::{compile_shared, Tier};
use crate::tiered::log::{self, TierLog};
use crate::tiered::{self, Fault, Threshold, DEFAULT_THRESHOLD};
use clap::Args;
use ir_passes::io::Buffering;
use ir_passes::pipeline::Pipeline;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// `bfjit run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program.
    #[command(flatten)]
    pub program: SourceArgs,
    /// The program's input.
    #[command(flatten)]
    pub input: InputArgs,
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
    /// Warnings.
    #[command(flatten)]
    pub warnings: WarningArgs,
    /// Colour.
    #[command(flatten)]
    pub color: ColorArgs,
    /// Tiering: tier auto.
    #[command(flatten)]
    pub tiering: TieringArgs,
}

/// The options of the auto tier.
#[derive(Args, Debug)]
pub struct TieringArgs {
    /// Auto tier: back edges taken inside a loop (its own and its nested
    /// loops') before it is compiled; 0 compiles the whole program before
    /// running (like --tier opt), `never` only interprets.
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
    let stderr = args.color.stderr();
    let usage = |message: String| {
        stderr.error(message);
        exit_status::USAGE
    };
    if args.count_ops && args.tier != Tier::Interp {
        return usage(
            "--count-ops counts interpreter instructions; use it with --tier interp".into(),
        );
    }
    let pipeline = match args.optimization.pipeline(args.tier) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let auto = if args.tier == Tier::Auto {
        match args.tiering.options(pipeline.clone()) {
            Ok(o) => o,
            Err(e) => return usage(e),
        }
    } else {
        tiered::Options::default()
    };
    let timeout = match parse_timeout(args.timeout) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let source = args.program.source();
    let mut input = match args.input.input(&source).open() {
        Ok(i) => i,
        Err(e) => return usage(e.to_string()),
    };
    // Runs fold while parsing when the passes would fold them first anyway
    // (every tier at -O1 and -O2): a big program then never exists with
    // one node per command. The warnings come out the same on either form.
    let form = match pipeline.names().first() {
        Some(&"fold_runs") => Parsed::Folded,
        _ => Parsed::Commands,
    };
    let program = match load_as(&source, args.conventions.cell_width(), form, &stderr) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The auto tier starts on the cheap passes of a big program; the rest
    // run on what gets hot.
    let mut now = args.tier.before_compile(&pipeline, &program);
    if form == Parsed::Folded {
        now = Tier::after_parse(now);
    }
    // The warnings are about the parsed program. When no pass runs before
    // the code is made (a big program on auto), they are found on another
    // core meanwhile, and shown before the run starts (lostkingdom: 8 M
    // instructions off the way to its first prompt).
    let lint_beside = now.names().is_empty() && !args.count_ops;
    if !lint_beside {
        warn(&program, &args.warnings, &stderr);
    }
    // Shared with the auto tier's compile thread, not copied.
    let program = Arc::new(match now.names().is_empty() {
        // Nothing to run (a big program on auto): not even the walk that
        // counts its ops.
        true => program,
        false => {
            optimize(program, &now, false, &args.warnings, &stderr)
                .0
                .program
        }
    });
    // Line by line on a terminal, as C's stdio does; in blocks otherwise.
    let target = Target {
        output: match std::io::stdout().is_terminal() {
            true => Buffering::Line,
            false => Buffering::Block,
        },
        ..args.conventions.target(timeout)
    };
    let mut stdout = std::io::stdout().lock();
    let outcome = if args.count_ops {
        counting::run(&program, &target, &mut input, &mut stdout).map(|counted| {
            write_stderr(
                format!(
                    "bfjit: executed ops: {} ({} of them guard checks)\n",
                    counted.total(),
                    counted.guards()
                )
                .as_bytes(),
            );
            counted.outcome
        })
    } else {
        let compiled = std::thread::scope(|scope| {
            let warnings = || warn(&program, &args.warnings, &stderr);
            let beside =
                lint_beside.then(|| std::thread::Builder::new().spawn_scoped(scope, warnings));
            let compiled = compile_shared(Arc::clone(&program), args.tier, &target, &auto);
            match beside {
                Some(Ok(thread)) => thread
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
                // No thread to be had: here, before the run as always.
                Some(Err(_)) => warnings(),
                None => 0,
            };
            compiled
        });
        let compiled = match compiled {
            Ok(c) => c,
            // The parser accepted the program, so failing to compile it is ours.
            Err(e) => {
                stderr.message(&internal_error(format!("cannot compile: {e}")));
                return exit_status::INTERNAL;
            }
        };
        compiled.run(&mut input, &mut stdout)
    };
    let outcome = match outcome {
        Ok(o) => o,
        // The run could not start: the tape could not be allocated.
        Err(e) => return usage(e),
    };
    let context = RunContext {
        tape_size: args.conventions.tape_size,
        timeout,
    };
    report_run(&outcome.result, &program.source, &context, &stderr)
}
