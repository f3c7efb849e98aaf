//! The execution tiers behind one interface: compile a [`Program`] for a tier,
//! then run it on a fresh tape with the chosen conventions.

use crate::jit::{self, JitCode, JitMode};
pub use crate::jit::{CodeConfig, Limits};
use crate::runtime::tape::Tape;
use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::reference::Machine;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// An execution tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Tier {
    /// The bytecode interpreter (runs the IR at whatever `-O` level is chosen).
    Interp,
    /// The template JIT: unoptimized IR, one CLIF sequence per command.
    Simple,
    /// The optimizing JIT: optimized IR, Cranelift at opt_level=speed.
    Opt,
}

impl Tier {
    /// Every tier, in the order reports list them.
    pub const ALL: [Tier; 3] = [Tier::Interp, Tier::Simple, Tier::Opt];

    /// The tier's command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            Tier::Simple => "simple",
            Tier::Opt => "opt",
        }
    }

    /// Whether the tier takes an optimized program (`-O`, `--passes`); the
    /// simple tier always translates the unoptimized one.
    pub fn takes_passes(self) -> bool {
        self != Tier::Simple
    }
}

/// The conventions and limits of one run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// What `,` does at end of input.
    pub eof: EofMode,
    /// Number of cells on the tape.
    pub tape_size: usize,
    /// Wall-clock limit.
    pub timeout: Option<Duration>,
    /// Step limit (loop back edges, approximately); tests use it to bound
    /// programs that may not halt.
    pub max_steps: Option<u64>,
}

impl RunConfig {
    /// What code for this run must enforce: limits when a timeout or a step
    /// limit is set.
    pub fn limits(&self) -> Limits {
        match (self.timeout, self.max_steps) {
            (None, None) => Limits::Unlimited,
            _ => Limits::Enforced,
        }
    }
}

impl Default for RunConfig {
    fn default() -> RunConfig {
        RunConfig {
            eof: EofMode::Unchanged,
            tape_size: 65_536,
            timeout: None,
            max_steps: None,
        }
    }
}

/// The code a tier made.
pub enum Engine {
    /// Bytecode for the interpreter.
    Interp(Bytecode),
    /// Native code.
    Jit(JitCode),
}

/// A program compiled for a tier.
pub struct Compiled {
    /// The code.
    pub engine: Engine,
    /// The cell width the code was made for.
    pub cell: CellWidth,
    /// What native code is specialized for (`None` for the interpreter,
    /// which runs with any configuration).
    pub code: Option<CodeConfig>,
}

/// How a run ended.
#[derive(Debug)]
pub struct Outcome {
    /// `Ok` when the program ran to its end.
    pub result: Result<(), RunError>,
    /// The pointer when it stopped.
    pub ptr: usize,
}

/// Compiles a program for a tier, for runs with `config`'s tape size and
/// limits: native code has the tape length built in, and enforces a timeout
/// or step limit only if `config` sets one (see [`Limits`]). The code
/// refuses runs with another tape size, or with limits it does not enforce.
pub fn compile(program: &Program, tier: Tier, config: &RunConfig) -> Result<Compiled, String> {
    let code = CodeConfig {
        limits: config.limits(),
        tape_size: config.tape_size,
    };
    let (engine, code) = match tier {
        Tier::Interp => (Engine::Interp(Bytecode::compile(program)), None),
        Tier::Simple => (
            Engine::Jit(jit::compile(program, JitMode::Simple, code)?),
            Some(code),
        ),
        Tier::Opt => (
            Engine::Jit(jit::compile(program, JitMode::Opt, code)?),
            Some(code),
        ),
    };
    Ok(Compiled {
        engine,
        cell: program.cell,
        code,
    })
}

impl Compiled {
    /// Runs the code on a fresh tape. Pending output is flushed before this
    /// returns, whether the run succeeded or not. An `Err` means the run could
    /// not start (the tape could not be allocated, or the config does not
    /// match what the code was compiled for).
    pub fn run(
        &self,
        config: &RunConfig,
        input: &mut dyn Read,
        output: &mut dyn Write,
    ) -> Result<Outcome, String> {
        if let Some(code) = self.code {
            if config.tape_size != code.tape_size {
                return Err(format!(
                    "this code was compiled for a tape of {} cells, not {}",
                    code.tape_size, config.tape_size
                ));
            }
            if config.limits() == Limits::Enforced && code.limits == Limits::Unlimited {
                return Err(
                    "this code was compiled without budget checks, so it cannot \
                            enforce a timeout or step limit"
                        .into(),
                );
            }
        }
        match self.cell {
            CellWidth::U8 => self.run_cells::<u8>(config, input, output),
            CellWidth::U16 => self.run_cells::<u16>(config, input, output),
            CellWidth::U32 => self.run_cells::<u32>(config, input, output),
        }
    }

    fn run_cells<C: CellType>(
        &self,
        config: &RunConfig,
        input: &mut dyn Read,
        output: &mut dyn Write,
    ) -> Result<Outcome, String> {
        let mut tape = Tape::<C>::new(config.tape_size)?;
        let mut io = Io::new(input, output, config.eof, self.cell);
        let deadline = config.timeout.map(|t| Instant::now() + t);
        let mut budget = Budget::new(config.max_steps.unwrap_or(u64::MAX), deadline);
        let (result, ptr) = match &self.engine {
            Engine::Interp(bc) => {
                let mut m = Machine {
                    tape: tape.cells(),
                    ptr: 0,
                };
                let r = bc.run(&mut m, &mut io, &mut budget, None);
                (r, m.ptr)
            }
            Engine::Jit(code) => match code.run(tape.cells(), 0, &mut io, &mut budget) {
                Ok(ptr) => (Ok(()), ptr),
                Err(e) => (Err(e), 0),
            },
        };
        // Output written before an error is flushed, never lost; a flush
        // failure only matters if the run itself succeeded.
        let flushed = io.flush();
        let result = result.and(flushed);
        Ok(Outcome { result, ptr })
    }
}
