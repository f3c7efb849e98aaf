//! Threaded dispatch over [`Code`] for plain runs (no hooks).
//!
//! Each op of the run's copy of the code carries a pointer to its handler,
//! and every handler ends by calling the next op's handler in tail position
//! with the machine state in argument registers: the op pointer `ip`, the
//! cell pointer `cp`, the tape's start `t` and the run's context `x`. In
//! optimized builds LLVM turns these calls into jumps (sibling calls: same
//! signature, no stack arguments, nothing of the caller's frame passed on),
//! so an op costs its own work, the load of the next handler and one
//! indirect jump, predicted per op rather than through the one shared jump of
//! a `match` loop (`dispatch.rs`), and `cp` never goes through memory.
//!
//! Nothing here depends on that optimization for correctness, and the stack
//! stays bounded without it in debug builds: there `next!` returns the next
//! op to the trampoline in [`exec`] instead of calling it. Every path that
//! calls something out of line (a guard's fallback, input, a flush, a long
//! scan, the budget's check) returns to the trampoline too, so no frame
//! ever waits on a callee in the chain. Release builds rely on the sibling
//! calls (`tests/interp.rs` runs long programs in release, and the corpus
//! tests do; a missing one would show as a stack overflow there, which
//! aborts the process: never undefined behaviour).
//!
//! Soundness of the unchecked tape accesses is the argument at the top of
//! `dispatch.rs`, unchanged: the ops are the same, only their encoding
//! differs (the `…Then` pairs are split back into single ops, since each
//! op now has its own dispatch). Window checks are done on byte distances
//! from the tape's start, resolved against this run's tape length.

use super::dispatch::{fallback, input, scan_loop};
use super::op::{Code, Op};
use crate::budget::Budget;
use crate::cell::CellType;
use crate::error::RunError;
use crate::io::Io;
use crate::reference::Machine;
use crate::source::Source;
use std::ptr;

/// What a handler hands back to the trampoline: the op to run next (null:
/// the run is over, `Ctx::result` says how) and the cell pointer.
pub(super) struct Next<C> {
    ip: *const TOp<C>,
    cp: *mut C,
}

/// A handler: runs the op at `ip` with the pointer at `cp` on the tape that
/// starts at `t`.
type Handler<C> = unsafe fn(*const TOp<C>, *mut C, *mut C, &mut Ctx<'_, '_, C>) -> Next<C>;

/// One op of the threaded code: its handler and up to four fields (their
/// meaning is the handler's; see `thread`).
#[repr(C)]
pub(super) struct TOp<C> {
    h: Handler<C>,
    a: i32,
    b: i32,
    c: i32,
    e: i32,
}

/// A run's state outside the registers, for the out-of-line paths.
pub(super) struct Ctx<'r, 'io, C> {
    code: &'r Code,
    source: &'r Source,
    io: &'r mut Io<'io>,
    budget: &'r mut Budget,
    /// The threaded ops (for op indices).
    ops: *const TOp<C>,
    /// Tape length in cells.
    len: usize,
    /// Back edges until the next budget check.
    fuel: u32,
    /// How the run ended (read when a handler returns a null `ip`).
    result: Result<(), RunError>,
}

/// Runs `code` from `m`'s state. `m.ptr` must be on the tape.
pub fn exec<C: CellType>(
    code: &Code,
    source: &Source,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
) -> Result<(), RunError> {
    let len = m.tape.len();
    assert!(m.ptr < len, "the pointer starts on the tape");
    let ops = thread::<C>(&code.ops, len);
    let t = m.tape.as_mut_ptr();
    let mut x = Ctx {
        code,
        source,
        io,
        budget,
        ops: ops.as_ptr(),
        len,
        fuel: Budget::interval(),
        result: Ok(()),
    };
    let mut ip = ops.as_ptr();
    // SAFETY: `m.ptr < len` (asserted).
    let mut cp = unsafe { t.add(m.ptr) };
    loop {
        // SAFETY: `ip` points at an op of `ops` (the handlers' contract:
        // every pointer they return or pass on is an op or null), and `cp`
        // is on the tape at every op boundary (the module documentation of
        // `dispatch.rs`).
        let n = unsafe { ((*ip).h)(ip, cp, t, &mut x) };
        cp = n.cp;
        if n.ip.is_null() {
            break;
        }
        ip = n.ip;
    }
    // SAFETY: `cp` points into the tape that starts at `t`.
    m.ptr = unsafe { cp.offset_from(t) } as usize;
    x.result
}

/// The threaded copy of `ops` for a tape of `len` cells.
fn thread<C: CellType>(ops: &[Op], len: usize) -> Vec<TOp<C>> {
    let s = std::mem::size_of::<C>();
    // A window `p-nlo ..= p-nlo+w` fits iff `(cp - t) - nlo*s < (len-w)*s`
    // in bytes; a product that does not fit 32 bits makes the check fail
    // always (an exact fallback, never a wrong pass).
    let window = |nlo: u32, w: u32| -> (i32, i32) {
        let n = nlo as u64 * s as u64;
        let lim = (len as u64).saturating_sub(w as u64) * s as u64;
        if n > u32::MAX as u64 {
            (0, 0)
        } else {
            (n as u32 as i32, lim.min(u32::MAX as u64) as u32 as i32)
        }
    };
    let len_bytes = (len as u64 * s as u64).min(u32::MAX as u64) as u32 as i32;
    ops.iter()
        .enumerate()
        .map(|(k, &op)| {
            let rel = |target: u32| (target as i64 - k as i64) as i32;
            let (h, a, b, c, e): (Handler<C>, i32, i32, i32, i32) = match op {
                Op::Add { off, v } | Op::AddThen { off, v } => (add, off, v as i32, 0, 0),
                Op::Set { off, v } | Op::SetThen { off, v } => (set, off, v as i32, 0, 0),
                Op::MulAdd { src, dst, f } | Op::MulAddThen { src, dst, f } => {
                    (mul_add, src, dst, f as i32, 0)
                }
                Op::Transfer { src, dst, f } | Op::TransferThen { src, dst, f } => {
                    (transfer, src, dst, f as i32, 0)
                }
                Op::AddMove { off, v, d } => (add_move, off, v as i32, d, 0),
                Op::Move { d } => (mov, d, 0, 0, 0),
                Op::Out { off } => (out, off, 0, 0, 0),
                Op::In { off } => (inp, off, 0, 0, 0),
                Op::Guard { nlo, w, gap } | Op::GuardThen { nlo, w, gap } => {
                    let (n, l) = window(nlo, w);
                    (guard, n, l, gap as i32, 0)
                }
                Op::GuardMove { d, gap } => (guard_move, d, len_bytes, gap as i32, 0),
                Op::Jz { target } => (jz, rel(target), 0, 0, 0),
                Op::MoveJz { d, target } => (move_jz, d, rel(target), 0, 0),
                Op::GuardMoveJz { d, target, gap } => {
                    (guard_move_jz, d, len_bytes, gap as i32, rel(target))
                }
                Op::Walk { target } => match ops[k + 2] {
                    Op::Transfer { .. } | Op::TransferThen { .. } => {
                        (walk::<C, true>, rel(target), 0, 0, 0)
                    }
                    _ => (walk::<C, false>, rel(target), 0, 0, 0),
                },
                Op::Jnz { target } => (jnz::<C, false>, rel(target), 0, 0, 0),
                Op::JnzG { target } => (jnz::<C, true>, rel(target), 0, 0, 0),
                Op::MoveJnz { d, target } => (move_jnz::<C, false>, d, rel(target), 0, 0),
                Op::MoveJnzG { d, target } => (move_jnz::<C, true>, d, rel(target), 0, 0),
                Op::GuardMoveJnz { d, target, gap } => (
                    guard_move_jnz::<C, false>,
                    d,
                    len_bytes,
                    gap as i32,
                    rel(target),
                ),
                Op::GuardMoveJnzG { d, target, gap } => (
                    guard_move_jnz::<C, true>,
                    d,
                    len_bytes,
                    gap as i32,
                    rel(target),
                ),
                Op::Scan { stride, nlo, w } => {
                    let (n, l) = window(nlo, w);
                    (scan, stride, n, l, 0)
                }
                Op::Goto { target } => (goto, rel(target), 0, 0, 0),
                Op::Halt => (halt, 0, 0, 0, 0),
            };
            TOp { h, a, b, c, e }
        })
        .collect()
}

/// Passes control to the op at `$ip` with the pointer at `$cp`: a tail call
/// (a jump, in optimized builds), or in debug builds a return to the
/// trampoline, which keeps the stack flat without the optimization.
macro_rules! next {
    ($ip:expr, $cp:expr, $t:expr, $x:expr) => {{
        let ip: *const TOp<C> = $ip;
        let cp: *mut C = $cp;
        if cfg!(debug_assertions) {
            return Next { ip, cp };
        }
        // SAFETY: `ip` is an op of this run's code (the lowering ends the
        // reachable ops with `Halt` and stubs with `Goto`, and every jump
        // target is an op), and `cp` is on the tape at an op boundary.
        return unsafe { ((*ip).h)(ip, cp, $t, $x) };
    }};
}

/// The cell at `$off` from `$cp`.
///
/// SAFETY (every use): `cp + off` lies in the window the segment's guard
/// checked, by the lowering's verification (see `dispatch.rs`).
macro_rules! cell {
    ($cp:expr, $off:expr) => {
        *$cp.offset($off as isize)
    };
}

/// Whether the window `nlo_bytes`, `lim_bytes` (as `thread` resolves them)
/// around `cp` lies on the tape starting at `t`.
#[inline(always)]
fn fits<C>(cp: *mut C, t: *mut C, nlo_bytes: i32, lim_bytes: i32) -> bool {
    (cp as usize)
        .wrapping_sub(t as usize)
        .wrapping_sub(nlo_bytes as u32 as usize)
        < lim_bytes as u32 as usize
}

/// Whether `q` is on the tape starting at `t`, `len_bytes` long.
#[inline(always)]
fn on_tape<C>(q: *mut C, t: *mut C, len_bytes: i32) -> bool {
    (q as usize).wrapping_sub(t as usize) < len_bytes as u32 as usize
}

/// The stop signal: the run is over, `x.result` says how.
#[inline(always)]
fn stop<C>(cp: *mut C) -> Next<C> {
    Next {
        ip: ptr::null(),
        cp,
    }
}

/// `p[a] += b`.
unsafe fn add<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    let c = &mut cell!(cp, o.a);
    *c = C::from_value(c.value().wrapping_add(o.b as u32));
    next!(ip.add(1), cp, t, x)
}

/// `p[a] = b`.
unsafe fn set<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    cell!(cp, o.a) = C::from_value(o.b as u32);
    next!(ip.add(1), cp, t, x)
}

/// `p[b] += p[a] * c`.
unsafe fn mul_add<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let v = cell!(cp, o.a).value().wrapping_mul(o.c as u32);
    let d = &mut cell!(cp, o.b);
    *d = C::from_value(d.value().wrapping_add(v));
    next!(ip.add(1), cp, t, x)
}

/// `p[b] += p[a] * c; p[a] = 0`.
unsafe fn transfer<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let v = cell!(cp, o.a).value().wrapping_mul(o.c as u32);
    let d = &mut cell!(cp, o.b);
    *d = C::from_value(d.value().wrapping_add(v));
    cell!(cp, o.a) = C::default();
    next!(ip.add(1), cp, t, x)
}

/// `p[a] += b; p += c`.
unsafe fn add_move<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let c = &mut cell!(cp, o.a);
    *c = C::from_value(c.value().wrapping_add(o.b as u32));
    next!(ip.add(1), cp.offset(o.c as isize), t, x)
}

/// `p += a`.
unsafe fn mov<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    next!(ip.add(1), cp.offset(o.a as isize), t, x)
}

/// Output `p[a]`.
unsafe fn out<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    let v = cell!(cp, o.a).value();
    if x.io.try_put(v) {
        next!(ip.add(1), cp, t, x)
    }
    out_flush(ip, cp, v, x)
}

/// Output's slow path: a byte that needs a flush.
#[cold]
#[inline(never)]
fn out_flush<C: CellType>(ip: *const TOp<C>, cp: *mut C, v: u32, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    match x.io.put_and_flush(v) {
        // `ip` is not `Halt`, so the op after it exists.
        Ok(()) => Next {
            ip: ip.wrapping_add(1),
            cp,
        },
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// Input into `p[a]` (out of line).
#[inline(never)]
unsafe fn inp<C: CellType>(ip: *const TOp<C>, cp: *mut C, _: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    let c = &mut cell!(cp, o.a);
    match input(x.io, c.value()) {
        Ok(v) => {
            *c = C::from_value(v);
            Next { ip: ip.add(1), cp }
        }
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// A failed guard of gap `gap` at `cp`: runs its source on the reference
/// interpreter and continues at its resume op.
#[cold]
#[inline(never)]
fn gap_fallback<C: CellType>(gap: i32, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    // SAFETY: `cp` is on the tape starting at `t` (at an op boundary), and
    // the slice is the whole tape, borrowed for this call only while no
    // other reference to it is live (the handlers use raw pointers).
    let tape = unsafe { std::slice::from_raw_parts_mut(t, x.len) };
    let p = unsafe { cp.offset_from(t) } as usize;
    let (q, r, resume) = fallback(x.code, gap as u32, x.source, tape, p, x.io, x.budget);
    // SAFETY: the reference interpreter leaves the pointer on the tape.
    let cp = unsafe { t.add(q) };
    match r {
        // SAFETY: `resume` is an op index (the lowering's fallbacks).
        Ok(()) => Next {
            ip: unsafe { x.ops.add(resume) },
            cp,
        },
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// A segment's guard: the window `a`, `b` around `p` is on the tape, else
/// gap `c`'s fallback.
unsafe fn guard<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    if fits(cp, t, o.a, o.b) {
        next!(ip.add(1), cp, t, x)
    }
    gap_fallback(o.c, cp, t, x)
}

/// `p += a` if that stays on the tape (`b` bytes long), else gap `c`.
unsafe fn guard_move<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.wrapping_offset(o.a as isize);
    if on_tape(q, t, o.b) {
        next!(ip.add(1), q, t, x)
    }
    gap_fallback(o.c, cp, t, x)
}

/// The jump of a loop or `if` entry: to `ip + rel` if `p[0] == 0`.
#[inline(always)]
unsafe fn enter<C: CellType>(
    ip: *const TOp<C>,
    rel: i32,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    if *cp == C::default() {
        next!(ip.offset(rel as isize), cp, t, x)
    }
    next!(ip.add(1), cp, t, x)
}

/// Jump to `a` if `p[0] == 0`.
unsafe fn jz<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    enter(ip, (*ip).a, cp, t, x)
}

/// `p += a`, then jump to `b` if `p[0] == 0`.
unsafe fn move_jz<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    enter(ip, o.b, cp.offset(o.a as isize), t, x)
}

/// `GuardMove` (`a`, `b`, `c`), then jump to `e` if `p[0] == 0`.
unsafe fn guard_move_jz<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.wrapping_offset(o.a as isize);
    if on_tape(q, t, o.b) {
        return enter(ip, o.e, q, t, x);
    }
    gap_fallback(o.c, cp, t, x)
}

/// The budget's check, every `Budget::interval()` back edges; continues at
/// `ip` (the back edge's target) if the budget allows.
#[cold]
#[inline(never)]
fn check<C: CellType>(ip: *const TOp<C>, cp: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    x.fuel = Budget::interval();
    match x.budget.check() {
        Ok(()) => Next { ip, cp },
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// A taken back edge to `target`; with `G`, the target is a guard, checked
/// here so that the jump lands past it when it passes.
#[inline(always)]
unsafe fn back_edge<C: CellType, const G: bool>(
    target: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    x.fuel -= 1;
    if x.fuel == 0 {
        return check(target, cp, x);
    }
    if G {
        let g = &*target;
        if fits(cp, t, g.a, g.b) {
            next!(target.add(1), cp, t, x)
        }
    }
    next!(target, cp, t, x)
}

/// A loop's test at its end: back to `ip + rel` if `p[0] != 0`.
#[inline(always)]
unsafe fn test<C: CellType, const G: bool>(
    ip: *const TOp<C>,
    rel: i32,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    if *cp != C::default() {
        return back_edge::<C, G>(ip.offset(rel as isize), cp, t, x);
    }
    next!(ip.add(1), cp, t, x)
}

/// Back edge to `a` if `p[0] != 0`.
unsafe fn jnz<C: CellType, const G: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    test::<C, G>(ip, (*ip).a, cp, t, x)
}

/// `p += a`, then back edge to `b` if `p[0] != 0`.
unsafe fn move_jnz<C: CellType, const G: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    test::<C, G>(ip, o.b, cp.offset(o.a as isize), t, x)
}

/// `GuardMove` (`a`, `b`, `c`), then back edge to `e` if `p[0] != 0`.
unsafe fn guard_move_jnz<C: CellType, const G: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.wrapping_offset(o.a as isize);
    if on_tape(q, t, o.b) {
        return test::<C, G>(ip, o.e, q, t, x);
    }
    gap_fallback(o.c, cp, t, x)
}

/// A walk (see [`Op::Walk`]): the loop `[guard, body, move-and-test]` that
/// follows, run here whole iterations at a time; `T`: the body is a
/// `Transfer`, else an `Add`. Leaves to the body's own ops when the guard
/// fails.
unsafe fn walk<C: CellType, const T: bool>(
    ip: *const TOp<C>,
    mut cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let exit = ip.offset((*ip).a as isize);
    if *cp == C::default() {
        next!(exit, cp, t, x)
    }
    // The loop's three ops follow the head (the lowering's walk shape).
    let (g, body, edge) = (&*ip.add(1), &*ip.add(2), &*ip.add(3));
    loop {
        if !fits(cp, t, g.a, g.b) {
            next!(ip.add(1), cp, t, x)
        }
        if T {
            let v = cell!(cp, body.a).value().wrapping_mul(body.c as u32);
            let d = &mut cell!(cp, body.b);
            *d = C::from_value(d.value().wrapping_add(v));
            cell!(cp, body.a) = C::default();
        } else {
            let c = &mut cell!(cp, body.a);
            *c = C::from_value(c.value().wrapping_add(body.b as u32));
        }
        cp = cp.offset(edge.a as isize);
        if *cp == C::default() {
            next!(exit, cp, t, x)
        }
        x.fuel -= 1;
        if x.fuel == 0 {
            // The back edge's target is the guard.
            return check(ip.add(1), cp, x);
        }
    }
}

/// `while p[0] != 0 { p += a }`, each step's window `b`, `c` checked.
unsafe fn scan<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    let o = &*ip;
    // The first step inline: most scans stop after zero or one steps.
    if *cp == C::default() {
        next!(ip.add(1), cp, t, x)
    }
    if fits(cp, t, o.b, o.c) {
        let q = cp.offset(o.a as isize);
        if *q == C::default() {
            next!(ip.add(1), q, t, x)
        }
        return long_scan(ip, q, t, x);
    }
    long_scan(ip, cp, t, x)
}

/// The rest of a scan, out of line.
#[inline(never)]
fn long_scan<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    // SAFETY: `ip` is an op of `x.ops`, `cp` on the tape at `t`; the tape
    // slice is borrowed for this call only (see `gap_fallback`).
    let (at, p, tape) = unsafe {
        (
            ip.offset_from(x.ops) as usize,
            cp.offset_from(t) as usize,
            std::slice::from_raw_parts_mut(t, x.len),
        )
    };
    let Op::Scan { stride, nlo, w } = x.code.ops[at] else {
        unreachable!("a scan's handler runs only scan ops")
    };
    let window = (stride, -(nlo as i32), w as i32 - nlo as i32);
    let (q, r) = scan_loop(tape, p, window, x.code.scans[at], x.source, x.io, x.budget);
    // SAFETY: scans stop on the tape.
    let cp = unsafe { t.add(q) };
    match r {
        Ok(()) => Next {
            ip: ip.wrapping_add(1),
            cp,
        },
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// Jump to `a`.
unsafe fn goto<C: CellType>(ip: *const TOp<C>, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    next!(ip.offset((*ip).a as isize), cp, t, x)
}

/// The end of the program.
unsafe fn halt<C: CellType>(_: *const TOp<C>, cp: *mut C, _: *mut C, _: &mut Ctx<'_, '_, C>) -> Next<C> {
    stop(cp)
}
