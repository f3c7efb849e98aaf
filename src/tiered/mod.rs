//! The `auto` tier: start interpreting at once, compile the loops that get
//! hot on a background thread, switch to their code at loop heads.
//! docs/tiering.md explains the mode with an example and a log.
//!
//! - `sites.rs`: the program's loops by interpreter slot, their nesting.
//! - `compiler.rs`: one loop compiled as a fragment (its own -O2 pipeline,
//!   nothing assumed about the tape at entry), and the compile thread.
//! - `hooks.rs`: a run's heat, requests and compiled code, as the
//!   interpreter's loop-head hooks.
//! - `log.rs`: the tier log.
//!
//! Only parsing and the cheap (-O1) passes happen before the first command
//! of a large program runs: the caller gives [`Tiered::new`] the -O1
//! program (see [`crate::tier::Tier::before_compile`]; small programs get
//! the whole selection at once); fragments get the whole selection
//! (`pipeline`).

mod compiler;
mod hooks;
pub mod log;
mod sites;

use crate::harness::{Outcome, Target};
use crate::jit::{self, JitCode, JitMode};
use compiler::Job;
pub use hooks::Tiering;
use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::cell::CellType;
use ir_passes::io::Io;
use ir_passes::ir::Program;
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::Machine;
use log::{event, TierLog};
use std::sync::Arc;
use std::time::Instant;

/// Heat a loop gets in the interpreter before it is compiled, by default:
/// back edges taken inside it, its own and its nested loops' (see
/// docs/tiering.md for how it was chosen).
pub const DEFAULT_THRESHOLD: u32 = 1000;

/// Programs of at most this many ops (as parsed: about one per command) get
/// the whole pass selection before they start; larger ones only the cheap
/// passes (-O2's fixed point costs 15 ms on mandelbrot's 11,000 commands,
/// about a millisecond on factor's 5,000).
pub const SMALL_PROGRAM_OPS: usize = 8_000;

/// Programs of more than this many ops (as parsed, runs folded) start on
/// the parsed program alone: even the cheap passes would cost more than the
/// budget of a few milliseconds per 100 KB (about 120 ms of CPU on
/// lostkingdom's 190,000 ops, which are most of the time to its first
/// prompt); the loops that get hot get the whole selection when they are
/// compiled. Between [`SMALL_PROGRAM_OPS`] and this, the cheap passes (about
/// 10 ms at this size), without which the interpreter runs some programs
/// 50 times slower (hanoi: 76 G instructions at `--passes fold_runs`, 1.4 G
/// at -O1).
pub const LARGE_PROGRAM_OPS: usize = 40_000;

/// When loops are compiled (`--jit-threshold`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threshold {
    /// Compile the whole program before running, as the opt tier does
    /// (`--jit-threshold 0`).
    Before,
    /// Compile a loop once this many back edges (≥ 1) were taken inside
    /// it: its own and those of the loops it contains.
    Hot(u32),
    /// Never compile: the interpreter alone (`--jit-threshold never`).
    Never,
}

impl Threshold {
    /// Parses `--jit-threshold`: a number of back edges, or `never`.
    pub fn parse(s: &str) -> Result<Threshold, String> {
        match s.trim() {
            "never" => Ok(Threshold::Never),
            n => match n.parse::<u32>() {
                Ok(0) => Ok(Threshold::Before),
                Ok(n) => Ok(Threshold::Hot(n)),
                Err(_) => Err(format!(
                    "invalid --jit-threshold '{s}': a number of loop iterations, or never"
                )),
            },
        }
    }
}

impl std::fmt::Display for Threshold {
    /// As `--jit-threshold` spells it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threshold::Before => f.write_str("0"),
            Threshold::Hot(n) => write!(f, "{n}"),
            Threshold::Never => f.write_str("never"),
        }
    }
}

/// A failure injected into every compile, for tests of the fallbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Compiles return an error.
    Fail,
    /// Compiles panic.
    Panic,
    /// Background compiles never finish.
    Stall,
}

/// How the auto tier behaves.
#[derive(Clone)]
pub struct Options {
    /// When loops are compiled.
    pub threshold: Threshold,
    /// Compile on the interpreter's thread the moment a loop gets hot
    /// (deterministic; `--jit-sync`), rather than in the background.
    pub sync: bool,
    /// The passes compiled loops get (the whole selection; the interpreter
    /// runs its cheap part).
    pub pipeline: Pipeline,
    /// The tier log, if any.
    pub log: Option<Arc<TierLog>>,
    /// A failure to inject (tests).
    pub fault: Option<Fault>,
}

impl Default for Options {
    /// `bfjit run`'s defaults: [`DEFAULT_THRESHOLD`], in the background,
    /// -O2 for compiled loops, no log.
    fn default() -> Options {
        Options {
            threshold: Threshold::Hot(DEFAULT_THRESHOLD),
            sync: false,
            pipeline: Pipeline::level(2),
            log: None,
            fault: None,
        }
    }
}

/// A program ready for tiered runs.
pub struct Tiered {
    bytecode: Bytecode,
    job: Arc<Job>,
    threshold: Threshold,
    sync: bool,
    /// With [`Threshold::Before`]: the whole program's code.
    whole: Option<JitCode>,
}

impl Tiered {
    /// Prepares `program` (already through the cheap passes) for runs on
    /// `target`. Only [`Threshold::Before`] compiles anything here. The
    /// program is shared, not copied: the compile thread cuts fragments out
    /// of it (a copy of a 2 MB program costs about 15 ms).
    pub fn new(
        program: Arc<Program>,
        target: &Target,
        options: &Options,
    ) -> Result<Tiered, String> {
        let log = options.log.clone();
        let bytecode = Bytecode::compile(&program);
        let sites = sites::sites(bytecode.loops());
        let threshold = options.threshold;
        let whole = match threshold {
            Threshold::Before => {
                let start = Instant::now();
                event!(&log, "compile the whole program before running");
                let optimized = options.pipeline.run((*program).clone(), false).program;
                let code = jit::compile(&optimized, JitMode::Opt, target.code_config())?;
                event!(
                    &log,
                    "compiled the whole program in {:.2} ms: {} function(s), {} bytes of code",
                    start.elapsed().as_secs_f64() * 1e3,
                    code.function_count(),
                    code.code_size()
                );
                Some(code)
            }
            _ => None,
        };
        let job = Arc::new(Job {
            program,
            sites,
            pipeline: options.pipeline.clone(),
            config: target.code_config(),
            fault: options.fault,
            log,
            // The interpreter's instructions: at least one per op, and no
            // walk over the program to count them.
            raw: bytecode.instrs.len() > LARGE_PROGRAM_OPS,
        });
        Ok(Tiered {
            bytecode,
            job,
            threshold,
            sync: options.sync,
            whole,
        })
    }

    /// Fresh hooks for one run (`None` when nothing is compiled during runs).
    pub fn hooks(&self) -> Option<Tiering> {
        match self.threshold {
            Threshold::Hot(n) => Some(Tiering::new(Arc::clone(&self.job), n, self.sync)),
            Threshold::Before | Threshold::Never => None,
        }
    }

    /// Runs from cell 0 with the run's `io` and `budget`: the interpreter,
    /// with hooks that compile and enter hot loops.
    pub fn execute<C: CellType>(
        &self,
        tape: &mut [C],
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Outcome {
        let log = &self.job.log;
        if let Some(code) = &self.whole {
            let r = code.run(tape, 0, io, budget);
            event!(log, "run over");
            return match r {
                Ok(ptr) => Outcome {
                    result: Ok(()),
                    ptr,
                },
                Err(e) => Outcome {
                    result: Err(e),
                    ptr: 0,
                },
            };
        }
        event!(
            log,
            "start: {} loops, threshold {}, {}",
            self.job.sites.len(),
            self.threshold,
            if self.sync { "sync" } else { "background" }
        );
        let mut m = Machine { tape, ptr: 0 };
        let result = match self.hooks() {
            Some(mut hooks) => {
                let r = self.bytecode.run_with_hooks(&mut m, io, budget, &mut hooks);
                hooks.finish();
                r
            }
            None => self.bytecode.run(&mut m, io, budget, None),
        };
        event!(
            log,
            "run over: {}",
            if result.is_ok() {
                "finished"
            } else {
                "stopped"
            }
        );
        if let Some(log) = log {
            log.flush();
        }
        Outcome { result, ptr: m.ptr }
    }
}
