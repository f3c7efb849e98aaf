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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::EofMode;
    use crate::parse::parse;

    /// Runs `text` on a tape of `cells` cells; returns output, pointer and result.
    fn run_text<C: CellType>(
        text: &[u8],
        input: &[u8],
        cells: usize,
        eof: EofMode,
    ) -> (Vec<u8>, usize, Result<(), RunError>) {
        let p = parse("t", text, C::WIDTH).unwrap();
        let mut tape = vec![C::default(); cells];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let (mut inp, mut out) = (input, Vec::new());
        let mut io = Io::new(&mut inp, &mut out, eof, C::WIDTH);
        let r = run(&p.source, &mut m, &mut io, &mut Budget::new(1 << 24, None));
        io.flush().unwrap();
        let ptr = m.ptr;
        drop(io);
        (out, ptr, r)
    }

    #[test]
    fn cells_wrap_at_their_width() {
        assert_eq!(run_text::<u8>(b"-.", b"", 4, EofMode::Unchanged).0, [255]);
        // 256 increments wrap an 8-bit cell to 0 but not a 16-bit one.
        let text = [b"+".repeat(256), b"[>+<[-]]>.".to_vec()].concat();
        assert_eq!(run_text::<u8>(&text, b"", 4, EofMode::Unchanged).0, [0]);
        assert_eq!(run_text::<u16>(&text, b"", 4, EofMode::Unchanged).0, [1]);
    }

    #[test]
    fn moving_off_either_end_names_the_command() {
        let (out, _, r) = run_text::<u8>(b"+.\n<", b"", 4, EofMode::Unchanged);
        assert_eq!(out, [1], "output before the error is kept");
        assert_eq!(
            r,
            Err(RunError::OffTape {
                pos: 3,
                side: Side::Left
            })
        );
        let (_, _, r) = run_text::<u8>(b">>>x>", b"", 4, EofMode::Unchanged);
        assert_eq!(
            r,
            Err(RunError::OffTape {
                pos: 4,
                side: Side::Right
            })
        );
    }

    #[test]
    fn end_of_input_follows_the_convention() {
        let text = b"+++,.";
        assert_eq!(run_text::<u8>(text, b"", 2, EofMode::Unchanged).0, [3]);
        assert_eq!(run_text::<u8>(text, b"", 2, EofMode::Zero).0, [0]);
        assert_eq!(run_text::<u8>(text, b"", 2, EofMode::Max).0, [255]);
        assert_eq!(run_text::<u8>(text, b"A", 2, EofMode::Max).0, b"A");
    }

    #[test]
    fn endless_loops_stop_at_the_step_limit() {
        let r = run_text::<u8>(b"+[]", b"", 2, EofMode::Unchanged).2;
        assert_eq!(r, Err(RunError::StepLimit));
    }
}
