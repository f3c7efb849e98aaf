//! The checked interpreter over the logical bytecode: every tape access
//! bounds-checked, and, in counting mode, a counter per instruction. It runs
//! `--count-ops` and `inspect --profile` (the counts are of the logical
//! instructions, one per IR op plus guards and jumps, so they do not depend
//! on how the fast encoding fuses them), and any run the fast encoding
//! refuses (see `lower.rs`).

use crate::budget::Budget;
use crate::bytecode::{Bytecode, Instr};
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;
use crate::reference::{run_range, Machine};

/// Runs `bc` on a machine; with `PROFILE`, `counts[pc]` counts how often
/// each instruction ran (one slot per instruction).
pub fn exec<C: CellType, const PROFILE: bool>(
    bc: &Bytecode,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
    counts: &mut [u64],
) -> Result<(), RunError> {
    let instrs = &bc.instrs[..];
    let tape = &mut *m.tape;
    let mut ptr = m.ptr;
    let mut pc = 0usize;
    // Guards make every offset below land on the tape; indexing stays
    // checked anyway so a bug in a pass is a panic, never memory corruption.
    let at = |ptr: usize, off: i32| ptr.wrapping_add_signed(off as isize);
    let result = loop {
        let Some(&instr) = instrs.get(pc) else {
            break Ok(());
        };
        if PROFILE {
            counts[pc] += 1;
        }
        pc += 1;
        match instr {
            Instr::Add { off, delta } => {
                let c = &mut tape[at(ptr, off)];
                *c = C::from_value(c.value().wrapping_add(delta));
            }
            Instr::Set { off, value } => tape[at(ptr, off)] = C::from_value(value),
            Instr::MulAdd { src, dst, factor } => {
                let v = tape[at(ptr, src)].value().wrapping_mul(factor);
                let c = &mut tape[at(ptr, dst)];
                *c = C::from_value(c.value().wrapping_add(v));
            }
            Instr::Move { delta } => ptr = at(ptr, delta),
            Instr::Out { off } => {
                if let Err(e) = io.put(tape[at(ptr, off)].value()) {
                    break Err(e);
                }
            }
            Instr::In { off } => {
                let c = &mut tape[at(ptr, off)];
                match io.input(c.value()) {
                    Ok(v) => *c = C::from_value(v),
                    Err(e) => break Err(e),
                }
            }
            Instr::Guard { lo, hi, gap } => {
                let p = ptr as i64;
                if p + (lo as i64) < 0 || p + (hi as i64) >= tape.len() as i64 {
                    let gap = bc.gaps[gap as usize];
                    let mut fallback = Machine {
                        tape: &mut *tape,
                        ptr,
                    };
                    let r = run_range(bc.source(), gap.span, &mut fallback, io, budget);
                    // On error too, so the pointer reported is the reference's.
                    ptr = fallback.ptr;
                    if let Err(e) = r {
                        break Err(e);
                    }
                    pc = gap.resume as usize;
                }
            }
            Instr::JumpIfZero { target } => {
                if tape[ptr] == C::default() {
                    pc = target as usize;
                }
            }
            Instr::JumpIfNonZero { target } => {
                if tape[ptr] != C::default() {
                    if let Err(e) = budget.tick() {
                        break Err(e);
                    }
                    pc = target as usize;
                }
            }
            Instr::Scan { stride, lo, hi } => {
                let step = (stride, lo, hi);
                if let Err(e) = scan(bc, tape, &mut ptr, step, pc - 1, io, budget) {
                    break Err(e);
                }
            }
        }
    };
    m.ptr = ptr;
    result
}

fn scan<C: CellType>(
    bc: &Bytecode,
    tape: &mut [C],
    ptr: &mut usize,
    (stride, lo, hi): (i32, i32, i32),
    pc: usize,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> Result<(), RunError> {
    let len = tape.len() as i64;
    let mut p = *ptr as i64;
    while tape[p as usize] != C::default() {
        if p + (lo as i64) < 0 || p + (hi as i64) >= len {
            // Let the source say exactly which `>`/`<` leaves the tape.
            let mut m = Machine {
                tape,
                ptr: p as usize,
            };
            let r = run_range(bc.source(), bc.spans[pc], &mut m, io, budget);
            *ptr = m.ptr;
            return r;
        }
        p += stride as i64;
    }
    *ptr = p as usize;
    Ok(())
}
