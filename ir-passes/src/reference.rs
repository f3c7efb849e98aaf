//! The reference interpreter: executes source bytes directly, one command at a
//! time. It is the oracle every pass and tier is tested against, and the
//! precise fallback that segment guards hand control to (see [`crate::guard`]).
//! Keep it simple enough to trust by reading.

use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::{RunError, Side};
use crate::io::Io;
use crate::source::Source;
use crate::span::Span;

/// The state a run acts on: the tape and the pointer (an index into it).
pub struct Machine<'t, C> {
    /// The tape cells.
    pub tape: &'t mut [C],
    /// Index of the current cell; always a valid index of `tape`.
    pub ptr: usize,
}

/// Runs the source bytes in `range` (which must hold balanced brackets) from
/// the machine's current state.
pub fn run_range<C: CellType>(
    source: &Source,
    range: Span,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> Result<(), RunError> {
    let text = source.text();
    let mut pc = range.start as usize;
    let end = range.end as usize;
    while pc < end {
        match text[pc] {
            b'+' => m.tape[m.ptr] = C::from_value(m.tape[m.ptr].value().wrapping_add(1)),
            b'-' => m.tape[m.ptr] = C::from_value(m.tape[m.ptr].value().wrapping_sub(1)),
            b'>' => {
                if m.ptr + 1 == m.tape.len() {
                    return Err(off_tape(pc, Side::Right));
                }
                m.ptr += 1;
            }
            b'<' => {
                if m.ptr == 0 {
                    return Err(off_tape(pc, Side::Left));
                }
                m.ptr -= 1;
            }
            b'.' => io.put(m.tape[m.ptr].value())?,
            b',' => m.tape[m.ptr] = C::from_value(io.input(m.tape[m.ptr].value())?),
            b'[' if m.tape[m.ptr] == C::default() => pc = source.partner(pc as u32) as usize,
            b']' if m.tape[m.ptr] != C::default() => {
                budget.tick()?;
                pc = source.partner(pc as u32) as usize;
            }
            _ => {}
        }
        pc += 1;
    }
    Ok(())
}

/// Runs a whole program from a fresh machine state.
pub fn run<C: CellType>(
    source: &Source,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> Result<(), RunError> {
    run_range(source, source.full_span(), m, io, budget)
}

fn off_tape(pc: usize, side: Side) -> RunError {
    RunError::OffTape {
        pos: pc as u32,
        side,
    }
}
