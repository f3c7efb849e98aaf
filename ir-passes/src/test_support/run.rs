//! Runs of a program on the reference interpreter and on the bytecode tier,
//! with the same input, tape and budget, and everything they leave behind.

use crate::budget::Budget;
use crate::bytecode::Bytecode;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::{EofMode, Io};
use crate::ir::{CellWidth, Program};
use crate::parse::parse;
use crate::reference::{self, Machine};

/// Everything a run leaves behind that a pass must not change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// How the run ended.
    pub result: Result<(), RunError>,
    /// The bytes written.
    pub output: Vec<u8>,
    /// The pointer at the end (only meaningful when the run succeeded: on an
    /// error the engines need not agree on it).
    pub ptr: usize,
    /// The tape cells, widened.
    pub tape: Vec<u32>,
}

/// The conditions of a run.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Bytes available to `,`.
    pub input: Vec<u8>,
    /// What `,` does at end of input.
    pub eof: EofMode,
    /// Number of cells.
    pub tape_len: usize,
    /// Loop back edges allowed (rounded up to the budget's check interval).
    pub steps: u64,
}

impl Setup {
    /// A small tape, so programs often run off it.
    pub fn small(input: Vec<u8>, eof: EofMode) -> Setup {
        Setup {
            input,
            eof,
            tape_len: 64,
            steps: 1,
        }
    }
}

/// Parses a generated program (always well formed).
pub fn program(text: &str, cell: CellWidth) -> Program {
    parse("prop.b", text.as_bytes(), cell).expect("generated programs are well formed")
}

/// Runs the program's source on the reference interpreter.
pub fn reference(program: &Program, setup: &Setup) -> Run {
    run_on(Engine::Reference(program), program.cell, setup)
}

/// Runs a program on the bytecode tier.
pub fn bytecode(program: &Program, setup: &Setup) -> Run {
    let code = Bytecode::compile(program);
    run_on(Engine::Bytecode(&code), program.cell, setup)
}

/// Which engine a run uses.
#[derive(Clone, Copy)]
enum Engine<'a> {
    Reference(&'a Program),
    Bytecode(&'a Bytecode),
}

fn run_on(engine: Engine<'_>, cell: CellWidth, setup: &Setup) -> Run {
    match cell {
        CellWidth::U8 => run_cells::<u8>(engine, cell, setup),
        CellWidth::U16 => run_cells::<u16>(engine, cell, setup),
        CellWidth::U32 => run_cells::<u32>(engine, cell, setup),
    }
}

fn run_cells<C: CellType>(engine: Engine<'_>, cell: CellWidth, setup: &Setup) -> Run {
    let mut tape = vec![C::default(); setup.tape_len];
    let mut m = Machine {
        tape: &mut tape,
        ptr: 0,
    };
    let mut input = &setup.input[..];
    let mut output = Vec::new();
    let mut io = Io::new(&mut input, &mut output, setup.eof, cell);
    let mut budget = Budget::new(setup.steps, None);
    let mut result = match engine {
        Engine::Reference(p) => reference::run(&p.source, &mut m, &mut io, &mut budget),
        Engine::Bytecode(code) => code.run(&mut m, &mut io, &mut budget, None),
    };
    let ptr = m.ptr;
    if let Err(e) = io.flush() {
        result = result.and(Err(e));
    }
    drop(io);
    Run {
        result,
        output,
        ptr,
        tape: tape.iter().map(|c| c.value()).collect(),
    }
}

/// Runs `f` on a thread with a stack as big as the binary's: passes recurse
/// over loop nesting.
pub fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("spawn a big-stack thread")
        .join()
        .expect("the big-stack thread finished");
}
