//! The fast dispatch loop over [`Code`].
//!
//! One `match` in a `loop`: the compiler turns it into a jump table. No
//! counters, no bounds checks on the tape except the guards' own: tape cells
//! are read and written unchecked, which is sound because
//!
//! 1. the pointer is on the tape when the loop starts (the caller checks),
//! 2. every segment that moves the pointer or touches another cell begins
//!    with a guard (`Guard`, or `GuardMove` for a one-move segment) that
//!    checks its whole window, and `lower.rs` verified that every op of the
//!    segment stays inside that window, the pointer after its last move too;
//!    a segment without a guard touches only the cell under the pointer,
//! 3. a scan checks each step before taking it, the reference interpreter
//!    that runs a failed guard's source never leaves the tape, and a hook's
//!    pointer is checked,
//!
//! so the pointer is on the tape at every op that is not inside a guarded
//! segment, and every access inside one lies in its checked window.

use super::hooks::{HeadAction, LoopHooks};
use super::op::{Code, Op, ScanInfo};
use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;
use crate::reference::{run_range, Machine};
use crate::source::Source;

/// Runs `code` from `m`'s state. `m.ptr` must be on the tape.
pub fn exec<C: CellType, H: LoopHooks<C>>(
    code: &Code,
    source: &Source,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
    hooks: &mut H,
) -> Result<(), RunError> {
    let tape = &mut *m.tape;
    let len = tape.len();
    let mut p = m.ptr;
    assert!(p < len, "the pointer starts on the tape");
    let ops = &code.ops[..];
    let mut heat = if H::ENABLED {
        vec![hooks.threshold().max(1); code.loops as usize]
    } else {
        Vec::new()
    };
    let mut pc = 0usize;
    // SAFETY (both macros): `p + off` is on the tape by the argument in the
    // module documentation; the caller names only offsets of the current op,
    // which `lower.rs` verified against the op's segment window.
    macro_rules! cell {
        ($off:expr) => {
            *unsafe { tape.get_unchecked_mut(p.wrapping_add_signed($off as isize)) }
        };
    }
    macro_rules! fallback {
        ($gap:expr) => {{
            let gap = code.gaps[$gap as usize];
            let mut fm = Machine {
                tape: &mut *tape,
                ptr: p,
            };
            let r = run_range(source, gap.span, &mut fm, io, budget);
            // On error too, so the pointer reported is the reference's.
            p = fm.ptr;
            if let Err(e) = r {
                break Err(e);
            }
            pc = gap.resume as usize;
        }};
    }
    // The back edge of loop `slot`, taken: count, and maybe leave.
    macro_rules! back_edge {
        ($target:expr, $slot:expr) => {{
            if let Err(e) = budget.tick() {
                break Err(e);
            }
            let after = pc;
            pc = $target as usize;
            if H::ENABLED {
                let slot = $slot as usize;
                heat[slot] -= 1;
                if heat[slot] == 0 {
                    let spent = hooks.threshold();
                    match hooks.at_head($slot, spent, &mut *tape, p, io, budget) {
                        HeadAction::Interpret { recheck_after } => {
                            heat[slot] = recheck_after.max(1);
                        }
                        HeadAction::Ran(Ok(q)) => {
                            assert!(q < len, "compiled code left the pointer on the tape");
                            p = q;
                            heat[slot] = 1;
                            // Continue after the loop, where the back edge
                            // falls through to.
                            pc = after;
                        }
                        HeadAction::Ran(Err(e)) => break Err(e),
                    }
                }
            }
        }};
    }
    let result = loop {
        // SAFETY: `pc` is always an op index: `lower.rs` ends the reachable
        // ops with `Halt` (which leaves the loop) and out-of-line stubs with
        // `Goto`, and every jump target and resume index it emits is an op
        // index, so neither falling through nor jumping can leave `ops`.
        let op = *unsafe { ops.get_unchecked(pc) };
        pc += 1;
        match op {
            Op::Add { off, v } => {
                let c = &mut cell!(off);
                *c = C::from_value(c.value().wrapping_add(v));
            }
            Op::Set { off, v } => cell!(off) = C::from_value(v),
            Op::MulAdd { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                let c = &mut cell!(dst);
                *c = C::from_value(c.value().wrapping_add(x));
            }
            Op::Transfer { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                let c = &mut cell!(dst);
                *c = C::from_value(c.value().wrapping_add(x));
                cell!(src) = C::default();
            }
            Op::AddMove { off, v, d } => {
                let c = &mut cell!(off);
                *c = C::from_value(c.value().wrapping_add(v));
                p = p.wrapping_add_signed(d as isize);
            }
            Op::Move { d } => p = p.wrapping_add_signed(d as isize),
            Op::Out { off } => {
                if let Err(e) = io.put(cell!(off).value()) {
                    break Err(e);
                }
            }
            Op::In { off } => {
                let c = &mut cell!(off);
                match io.input(c.value()) {
                    Ok(v) => *c = C::from_value(v),
                    Err(e) => break Err(e),
                }
            }
            Op::Guard { nlo, w, gap } => {
                let first = p.wrapping_sub(nlo as usize);
                if first >= len.saturating_sub(w as usize) {
                    fallback!(gap);
                }
            }
            Op::GuardMove { d, gap } => {
                let q = p.wrapping_add_signed(d as isize);
                if q < len {
                    p = q;
                } else {
                    fallback!(gap);
                }
            }
            Op::Jz { target } => {
                if cell!(0) == C::default() {
                    pc = target as usize;
                }
            }
            Op::MoveJz { d, target } => {
                p = p.wrapping_add_signed(d as isize);
                if cell!(0) == C::default() {
                    pc = target as usize;
                }
            }
            Op::Jnz { target, slot } => {
                if cell!(0) != C::default() {
                    back_edge!(target, slot);
                }
            }
            Op::MoveJnz { d, target, slot } => {
                p = p.wrapping_add_signed(d as isize);
                if cell!(0) != C::default() {
                    back_edge!(target, slot);
                }
            }
            Op::Scan { scan } => {
                let (q, r) = scan_loop(tape, p, &code.scans[scan as usize], source, io, budget);
                p = q;
                if let Err(e) = r {
                    break Err(e);
                }
            }
            Op::Goto { target } => pc = target as usize,
            Op::Halt => break Ok(()),
        }
    };
    m.ptr = p;
    result
}

/// Runs a scan from `p`: returns where it stopped, and the error if a step
/// would leave the tape (then the scan's source, run on the reference
/// interpreter, names the exact move and the pointer is the reference's).
#[inline(always)]
fn scan_loop<C: CellType>(
    tape: &mut [C],
    mut p: usize,
    s: &ScanInfo,
    source: &Source,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> (usize, Result<(), RunError>) {
    let len = tape.len();
    // The pointers from which one step's source stays on the tape.
    let min = (-(s.lo as isize)).max(0) as usize;
    let max = len as isize - 1 - s.hi.max(0) as isize;
    // SAFETY: `p` is on the tape on entry (module documentation), and each
    // step is taken only from a pointer in `min ..= max`, from which
    // `p + stride` is on the tape (`lo <= stride <= hi`, checked by the
    // lowering).
    while *unsafe { tape.get_unchecked(p) } != C::default() {
        if p < min || p as isize > max {
            let mut fm = Machine { tape, ptr: p };
            let r = run_range(source, s.span, &mut fm, io, budget);
            return (fm.ptr, r);
        }
        p = p.wrapping_add_signed(s.stride as isize);
    }
    (p, Ok(()))
}
