//! The counting interpreter run: the interp tier with a counter per bytecode
//! instruction, behind `bfjit run --count-ops` and `bfjit inspect --profile`.
//!
//! Counting lives only in the interpreter: the JIT tiers stay free of
//! instrumentation, and the bytecode maps one to one onto IR ops and their
//! source spans, so the counts can be reported against the source.

use crate::runtime::tape::Tape;
use crate::tier::{Outcome, RunConfig};
use ir_passes::budget::Budget;
use ir_passes::bytecode::{Bytecode, Instr};
use ir_passes::cell::CellType;
use ir_passes::io::Io;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::reference::Machine;
use std::io::{Read, Write};
use std::time::Instant;

/// A finished (or failed) counting run.
pub struct Profile {
    /// The code that ran.
    pub bytecode: Bytecode,
    /// How often each instruction of `bytecode` ran.
    pub counts: Vec<u64>,
    /// How the run ended.
    pub outcome: Outcome,
}

impl Profile {
    /// Instructions executed, guards included.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Guard checks executed (the price of tape safety).
    pub fn guards(&self) -> u64 {
        self.bytecode
            .instrs
            .iter()
            .zip(&self.counts)
            .filter(|(i, _)| matches!(i, Instr::Guard { .. }))
            .map(|(_, &n)| n)
            .sum()
    }
}

/// Runs `program` on the bytecode interpreter with a fresh tape, counting
/// every instruction. Output is flushed before this returns. An `Err` means
/// the run could not start (the tape could not be allocated).
pub fn run_counting(
    program: &Program,
    config: &RunConfig,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Profile, String> {
    match program.cell {
        CellWidth::U8 => run_cells::<u8>(program, config, input, output),
        CellWidth::U16 => run_cells::<u16>(program, config, input, output),
        CellWidth::U32 => run_cells::<u32>(program, config, input, output),
    }
}

fn run_cells<C: CellType>(
    program: &Program,
    config: &RunConfig,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<Profile, String> {
    let bytecode = Bytecode::compile(program);
    let mut counts = vec![0u64; bytecode.instrs.len()];
    let mut tape = Tape::<C>::new(config.tape_size)?;
    let mut io = Io::new(input, output, config.eof, program.cell);
    let deadline = config.timeout.map(|t| Instant::now() + t);
    let mut budget = Budget::new(config.max_steps.unwrap_or(u64::MAX), deadline);
    let mut m = Machine {
        tape: tape.cells(),
        ptr: 0,
    };
    let result = bytecode.run(&mut m, &mut io, &mut budget, Some(&mut counts));
    let ptr = m.ptr;
    // As in `Compiled::run`: output before an error is never lost.
    let flushed = io.flush();
    let outcome = Outcome {
        result: result.and(flushed),
        ptr,
    };
    Ok(Profile {
        bytecode,
        counts,
        outcome,
    })
}
