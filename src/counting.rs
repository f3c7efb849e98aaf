//! The counting run: the interp tier with a counter per bytecode
//! instruction, behind `bfjit run --count-ops` and `bfjit inspect --profile`.
//!
//! Counting lives only in the interpreter: the JIT tiers stay free of
//! instrumentation, and the bytecode maps one to one onto IR ops and their
//! source spans, so the counts can be reported against the source.

use crate::harness::{self, Execute, Outcome, Target};
use ir_passes::budget::Budget;
use ir_passes::bytecode::{Bytecode, Instr};
use ir_passes::cell::CellType;
use ir_passes::io::Io;
use ir_passes::ir::Program;
use ir_passes::reference::Machine;
use std::io::{Read, Write};

/// A finished (or failed) counting run.
pub struct CountedRun {
    /// The code that ran.
    pub bytecode: Bytecode,
    /// How often each instruction of `bytecode` ran.
    pub counts: Vec<u64>,
    /// How the run ended.
    pub outcome: Outcome,
}

impl CountedRun {
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

/// The bytecode and its counters, as the harness runs them.
struct Counting<'a> {
    bytecode: &'a Bytecode,
    counts: &'a mut [u64],
}

impl Execute for Counting<'_> {
    fn execute<C: CellType>(
        &mut self,
        tape: &mut [C],
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Outcome {
        let mut m = Machine { tape, ptr: 0 };
        let result = self.bytecode.run(&mut m, io, budget, Some(self.counts));
        Outcome { result, ptr: m.ptr }
    }
}

/// Runs `program` on the bytecode interpreter with a fresh tape of
/// `target`, counting every instruction. Output is flushed before this
/// returns. An `Err` means the run could not start (the tape could not be
/// allocated).
pub fn run(
    program: &Program,
    target: &Target,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> Result<CountedRun, String> {
    let bytecode = Bytecode::compile(program);
    let mut counts = vec![0u64; bytecode.instrs.len()];
    let mut counting = Counting {
        bytecode: &bytecode,
        counts: &mut counts,
    };
    let outcome = harness::run(&mut counting, program.cell, target, input, output)?;
    Ok(CountedRun {
        bytecode,
        counts,
        outcome,
    })
}
