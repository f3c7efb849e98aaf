//! The fast path's out-of-line work, shared by its handlers
//! (`threaded.rs`): a guard's exact fallback on the reference interpreter,
//! scans past their inline steps (the byte search, and the exact run near a
//! tape end), and input.

use super::op::Code;
use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;
use crate::reference::{run_range, Machine};
use crate::source::Source;
use crate::span::Span;

/// Runs a scan from `p`: returns where it stopped, and the error if a step
/// would leave the tape (then the scan's source, run on the reference
/// interpreter, names the exact move and the pointer is the reference's).
#[inline(never)]
pub(super) fn scan_loop<C: CellType>(
    tape: &mut [C],
    mut p: usize,
    (stride, lo, hi): (i32, i32, i32),
    span: Span,
    source: &Source,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> (usize, Result<(), RunError>) {
    let len = tape.len() as isize;
    // The pointers from which one step's source stays on the tape.
    let min = (-(lo as isize)).max(0);
    let max = len - 1 - hi.max(0) as isize;
    let s = stride as isize;
    // Four steps behind one compare while they all start in `min ..= max`
    // (the pointer moves one way, so only the far end needs checking once
    // the near one holds), then single checked steps.
    let (near_ok, far) = if s > 0 {
        (p as isize >= min, max - 3 * s)
    } else {
        (p as isize <= max, min - 3 * s)
    };
    let zero = |tape: &[C], q: isize| {
        // SAFETY: every `q` passed is a pointer the scan has reached, each
        // reached from one in `min ..= max` (`lo <= stride <= hi`, checked
        // by the lowering), or the start, which is on the tape.
        *unsafe { tape.get_unchecked(q as usize) } == C::default()
    };
    let mut q = p as isize;
    if s.abs() == 1 && std::mem::size_of::<C>() == 1 && min <= q && q <= max {
        // SAFETY: `C` is one byte wide (an integer type, so `u8`); the
        // slice is the same memory, borrowed for this call only.
        let bytes = unsafe { std::slice::from_raw_parts(tape.as_ptr() as *const u8, tape.len()) };
        // Every cell in `min ..= max` may be stepped from; the one past it
        // is on the tape too (the step's own window includes the stride).
        let found = if s > 0 {
            find_zero(&bytes[q as usize..=max as usize]).map(|i| q + i as isize)
        } else {
            rfind_zero(&bytes[min as usize..=q as usize]).map(|i| min + i as isize)
        };
        match found {
            Some(z) => return (z as usize, Ok(())),
            // No zero inside the window: the checked steps below reach its
            // end and find out what happens there.
            None => q = if s > 0 { max } else { min },
        }
    } else if near_ok {
        while if s > 0 { q <= far } else { q >= far } {
            // `q`, `q+s`, `q+2s`, `q+3s` all lie in `min ..= max`.
            if zero(tape, q) {
                return (q as usize, Ok(()));
            }
            if zero(tape, q + s) {
                return ((q + s) as usize, Ok(()));
            }
            if zero(tape, q + 2 * s) {
                return ((q + 2 * s) as usize, Ok(()));
            }
            if zero(tape, q + 3 * s) {
                return ((q + 3 * s) as usize, Ok(()));
            }
            q += 4 * s;
        }
    }
    p = q as usize;
    while !zero(tape, p as isize) {
        if (p as isize) < min || p as isize > max {
            // Let the source say exactly which move leaves the tape.
            let mut fm = Machine { tape, ptr: p };
            let r = run_range(source, span, &mut fm, io, budget);
            return (fm.ptr, r);
        }
        p = p.wrapping_add_signed(s);
    }
    (p, Ok(()))
}

/// A failed guard: runs the gap's source on the reference interpreter and
/// returns the pointer it left (on error too, so the pointer reported is the
/// reference's), how it ended, and the op to resume at.
#[cold]
#[inline(never)]
pub(super) fn fallback<C: CellType>(
    code: &Code,
    gap: u32,
    source: &Source,
    tape: &mut [C],
    p: usize,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> (usize, Result<(), RunError>, usize) {
    let gap = code.gaps[gap as usize];
    let mut m = Machine { tape, ptr: p };
    let r = run_range(source, gap.span, &mut m, io, budget);
    (m.ptr, r, gap.resume as usize)
}

/// Reads one input byte (or applies the EOF rule to `old`), out of line.
#[inline(never)]
pub(super) fn input(io: &mut Io<'_>, old: crate::ir::Value) -> Result<crate::ir::Value, RunError> {
    io.input(old)
}

/// Index of the first zero byte, eight bytes a compare.
fn find_zero(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let z = zero_bytes(x);
        if z != 0 {
            return Some(at + z.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == 0)
        .map(|i| at + i)
}

/// Index of the last zero byte, eight bytes a compare.
fn rfind_zero(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.rchunks_exact(8);
    let mut end = bytes.len();
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let z = zero_bytes(x);
        end -= 8;
        if z != 0 {
            return Some(end + 7 - z.leading_zeros() as usize / 8);
        }
    }
    chunks.remainder().iter().rposition(|&b| b == 0)
}

/// The high bit of each zero byte of `x` set, and (exactly: no false
/// positives, unlike the cheaper form whose borrow can mark a 0x01 above a
/// zero) nothing else.
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_searches_find_the_first_and_last_zero_byte() {
        for len in 0..40 {
            for a in 0..=len {
                for b in a..=len {
                    // Zeros at `a` and `b` (when inside), 1s and 0x80s elsewhere.
                    let bytes: Vec<u8> = (0..len)
                        .map(|i| {
                            if i == a || i == b {
                                0
                            } else {
                                [1, 0x80, 0xff][i % 3]
                            }
                        })
                        .collect();
                    let first = bytes.iter().position(|&x| x == 0);
                    let last = bytes.iter().rposition(|&x| x == 0);
                    assert_eq!(find_zero(&bytes), first, "{bytes:?}");
                    assert_eq!(rfind_zero(&bytes), last, "{bytes:?}");
                }
            }
        }
    }
}
