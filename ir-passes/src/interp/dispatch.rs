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
use super::op::{Code, Op};
use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;
use crate::reference::{run_range, Machine};
use crate::source::Source;
use crate::span::Span;

/// Runs `code` from `m`'s state. `m.ptr` must be on the tape.
pub fn exec<C: CellType, H: LoopHooks<C>>(
    code: &Code,
    source: &Source,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
    hooks: &mut H,
) -> Result<(), RunError> {
    if !H::ENABLED {
        if let Some(r) = super::threaded::exec(code, source, m, io, budget) {
            return r;
        }
    }
    let tape = &mut *m.tape;
    let len = tape.len();
    let mut p = m.ptr;
    assert!(p < len, "the pointer starts on the tape");
    // This run's copy of the ops, with every window check resolved
    // against the tape length: the `w` of `Guard`, `GuardThen` and `Scan`
    // becomes `len - w` (0 if the window is wider than the tape, clipped to
    // `u32::MAX` on a tape that long: both only ever fail more checks,
    // which sends those segments to their exact fallback), so a check is
    // one subtraction and one compare (`fits!`).
    let resolved = resolve(&code.ops, len);
    let ops = &resolved[..];
    // With hooks, every back-edge op has a countdown in `heat`, an array
    // parallel to the ops with the same 16-byte stride, so a taken back
    // edge finds its own at a fixed distance from `ip` and pays one memory
    // decrement and a branch (`heat_of!`), in place of the budget tick.
    // When one runs out, `expired` (out of line) does the budget's
    // accounting and, once the loop's back edges reach the hook's count,
    // calls the hook; see `Countdowns`. A loop whose back edge also sits in
    // a guard's resume stub counts there separately (only after a
    // fallback).
    let mut counts = Countdowns::new(if H::ENABLED { ops.len() } else { 0 }, hooks.threshold());
    let heat: *mut [u32; 4] = counts.heat.as_mut_ptr();
    // `heat` less the ops' address: plus a pointer into the ops, it is the
    // same entry of `heat` (wrapping arithmetic: only the sum is used, and
    // it keeps `heat`'s provenance).
    let heat_shift = heat.cast::<u8>().wrapping_sub(ops.as_ptr() as usize);
    // The budget's tick without hooks, kept in a register: `Budget::check`
    // every `Budget::interval()` back edges, as the JIT's generated code
    // does.
    let mut fuel = Budget::interval();
    // The next op, as a pointer (no index scaling on the dispatch path);
    // `at!(i)` is op `i`, `index!()` the index of the next op.
    let base = ops.as_ptr();
    let mut ip = base;
    macro_rules! at {
        ($i:expr) => {
            // SAFETY: every index passed is an op index (see the fetch).
            unsafe { base.add($i as usize) }
        };
    }
    macro_rules! skip {
        () => {
            // SAFETY: only ever past an op that is not the last one (see
            // the fetch: `Halt` leaves, stubs end with `Goto`).
            ip = unsafe { ip.add(1) }
        };
    }
    macro_rules! index {
        () => {
            // SAFETY: `ip` points into `ops` (see the fetch).
            unsafe { ip.offset_from(base) as usize }
        };
    }
    // The countdown of the op before `$after` (a pointer into `ops`): the
    // same distance into `heat` (the caller vouches for `$after` before
    // using the pointer).
    macro_rules! heat_of {
        ($after:expr) => {
            heat_shift
                .wrapping_add(($after) as usize - std::mem::size_of::<Op>())
                .cast::<u32>()
        };
    }
    // SAFETY (every use): `p + off` is on the tape by the argument in the
    // module documentation; the callers name only offsets of the current
    // op, which `lower.rs` verified against the op's segment window.
    macro_rules! cell {
        ($off:expr) => {
            *unsafe { tape.get_unchecked_mut(p.wrapping_add_signed($off as isize)) }
        };
    }
    macro_rules! add {
        ($off:expr, $v:expr) => {{
            let c = &mut cell!($off);
            *c = C::from_value(c.value().wrapping_add($v));
        }};
    }
    // Whether `p-nlo ..= p-nlo+w` is on the tape, given `lim`, the
    // window's resolved `len - w` (see `resolve`).
    macro_rules! fits {
        ($nlo:expr, $lim:expr) => {
            p.wrapping_sub($nlo as usize) < $lim as usize
        };
    }
    macro_rules! fallback {
        ($gap:expr) => {{
            let (q, r, resume) = fallback(code, $gap, source, tape, p, io, budget);
            p = q;
            if let Err(e) = r {
                break Err(e);
            }
            ip = at!(resume);
        }};
    }
    // `p += d` if `p+d` is on the tape, else the segment's fallback; true
    // if the move was made (the fallback sets `ip` itself).
    macro_rules! guard_move {
        ($d:expr, $gap:expr) => {{
            let q = p.wrapping_add_signed($d as isize);
            if q < len {
                p = q;
                true
            } else {
                fallback!($gap);
                false
            }
        }};
    }
    // A taken jump. The empty `asm!` is a side effect the compiler may not
    // speculate, so `if cond { jump!(t) }` stays a predicted branch instead
    // of a conditional move on `ip`, which would put the cell load on the
    // path to the next fetch (measured: about 20% on mandelbrot).
    macro_rules! jump {
        ($target:expr) => {{
            // SAFETY: an empty instruction sequence: touches no register,
            // memory or flag.
            unsafe { std::arch::asm!("", options(nomem, nostack, preserves_flags)) };
            ip = at!($target);
        }};
    }
    // The budget's tick at a taken back edge; `$($stop)*` leaves the
    // dispatch loop (`break`, or `break 'run` from an inner loop: labels
    // are hygienic, so the caller names it).
    macro_rules! tick {
        ($($stop:tt)*) => {{
            fuel -= 1;
            if fuel == 0 {
                fuel = Budget::interval();
                if let Err(e) = budget.check() {
                    $($stop)* Err(e);
                }
            }
        }};
    }
    // A loop's back edge, taken (`p[0] != 0`); `$g`: its target is a guard
    // to check here.
    macro_rules! back_edge {
        ($target:expr, $g:expr) => {{
            let after = ip;
            if !H::ENABLED {
                tick!(break);
            }
            jump!($target);
            // The hook comes first: it must see the machine at the loop
            // test, before a guard's fallback runs part of the body.
            if H::ENABLED {
                let h = heat_of!(after);
                // SAFETY: `after` points into `ops` just past the op
                // fetched, so `h` is that op's countdown in `heat` (one
                // entry per op), valid for reads and writes.
                let left = unsafe { *h } - 1;
                // SAFETY: as above.
                unsafe { *h = left };
                if left == 0 {
                    // SAFETY: as above.
                    let edge = unsafe { after.offset_from(base) as usize } - 1;
                    match expired(
                        hooks,
                        &mut counts,
                        code.slots[edge],
                        edge,
                        tape,
                        p,
                        io,
                        budget,
                    ) {
                        None => {}
                        Some(Ok(q)) => {
                            p = q;
                            // Continue after the loop, where the back edge
                            // falls through to (`continue`: the dispatch
                            // loop, the only loop this macro is used in).
                            ip = after;
                            continue;
                        }
                        Some(Err(e)) => break Err(e),
                    }
                }
            }
            if $g {
                // SAFETY: `ip` points at an op (see the fetch below).
                if let Op::Guard { nlo, w, gap } | Op::GuardThen { nlo, w, gap } = *unsafe { &*ip }
                {
                    // A branch, not a select: the fallback call keeps the
                    // next fetch off the guard's data dependencies.
                    if fits!(nlo, w) {
                        skip!();
                    } else {
                        fallback!(gap);
                    }
                }
            }
        }};
    }
    // The move of a fused jump op: true if execution goes on to the test
    // (a failed guard ran its fallback, which set `ip`).
    macro_rules! step {
        () => {
            true
        };
        (move $d:expr) => {{
            p = p.wrapping_add_signed($d as isize);
            true
        }};
        (guard $d:expr, $gap:expr) => {
            guard_move!($d, $gap)
        };
    }
    // A back-edge op: its move (none, `p += d`, or a guarded move), then
    // the back edge if `p[0] != 0`; `$g` as for `back_edge!`.
    macro_rules! jnz {
        (($($mv:tt)*), $target:expr, $g:expr) => {{
            if step!($($mv)*) && cell!(0) != C::default() {
                back_edge!($target, $g);
            }
        }};
    }
    // A loop-entry op: its move, then the jump if `p[0] == 0`.
    macro_rules! jz {
        (($($mv:tt)*), $target:expr) => {{
            if step!($($mv)*) && cell!(0) == C::default() {
                jump!($target);
            }
        }};
    }
    // Runs the op after a `…Then` op and steps past it, if it is one that
    // the lowering lets a `…Then` absorb (it always is; anything else is
    // left to the next dispatch).
    macro_rules! then {
        () => {{
            // SAFETY: a `…Then` op is never last before `Halt`, so `ip`
            // points at an op; the op there is checked against the window
            // of the same segment, at the same pointer, as if dispatched.
            let next = unsafe { &*ip };
            match *next {
                Op::Add { off, v } => {
                    skip!();
                    add!(off, v);
                }
                Op::Set { off, v } => {
                    skip!();
                    cell!(off) = C::from_value(v);
                }
                Op::MulAdd { src, dst, f } => {
                    skip!();
                    let x = cell!(src).value().wrapping_mul(f);
                    add!(dst, x);
                }
                Op::Transfer { src, dst, f } => {
                    skip!();
                    let x = cell!(src).value().wrapping_mul(f);
                    add!(dst, x);
                    cell!(src) = C::default();
                }
                Op::MoveJnzG { d, target } => {
                    skip!();
                    p = p.wrapping_add_signed(d as isize);
                    if cell!(0) != C::default() {
                        back_edge!(target, true);
                    }
                }
                _ => {}
            }
        }};
    }
    let result = 'run: loop {
        // SAFETY: `ip` always points at an op: `lower.rs` ends the reachable
        // ops with `Halt` (which leaves the loop) and out-of-line stubs with
        // `Goto`, and every jump target and resume index it emits is an op
        // index, so neither falling through nor jumping can leave `ops`.
        //
        // Matched by reference: each arm loads only its own fields, so the
        // dispatch head keeps no fields live across the jump table.
        let op = unsafe { &*ip };
        skip!();
        match *op {
            Op::GuardThen { nlo, w, gap } => {
                if fits!(nlo, w) {
                    then!();
                } else {
                    fallback!(gap);
                }
            }
            Op::AddThen { off, v } => {
                add!(off, v);
                then!();
            }
            Op::SetThen { off, v } => {
                cell!(off) = C::from_value(v);
                then!();
            }
            Op::MulAddThen { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                add!(dst, x);
                then!();
            }
            Op::TransferThen { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                add!(dst, x);
                cell!(src) = C::default();
                then!();
            }
            Op::Add { off, v } => add!(off, v),
            Op::Set { off, v } => cell!(off) = C::from_value(v),
            Op::MulAdd { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                add!(dst, x);
            }
            Op::Transfer { src, dst, f } => {
                let x = cell!(src).value().wrapping_mul(f);
                add!(dst, x);
                cell!(src) = C::default();
            }
            Op::AddMove { off, v, d } => {
                add!(off, v);
                p = p.wrapping_add_signed(d as isize);
            }
            Op::Move { d } => p = p.wrapping_add_signed(d as isize),
            Op::Out { off } => {
                let v = cell!(off).value();
                if !io.try_put(v) {
                    if let Err(e) = io.put_and_flush(v) {
                        break Err(e);
                    }
                }
            }
            Op::In { off } => {
                let c = &mut cell!(off);
                match input(io, c.value()) {
                    Ok(v) => *c = C::from_value(v),
                    Err(e) => break Err(e),
                }
            }
            Op::Guard { nlo, w, gap } => {
                if !fits!(nlo, w) {
                    fallback!(gap);
                }
            }
            Op::GuardMove { d, gap } => {
                guard_move!(d, gap);
            }
            Op::Jz { target } => jz!((), target),
            Op::MoveJz { d, target } => jz!((move d), target),
            Op::GuardMoveJz { d, target, gap } => jz!((guard d, gap), target),
            Op::Walk { target } => {
                if cell!(0) == C::default() {
                    jump!(target);
                    continue;
                }
                // SAFETY: `lower.rs` made this a walk only with the body's
                // three ops right after it, so these are op indices.
                let body = unsafe { *ip.add(1) };
                let (guard, edge) = unsafe { (*ip, *ip.add(2)) };
                let (
                    Op::Guard { nlo, w, .. } | Op::GuardThen { nlo, w, .. },
                    Op::MoveJnzG { d, .. },
                ) = (guard, edge)
                else {
                    continue;
                };
                let edge = index!() + 2;

                // Each iteration: the guard, the op, the move, the test;
                // anything else (a failing guard, a hook due) leaves to the
                // body's ops at `ip`, which do it.
                loop {
                    if !fits!(nlo, w) {
                        break;
                    }
                    match body {
                        Op::Transfer { src, dst, f } => {
                            let x = cell!(src).value().wrapping_mul(f);
                            add!(dst, x);
                            cell!(src) = C::default();
                        }
                        Op::Add { off, v } => add!(off, v),
                        _ => break,
                    }
                    p = p.wrapping_add_signed(d as isize);
                    if cell!(0) == C::default() {
                        jump!(target);
                        break;
                    }
                    // The back edge, as `back_edge!` takes it.
                    if !H::ENABLED {
                        tick!(break 'run);
                    } else {
                        // SAFETY: `edge` is the body's back edge, an op
                        // index (above); `heat` has one entry per op.
                        let h = unsafe { &mut (*heat.add(edge))[0] };
                        *h -= 1;
                        if *h == 0 {
                            match expired(
                                hooks,
                                &mut counts,
                                code.slots[edge],
                                edge,
                                tape,
                                p,
                                io,
                                budget,
                            ) {
                                None => {}
                                Some(Ok(q)) => {
                                    p = q;
                                    jump!(target);
                                    break;
                                }
                                Some(Err(e)) => break 'run Err(e),
                            }
                        }
                    }
                }
            }
            Op::Jnz { target } => jnz!((), target, false),
            Op::MoveJnz { d, target } => jnz!((move d), target, false),
            Op::GuardMoveJnz { d, target, gap } => jnz!((guard d, gap), target, false),
            Op::JnzG { target } => jnz!((), target, true),
            Op::MoveJnzG { d, target } => jnz!((move d), target, true),
            Op::GuardMoveJnzG { d, target, gap } => jnz!((guard d, gap), target, true),
            Op::Scan { stride, nlo, w } => {
                // The first step inline (the scans of counters and of
                // most loops over records stop after zero or one steps),
                // the rest out of line.
                if cell!(0) != C::default() {
                    let go_on = if fits!(nlo, w) {
                        p = p.wrapping_add_signed(stride as isize);
                        cell!(0) != C::default()
                    } else {
                        true
                    };
                    if go_on {
                        let at = index!() - 1;
                        let span = code.scans[at];
                        // The window's width, from the unresolved op.
                        let Op::Scan { w, .. } = code.ops[at] else {
                            unreachable!("the same op in both copies")
                        };
                        let window = (stride, -(nlo as i32), w as i32 - nlo as i32);
                        let (q, r) = scan_loop(tape, p, window, span, source, io, budget);
                        p = q;
                        if let Err(e) = r {
                            break Err(e);
                        }
                    }
                }
            }
            Op::Goto { target } => ip = at!(target),
            Op::Halt => break Ok(()),
        }
    };
    m.ptr = p;
    result
}

/// The ops with their window widths resolved against a tape of `len`
/// cells (see `exec`).
fn resolve(ops: &[Op], len: usize) -> Vec<Op> {
    let lim = |w: u32| len.saturating_sub(w as usize).min(u32::MAX as usize) as u32;
    ops.iter()
        .map(|&op| match op {
            Op::Guard { nlo, w, gap } => Op::Guard {
                nlo,
                w: lim(w),
                gap,
            },
            Op::GuardThen { nlo, w, gap } => Op::GuardThen {
                nlo,
                w: lim(w),
                gap,
            },
            Op::Scan { stride, nlo, w } => Op::Scan {
                stride,
                nlo,
                w: lim(w),
            },
            other => other,
        })
        .collect()
}

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
/// reference's), how it ended, and the op to resume at. Out of line, like
/// the other cold paths, so the dispatch loop keeps its state in registers.
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

/// The hooked run's back-edge counts, per op (only back edges use theirs).
struct Countdowns {
    /// The hot countdowns, one per op at index 0 (the rest pads each entry
    /// to an op's 16 bytes, so the dispatch loop finds an op's countdown
    /// at a fixed distance from the op).
    heat: Vec<[u32; 4]>,
    /// What each countdown last started from.
    armed: Vec<u32>,
    /// Back edges left before the next hook call.
    due: Vec<u32>,
    /// Back edges since the last hook call (what the hook is told).
    counted: Vec<u32>,
    /// Back edges of all loops since the budget was last checked.
    since_check: u32,
}

impl Countdowns {
    /// Countdowns for `n` ops, the hook first due after `threshold` back
    /// edges of each loop.
    fn new(n: usize, threshold: u32) -> Countdowns {
        let due = threshold.max(1);
        let armed = due.min(Budget::interval());
        Countdowns {
            heat: vec![[armed, 0, 0, 0]; n],
            armed: vec![armed; n],
            due: vec![due; n],
            counted: vec![0; n],
            since_check: 0,
        }
    }
}

/// The countdown of back-edge op `edge` ran out: counts its back edges
/// toward the budget (checked every `Budget::interval()` of them, over all
/// loops) and toward the hook, calls the hook if they reach what it asked
/// for, and re-arms the countdown (never longer than the budget interval,
/// so the budget keeps being checked). `None`: keep interpreting;
/// `Some(Ok(p))`: the hook ran the loop to its exit, the pointer is there;
/// `Some(Err)`: the run ends.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn expired<C: CellType, H: LoopHooks<C>>(
    hooks: &mut H,
    counts: &mut Countdowns,
    slot: u32,
    edge: usize,
    tape: &mut [C],
    p: usize,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> Option<Result<usize, RunError>> {
    let ran = counts.armed[edge];
    counts.since_check += ran;
    if counts.since_check >= Budget::interval() {
        counts.since_check -= Budget::interval();
        if let Err(e) = budget.check() {
            return Some(Err(e));
        }
    }
    counts.due[edge] -= ran;
    counts.counted[edge] += ran;
    let mut out = None;
    if counts.due[edge] == 0 {
        let len = tape.len();
        let counted = std::mem::take(&mut counts.counted[edge]);
        counts.due[edge] = match hooks.at_head(slot, counted, tape, p, io, budget) {
            HeadAction::Interpret { recheck_after } => recheck_after.max(1),
            HeadAction::Ran(Ok(q)) => {
                assert!(q < len, "compiled code left the pointer on the tape");
                out = Some(Ok(q));
                1
            }
            HeadAction::Ran(Err(e)) => return Some(Err(e)),
        };
    }
    let next = counts.due[edge].min(Budget::interval());
    counts.armed[edge] = next;
    assert!(edge < counts.heat.len());
    // SAFETY: `edge` is in bounds (checked); written through the raw
    // pointer, not an index, so that the dispatch loop's pointer into the
    // same buffer (from `as_mut_ptr`) stays valid.
    unsafe { (*counts.heat.as_mut_ptr().add(edge))[0] = next };
    out
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
