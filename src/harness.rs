//! One run of a program, whatever engine runs it: the fresh tape, the `Io`,
//! the budget, and the flush at the end. The tiers ([`crate::tier`]) and the
//! counting run ([`crate::counting`]) differ only in the [`Execute`] they
//! hand to [`run`].
//!
//! What code is compiled for ([`Target`]) is fixed before it is compiled and
//! travels with the code; a run supplies only its input and output. So a run
//! with a tape size or limits the code was not built for cannot be written
//! down, rather than being refused at run time.

use crate::jit::{CodeConfig, Limits};
use crate::runtime::tape::Tape;
use ir_passes::budget::Budget;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::io::{Buffering, EofMode, Io};
use ir_passes::ir::CellWidth;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// The machine a program is compiled for: its tape, its EOF rule and the
/// bounds a run stops at. Native code has the tape length built in and
/// checks a budget only when a bound is set (see [`Limits`]); the cell
/// width comes from the program itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// What `,` does at end of input.
    pub eof: EofMode,
    /// Number of cells on the tape.
    pub tape_size: usize,
    /// Wall-clock limit, counted from the start of each run.
    pub timeout: Option<Duration>,
    /// Step limit (loop back edges, approximately); tests use it to bound
    /// programs that may not halt.
    pub max_steps: Option<u64>,
    /// When output is passed on: in blocks, or also at every newline (the
    /// CLI's choice when stdout is a terminal). Generated code does not
    /// depend on it.
    pub output: Buffering,
}

impl Default for Target {
    /// The `bfjit run` defaults: 65,536 cells, EOF leaves the cell
    /// unchanged, no bounds.
    fn default() -> Target {
        Target {
            eof: EofMode::Unchanged,
            tape_size: 65_536,
            timeout: None,
            max_steps: None,
            output: Buffering::Block,
        }
    }
}

impl Target {
    /// Whether code for this target must enforce limits: when a timeout or
    /// a step limit is set.
    pub fn limits(&self) -> Limits {
        match (self.timeout, self.max_steps) {
            (None, None) => Limits::Unlimited,
            _ => Limits::Enforced,
        }
    }

    /// What native code for this target is specialized for.
    pub fn code_config(&self) -> CodeConfig {
        CodeConfig {
            limits: self.limits(),
            tape_size: self.tape_size,
        }
    }

    /// A fresh budget for one run; the timeout counts from now.
    fn budget(&self) -> Budget {
        let deadline = self.timeout.map(|t| Instant::now() + t);
        Budget::new(self.max_steps.unwrap_or(u64::MAX), deadline)
    }
}

/// How a run ended.
#[derive(Debug)]
pub struct Outcome {
    /// `Ok` when the program ran to its end.
    pub result: Result<(), RunError>,
    /// The pointer when it stopped.
    pub ptr: usize,
}

/// An engine the harness can run: it executes from cell 0 of `tape` with
/// the run's `io` and `budget`, for every cell type.
pub trait Execute {
    /// Runs the program to its end or its first error. Flushing `io` is the
    /// harness's job, not the engine's.
    fn execute<C: CellType>(
        &mut self,
        tape: &mut [C],
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Outcome;
}

/// Runs `engine` once on a fresh, zeroed tape of `target`'s size with cells
/// of width `cell`. Pending output is flushed before this returns, whether
/// the run succeeded or not. An `Err` means the run could not start (the
/// tape could not be allocated).
pub fn run<E: Execute>(
    engine: &mut E,
    cell: CellWidth,
    target: &Target,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, String> {
    match cell {
        CellWidth::U8 => run_cells::<u8, E>(engine, cell, target, input, output),
        CellWidth::U16 => run_cells::<u16, E>(engine, cell, target, input, output),
        CellWidth::U32 => run_cells::<u32, E>(engine, cell, target, input, output),
    }
}

fn run_cells<C: CellType, E: Execute>(
    engine: &mut E,
    cell: CellWidth,
    target: &Target,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Outcome, String> {
    let mut tape = Tape::<C>::new(target.tape_size)?;
    let mut io = Io::new(input, output, target.eof, cell).buffered(target.output);
    let mut budget = target.budget();
    let outcome = engine.execute(tape.cells(), &mut io, &mut budget);
    // Output written before an error is flushed, never lost; a flush
    // failure only matters if the run itself succeeded.
    let flushed = io.flush();
    Ok(Outcome {
        result: outcome.result.and(flushed),
        ptr: outcome.ptr,
    })
}
