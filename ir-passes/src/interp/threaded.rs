//! Threaded dispatch over [`Code`]: the interpreter's fast path, for plain
//! and hooked (tiered) runs alike.
//!
//! Each op of the run's copy of the code carries a pointer to its handler,
//! and every handler ends by calling the next op's handler in tail position
//! with the machine state in argument registers: the op pointer `ip`, the
//! cell pointer `cp`, the tape's start `t` and the run's context `x`. In
//! optimized builds LLVM turns these calls into jumps (sibling calls: same
//! signature, no stack arguments, nothing of the caller's frame passed on),
//! so an op costs its own work, the load of the next handler and one
//! indirect jump, predicted per op rather than through the one shared jump of
//! a `match` loop, and `cp` never goes through memory.
//!
//! Nothing here depends on that optimization for correctness, and the stack
//! stays bounded without it in debug builds: there `next!` returns the next
//! op to the trampoline in [`exec`] instead of calling it. Every path that
//! calls something out of line (a guard's fallback, input, a flush, a long
//! scan, the budget's check, a loop's hook) returns to the trampoline too,
//! so no frame ever waits on a callee in the chain. Release builds rely on
//! the sibling calls (`tests/interp.rs` runs long programs in release, and
//! the corpus tests do; a missing one would show as a stack overflow there,
//! which aborts the process: never undefined behaviour).
//!
//! **Hooks** (tiered runs) cost nothing when absent: the choice is made
//! once, when the ops are threaded. A hooked run's back-edge ops get
//! handlers whose budget tick is a countdown of their own, in their `TOp`
//! (`heat.rs` does the accounting when it runs out), and when a loop's hook
//! runs the loop elsewhere, the run resumes after the back edge with the
//! pointer it hands back. Every other op has the same handler in both.
//!
//! **Soundness of the unchecked tape accesses.** No counters, no bounds
//! checks on the tape except the guards' own: cells are read and written
//! unchecked, which is sound because
//!
//! 1. the pointer is on the tape when the run starts (asserted),
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
//! segment, and every access inside one lies in its checked window. Window
//! checks are done on byte distances from the tape's start, resolved
//! against this run's tape length when the ops are threaded.

use super::cold::{fallback, input, scan_loop};
use super::heat::{Countdowns, Expired};
use super::hooks::{AtHead, HeadAction, LoopHooks};
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

/// One op of the threaded code: its handler and up to four 32-bit fields
/// (`a`, `b` packed in `w`, which a guard uses whole for the address its
/// window starts at; their meaning is the handler's, see `thread`).
#[repr(C)]
pub(super) struct TOp<C> {
    h: Handler<C>,
    w: u64,
    c: i32,
    e: i32,
}

impl<C> TOp<C> {
    /// The first field.
    #[inline(always)]
    fn a(&self) -> i32 {
        self.w as u32 as i32
    }

    /// The second field.
    #[inline(always)]
    fn b(&self) -> i32 {
        (self.w >> 32) as u32 as i32
    }
}

/// `a` and `b` as `TOp::w`.
fn pack(a: i32, b: i32) -> u64 {
    a as u32 as u64 | (b as u32 as u64) << 32
}

/// A run's state outside the registers, for the out-of-line paths.
pub(super) struct Ctx<'r, 'io, C> {
    code: &'r Code,
    source: &'r Source,
    io: &'r mut Io<'io>,
    budget: &'r mut Budget,
    /// The hooks, called out of line only (a plain run's are `NoHooks`,
    /// never called: its handlers have no countdowns).
    hooks: &'r mut dyn AtHead<C>,
    /// A hooked run's back-edge accounting (empty in plain runs).
    heat: Countdowns,
    /// The threaded ops (for op indices, and the countdowns a hooked run
    /// writes in them).
    ops: *mut TOp<C>,
    /// Tape length in cells.
    len: usize,
    /// Tape length in bytes, clipped (see `len_bytes`).
    len_bytes: i32,
    /// Back edges until the next budget check (plain runs).
    fuel: u32,
    /// How the run ended (read when a handler returns a null `ip`).
    result: Result<(), RunError>,
}

/// Runs `code` from `m`'s state, calling `hooks` at hot loop heads (with
/// [`super::hooks::NoHooks`], the plain run: no countdowns at all).
/// `m.ptr` must be on the tape. `None` (and nothing run) if the code is
/// too large for the threaded encoding's 32-bit jumps (some 89 million
/// ops): the caller then runs the checked interpreter.
pub fn exec<C: CellType, H: LoopHooks<C>>(
    code: &Code,
    source: &Source,
    m: &mut Machine<'_, C>,
    io: &mut Io<'_>,
    budget: &mut Budget,
    hooks: &mut H,
) -> Option<Result<(), RunError>> {
    let len = m.tape.len();
    assert!(m.ptr < len, "the pointer starts on the tape");
    let t = m.tape.as_mut_ptr();
    let heat = match H::ENABLED {
        true => Countdowns::new(code.ops.len(), code.loops(), hooks.threshold()),
        false => Countdowns::new(0, 0, 0),
    };
    let countdown = H::ENABLED.then(|| heat.first());
    let mut ops = thread::<C>(&code.ops, t, len, countdown)?;
    let ops = ops.as_mut_ptr();
    let mut x = Ctx {
        code,
        source,
        io,
        budget,
        hooks,
        heat,
        ops,
        len,
        len_bytes: len_bytes::<C>(len),
        fuel: Budget::interval(),
        result: Ok(()),
    };
    let mut ip: *const TOp<C> = ops;
    // SAFETY: `m.ptr < len` (asserted).
    let mut cp = unsafe { t.add(m.ptr) };
    loop {
        // SAFETY: `ip` points at an op of `ops` (the handlers' contract:
        // every pointer they return or pass on is an op or null), and `cp`
        // is on the tape at every op boundary (the module documentation).
        let n = unsafe { ((*ip).h)(ip, cp, t, &mut x) };
        cp = n.cp;
        if n.ip.is_null() {
            break;
        }
        ip = n.ip;
    }
    // SAFETY: `cp` points into the tape that starts at `t`.
    m.ptr = unsafe { cp.offset_from(t) } as usize;
    Some(x.result)
}

/// A tape of `len` cells' length in bytes, clipped to 32 bits (and kept
/// as an `i32`, compared unsigned): on a longer tape a check against it
/// only fails more, which takes the exact fallback.
fn len_bytes<C>(len: usize) -> i32 {
    (len as u64 * std::mem::size_of::<C>() as u64).min(u32::MAX as u64) as u32 as i32
}

/// The threaded copy of `ops` for a tape of `len` cells starting at `t`;
/// with `countdown`, for a hooked run, whose back edges start their
/// countdowns at that. `None` if a jump is too far for its 32-bit byte
/// offset.
fn thread<C: CellType>(
    ops: &[Op],
    t: *mut C,
    len: usize,
    countdown: Option<u32>,
) -> Option<Vec<TOp<C>>> {
    let s = std::mem::size_of::<C>();
    // A window `p-nlo ..= p-nlo+w` fits iff `cp - (t + nlo*s) < (len-w)*s`
    // in bytes (unsigned): the guard keeps `t + nlo*s` and the limit. A
    // limit clipped to 32 bits, or an impossible window, only makes the
    // check fail more: an exact fallback, never a wrong pass.
    let window = |nlo: u32, w: u32| -> (u64, i32) {
        let lim = (len as u64).saturating_sub(w as u64) * s as u64;
        let start = (t as u64).wrapping_add(nlo as u64 * s as u64);
        (start, lim.min(u32::MAX as u64) as u32 as i32)
    };
    let len_bytes = len_bytes::<C>(len);
    let size = std::mem::size_of::<TOp<C>>() as i64;
    // A back edge's countdown, in its `c` (at most the budget's interval,
    // so it fits).
    let (hooked, n) = match countdown {
        Some(n) => (true, n as i32),
        None => (false, 0),
    };
    let mut far = false;
    let code = ops
        .iter()
        .enumerate()
        .map(|(k, &op)| {
            // A jump's distance in bytes.
            let mut rel = |target: u32| {
                let d = (target as i64 - k as i64) * size;
                far |= d != d as i32 as i64;
                d as i32
            };
            // The handler of a back-edge op, plain or hooked.
            macro_rules! edge {
                ($f:ident::<$($g:tt),*>) => {
                    if hooked {
                        $f::<C, $($g,)* true> as Handler<C>
                    } else {
                        $f::<C, $($g,)* false> as Handler<C>
                    }
                };
            }
            let (h, w, c, e): (Handler<C>, u64, i32, i32) = match op {
                Op::Add { off, v } => (add, pack(off, v as i32), 0, 0),
                Op::Set { off, v } => (set, pack(off, v as i32), 0, 0),
                Op::MulAdd { src, dst, f } => (mul_add, pack(src, dst), f as i32, 0),
                Op::Transfer { src, dst, f } => (transfer, pack(src, dst), f as i32, 0),
                Op::AddMove { off, v, d } => (add_move, pack(off, v as i32), d, 0),
                Op::Move { d } => (mov, pack(d, 0), 0, 0),
                Op::Out { off } => (out, pack(off, 0), 0, 0),
                Op::In { off } => (inp, pack(off, 0), 0, 0),
                Op::Guard { nlo, w, gap } => {
                    let (start, lim) = window(nlo, w);
                    (guard, start, lim, gap as i32)
                }
                Op::GuardMove { d, gap } => (guard_move, pack(d, len_bytes), gap as i32, 0),
                Op::Jz { target } => (jz, pack(rel(target), 0), 0, 0),
                Op::MoveJz { d, target } => (move_jz, pack(d, rel(target)), 0, 0),
                Op::GuardMoveJz { d, target, gap } => {
                    (guard_move_jz, pack(d, len_bytes), gap as i32, rel(target))
                }
                Op::Walk { target } => match ops[k + 2] {
                    Op::Transfer { .. } => (edge!(walk::<true>), pack(rel(target), 0), 0, 0),
                    _ => (edge!(walk::<false>), pack(rel(target), 0), 0, 0),
                },
                Op::Jnz { target } => (edge!(jnz::<false>), pack(rel(target), 0), n, 0),
                Op::JnzG { target } => (edge!(jnz::<true>), pack(rel(target), 0), n, 0),
                Op::MoveJnz { d, target } => (edge!(move_jnz::<false>), pack(d, rel(target)), n, 0),
                Op::MoveJnzG { d, target } if walk_edge_at(ops, k) => {
                    let h = match ops[k - 1] {
                        Op::Transfer { .. } => edge!(walk_edge::<true>),
                        _ => edge!(walk_edge::<false>),
                    };
                    (h, pack(d, rel(target)), n, 0)
                }
                Op::MoveJnzG { d, target } => (edge!(move_jnz::<true>), pack(d, rel(target)), n, 0),
                // The hooked form keeps the countdown where the plain one
                // keeps the tape's length (then read from `Ctx`).
                Op::GuardMoveJnz { d, target, gap } if hooked => (
                    guard_move_jnz::<C, false, true>,
                    pack(d, gap as i32),
                    n,
                    rel(target),
                ),
                Op::GuardMoveJnz { d, target, gap } => (
                    guard_move_jnz::<C, false, false>,
                    pack(d, len_bytes),
                    gap as i32,
                    rel(target),
                ),
                Op::GuardMoveJnzG { d, target, gap } if hooked => (
                    guard_move_jnz::<C, true, true>,
                    pack(d, gap as i32),
                    n,
                    rel(target),
                ),
                Op::GuardMoveJnzG { d, target, gap } => (
                    guard_move_jnz::<C, true, false>,
                    pack(d, len_bytes),
                    gap as i32,
                    rel(target),
                ),
                Op::Scan { stride, nlo, w } => {
                    let (start, lim) = window(nlo, w);
                    (scan, start, lim, stride)
                }
                Op::Goto { target } => (goto, pack(rel(target), 0), 0, 0),
                Op::Halt => (halt, 0, 0, 0),
            };
            TOp { h, w, c, e }
        })
        .collect();
    (!far).then_some(code)
}

/// Whether op `k` is the back edge of a loop whose body is a guard, one
/// `Transfer` or `Add`, and this back edge (a `MoveJnzG`): the shape of a
/// walk, whatever its head.
fn walk_edge_at(ops: &[Op], k: usize) -> bool {
    k >= 2
        && matches!(ops[k], Op::MoveJnzG { target, .. } if target as usize == k - 2)
        && matches!(ops[k - 2], Op::Guard { .. })
        && matches!(ops[k - 1], Op::Transfer { .. } | Op::Add { .. })
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
/// checked, by the lowering's verification (the module documentation).
macro_rules! cell {
    ($cp:expr, $off:expr) => {
        *$cp.offset($off as isize)
    };
}

/// The op `rel` bytes from `ip` (a jump's target).
#[inline(always)]
unsafe fn jump<C>(ip: *const TOp<C>, rel: i32) -> *const TOp<C> {
    ip.byte_offset(rel as isize)
}

/// Whether the window that starts at address `start` and whose start may
/// lie at most `lim` bytes past the tape's start (as `thread` resolves
/// them) is on the tape, with the pointer at `cp`.
#[inline(always)]
fn fits<C>(cp: *mut C, start: u64, lim: i32) -> bool {
    (cp as u64).wrapping_sub(start) < lim as u32 as u64
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

/// Where an out-of-line call leaves the run: at `ip` with the pointer at
/// `cp` if it succeeded, else stopped with its error.
#[inline(always)]
fn resume<C>(
    r: Result<(), RunError>,
    ip: *const TOp<C>,
    cp: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    match r {
        Ok(()) => Next { ip, cp },
        Err(e) => {
            x.result = Err(e);
            stop(cp)
        }
    }
}

/// `p[dst] += p[src] * f`.
#[inline(always)]
unsafe fn mul_add_at<C: CellType>(cp: *mut C, src: i32, dst: i32, f: i32) {
    let v = cell!(cp, src).value().wrapping_mul(f as u32);
    let d = &mut cell!(cp, dst);
    *d = C::from_value(d.value().wrapping_add(v));
}

/// `p[off] += v`.
#[inline(always)]
unsafe fn add_at<C: CellType>(cp: *mut C, off: i32, v: i32) {
    let c = &mut cell!(cp, off);
    *c = C::from_value(c.value().wrapping_add(v as u32));
}

/// `p[a] += b`.
unsafe fn add<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    add_at(cp, o.a(), o.b());
    next!(ip.add(1), cp, t, x)
}

/// `p[a] = b`.
unsafe fn set<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    cell!(cp, o.a()) = C::from_value(o.b() as u32);
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
    mul_add_at(cp, o.a(), o.b(), o.c);
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
    let (src, next) = (o.a(), ip.add(1));
    mul_add_at(cp, src, o.b(), o.c);
    cell!(cp, src) = C::default();
    next!(next, cp, t, x)
}

/// `p[a] += b; p += c`.
unsafe fn add_move<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.offset(o.c as isize);
    add_at(cp, o.a(), o.b());
    next!(ip.add(1), q, t, x)
}

/// `p += a`.
unsafe fn mov<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    next!(ip.add(1), cp.offset(o.a() as isize), t, x)
}

/// Output `p[a]`.
unsafe fn out<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let v = cell!(cp, o.a()).value();
    if x.io.try_put(v) {
        next!(ip.add(1), cp, t, x)
    }
    out_flush(ip, cp, v, x)
}

/// Output's slow path: a byte that needs a flush.
#[cold]
#[inline(never)]
fn out_flush<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    v: u32,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let r = x.io.put_and_flush(v);
    // `ip` is not `Halt`, so the op after it exists.
    resume(r, ip.wrapping_add(1), cp, x)
}

/// Input into `p[a]` (out of line).
#[inline(never)]
unsafe fn inp<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    _: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let c = &mut cell!(cp, o.a());
    let r = input(x.io, c.value()).map(|v| *c = C::from_value(v));
    resume(r, ip.add(1), cp, x)
}

/// A failed guard of gap `gap` at `cp`: runs its source on the reference
/// interpreter and continues at its resume op.
#[cold]
#[inline(never)]
fn gap_fallback<C: CellType>(gap: i32, cp: *mut C, t: *mut C, x: &mut Ctx<'_, '_, C>) -> Next<C> {
    // SAFETY: `cp` is on the tape starting at `t` (at an op boundary), and
    // the slice is the whole tape, borrowed for this call only while no
    // other reference to it is live (the handlers use raw pointers).
    let (tape, p) = unsafe {
        (
            std::slice::from_raw_parts_mut(t, x.len),
            cp.offset_from(t) as usize,
        )
    };
    let (q, r, at) = fallback(x.code, gap as u32, x.source, tape, p, x.io, x.budget);
    // SAFETY: the reference interpreter leaves the pointer on the tape.
    let cp = unsafe { t.add(q) };
    // SAFETY: `at` is an op index (the lowering's fallbacks).
    resume(r, unsafe { x.ops.add(at) }, cp, x)
}

/// A segment's guard: its window is on the tape, else gap `e`'s fallback.
unsafe fn guard<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    if fits(cp, o.w, o.c) {
        next!(ip.add(1), cp, t, x)
    }
    gap_fallback(o.e, cp, t, x)
}

/// `p += a` if that stays on the tape (`b` bytes long), else gap `c`.
unsafe fn guard_move<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.wrapping_offset(o.a() as isize);
    if on_tape(q, t, o.b()) {
        next!(ip.add(1), q, t, x)
    }
    gap_fallback(o.c, cp, t, x)
}

/// The jump of a loop or `if` entry: `rel` bytes on if `p[0] == 0`.
#[inline(always)]
unsafe fn enter<C: CellType>(
    ip: *const TOp<C>,
    rel: i32,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    if *cp == C::default() {
        next!(jump(ip, rel), cp, t, x)
    }
    next!(ip.add(1), cp, t, x)
}

/// Jump to `a` if `p[0] == 0`.
unsafe fn jz<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    enter(ip, (*ip).a(), cp, t, x)
}

/// `p += a`, then jump to `b` if `p[0] == 0`.
unsafe fn move_jz<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    enter(ip, o.b(), cp.offset(o.a() as isize), t, x)
}

/// `GuardMove` (`a`, `b`, `c`), then jump to `e` if `p[0] == 0`.
unsafe fn guard_move_jz<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    let q = cp.wrapping_offset(o.a() as isize);
    if on_tape(q, t, o.b()) {
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
    let r = x.budget.check();
    resume(r, ip, cp, x)
}

/// A hooked back edge's countdown: the back-edge op's `c`, which only
/// `thread` and these handlers touch.
#[inline(always)]
fn countdown<C>(edge: *const TOp<C>) -> *mut i32 {
    // SAFETY (of later accesses through it): `edge` points at an op of the
    // run's ops, allocated and made mutable by `exec` (`as_mut_ptr`), and no
    // reference to that op is live while it is written.
    unsafe { ptr::addr_of_mut!((*edge.cast_mut()).c) }
}

/// The budget's tick of a taken back edge, at back-edge op `edge` whose
/// target is `target`: the run's `fuel`, or with `K` (hooked) the op's own
/// countdown. `Some` when it ran out (then the run goes where the `Next`
/// says: the target, after the loop if a hook ran it, or nowhere).
#[inline(always)]
unsafe fn tick<C: CellType, const K: bool>(
    edge: *const TOp<C>,
    target: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Option<Next<C>> {
    if K {
        let c = countdown(edge);
        *c -= 1;
        if *c == 0 {
            return Some(expired(edge, cp, t, x, target));
        }
    } else {
        x.fuel -= 1;
        if x.fuel == 0 {
            return Some(check(target, cp, x));
        }
    }
    None
}

/// A hooked back edge's countdown ran out, at op `edge` with the loop's
/// cell non-zero: charges the budget, calls the loop's hook if it is due
/// (it sees the machine at the loop test, before anything of the next
/// iteration), re-arms the countdown, and continues at `target`, or after
/// the back edge with the hook's pointer if the hook ran the loop. (The
/// arguments come in the handlers' order, so calling it moves no register
/// on the hot path.)
#[cold]
#[inline(never)]
fn expired<C: CellType>(
    edge: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
    target: *const TOp<C>,
) -> Next<C> {
    // SAFETY: `edge` is an op of `x.ops`.
    let k = unsafe { edge.offset_from(x.ops) } as usize;
    let slot = x.code.slot(k);
    let (mut ip, mut cp) = (target, cp);
    let recheck = match x.heat.expired(k, slot, x.budget) {
        Err(e) => return resume(Err(e), ip, cp, x),
        Ok(Expired::Nothing) => None,
        Ok(Expired::Hook { slot, back_edges }) => {
            // SAFETY: `cp` is on the tape starting at `t`; the slice is the
            // whole tape, borrowed for this call only while no other
            // reference to it is live (the handlers use raw pointers).
            let (tape, p) = unsafe {
                (
                    std::slice::from_raw_parts_mut(t, x.len),
                    cp.offset_from(t) as usize,
                )
            };
            match x.hooks.at_head(slot, back_edges, tape, p, x.io, x.budget) {
                HeadAction::Interpret { recheck_after } => Some(recheck_after),
                HeadAction::Ran(Ok(q)) => {
                    assert!(q < x.len, "compiled code left the pointer on the tape");
                    // SAFETY: `q` is on the tape (asserted); a back edge is
                    // never the last op, so the one after it exists.
                    (ip, cp) = unsafe { (edge.add(1), t.add(q)) };
                    // Ask again at the loop's next back edge.
                    Some(1)
                }
                HeadAction::Ran(Err(e)) => return resume(Err(e), ip, cp, x),
            }
        }
    };
    let next = x.heat.rearm(k, slot, recheck);
    // SAFETY: see `countdown`; no reference to the op is live. The
    // countdown is at most the budget's interval, so it fits.
    unsafe { *countdown(edge) = next as i32 };
    Next { ip, cp }
}

/// A taken back edge at op `edge` to `target`; with `G`, the target is a
/// guard, checked here so that the jump lands past it when it passes; with
/// `K`, a hooked run's (see `tick`).
#[inline(always)]
unsafe fn back_edge<C: CellType, const G: bool, const K: bool>(
    edge: *const TOp<C>,
    target: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    if let Some(n) = tick::<C, K>(edge, target, cp, t, x) {
        return n;
    }
    if G {
        let g = &*target;
        if fits(cp, g.w, g.c) {
            next!(target.add(1), cp, t, x)
        }
    }
    next!(target, cp, t, x)
}

/// A loop's test at its end: back `rel` bytes if `p[0] != 0`.
#[inline(always)]
unsafe fn test<C: CellType, const G: bool, const K: bool>(
    ip: *const TOp<C>,
    rel: i32,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    if *cp != C::default() {
        return back_edge::<C, G, K>(ip, jump(ip, rel), cp, t, x);
    }
    next!(ip.add(1), cp, t, x)
}

/// Back edge to `a` if `p[0] != 0`.
unsafe fn jnz<C: CellType, const G: bool, const K: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let rel = (*ip).a();
    test::<C, G, K>(ip, rel, cp, t, x)
}

/// `p += a`, then back edge to `b` if `p[0] != 0`.
unsafe fn move_jnz<C: CellType, const G: bool, const K: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let (d, rel) = ((*ip).a(), (*ip).b());
    test::<C, G, K>(ip, rel, cp.offset(d as isize), t, x)
}

/// `GuardMove`, then back edge to `e` if `p[0] != 0`: the move `a` if it
/// stays on the tape (`b` bytes long), else gap `c`; hooked (`K`), gap
/// `b` and the tape's length from the context (`c` is the countdown).
unsafe fn guard_move_jnz<C: CellType, const G: bool, const K: bool>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let (d, rel) = ((*ip).a(), (*ip).e);
    let (len, gap) = match K {
        true => (x.len_bytes, (*ip).b()),
        false => ((*ip).b(), (*ip).c),
    };
    let q = cp.wrapping_offset(d as isize);
    if on_tape(q, t, len) {
        return test::<C, G, K>(ip, rel, q, t, x);
    }
    gap_fallback(gap, cp, t, x)
}

/// A walk (see [`Op::Walk`]): the loop `[guard, body, move-and-test]` that
/// follows, run here whole iterations at a time; `T`: the body is a
/// `Transfer`, else an `Add`; `K`: a hooked run's. Leaves to the body's own
/// ops when the guard fails.
unsafe fn walk<C: CellType, const T: bool, const K: bool>(
    ip: *const TOp<C>,
    mut cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let exit = jump(ip, (*ip).a());
    if *cp == C::default() {
        next!(exit, cp, t, x)
    }
    // The loop's three ops follow the head (the lowering's walk shape).
    let (g, edge) = (ip.add(1), ip.add(3));
    let (start, lim, d) = ((*g).w, (*g).c, (*edge).a() as isize);
    let body = &*ip.add(2);
    let (a, b, f) = (body.a(), body.b(), body.c);
    loop {
        if !fits(cp, start, lim) {
            next!(g, cp, t, x)
        }
        if T {
            mul_add_at(cp, a, b, f);
            cell!(cp, a) = C::default();
        } else {
            add_at(cp, a, b);
        }
        cp = cp.offset(d);
        if *cp == C::default() {
            next!(exit, cp, t, x)
        }
        // The back edge's target is the guard.
        if let Some(n) = tick::<C, K>(edge, g, cp, t, x) {
            return n;
        }
    }
}

/// The back edge of a walk-shaped loop (see `walk_edge_at`): `p += a`, and
/// while `p[0] != 0`, whole iterations of the loop (the guard two ops back,
/// the body one op back, this move) without dispatch; `T`: the body is a
/// `Transfer`, else an `Add`; `K`: a hooked run's. A failing guard leaves
/// to the guard's op, which runs the fallback.
unsafe fn walk_edge<C: CellType, const T: bool, const K: bool>(
    ip: *const TOp<C>,
    mut cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let d = (*ip).a() as isize;
    cp = cp.offset(d);
    if *cp == C::default() {
        next!(ip.add(1), cp, t, x)
    }
    let g = ip.sub(2);
    let (start, lim) = ((*g).w, (*g).c);
    let body = &*ip.sub(1);
    let (a, b, f) = (body.a(), body.b(), body.c);
    loop {
        // The back edge, as `back_edge` takes it: the budget (and a hook),
        // then the guard.
        if let Some(n) = tick::<C, K>(ip, g, cp, t, x) {
            return n;
        }
        if !fits(cp, start, lim) {
            next!(g, cp, t, x)
        }
        if T {
            mul_add_at(cp, a, b, f);
            cell!(cp, a) = C::default();
        } else {
            add_at(cp, a, b);
        }
        cp = cp.offset(d);
        if *cp == C::default() {
            next!(ip.add(1), cp, t, x)
        }
    }
}

/// `while p[0] != 0 { p += e }`, each step's window (`w`, `c`) checked.
unsafe fn scan<C: CellType>(
    ip: *const TOp<C>,
    mut cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    let o = &*ip;
    if *cp == C::default() {
        next!(ip.add(1), cp, t, x)
    }
    let (start, lim, s) = (o.w, o.c, o.e as isize);
    if std::mem::size_of::<C>() == 1 && s.abs() == 1 {
        // Byte scans search eight cells a compare, out of line.
        return long_scan(ip, cp, t, x);
    }
    // Four steps a check while all four start inside the window (it is an
    // interval, so its two ends suffice); each cell reached is inside the
    // window of the step before (the lowering checks that a step's window
    // covers the stride).
    loop {
        if !(fits(cp, start, lim) && fits(cp.wrapping_offset(3 * s), start, lim)) {
            break;
        }
        for k in 1..=4 {
            let q = cp.offset(k * s);
            if *q == C::default() {
                next!(ip.add(1), q, t, x)
            }
        }
        cp = cp.offset(4 * s);
    }
    // Near a tape end: single checked steps, and the exact reference run
    // for a step that would leave it.
    loop {
        if !fits(cp, start, lim) {
            return long_scan(ip, cp, t, x);
        }
        cp = cp.offset(s);
        if *cp == C::default() {
            next!(ip.add(1), cp, t, x)
        }
    }
}

/// A scan from `cp` (non-zero), out of line: the byte search, or the
/// reference run near a tape end.
#[inline(never)]
fn long_scan<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
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
    let (q, r) = scan_loop(
        tape,
        p,
        window,
        x.code.scan_span(at),
        x.source,
        x.io,
        x.budget,
    );
    // SAFETY: scans stop on the tape.
    let cp = unsafe { t.add(q) };
    resume(r, ip.wrapping_add(1), cp, x)
}

/// Jump to `a`.
unsafe fn goto<C: CellType>(
    ip: *const TOp<C>,
    cp: *mut C,
    t: *mut C,
    x: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    next!(jump(ip, (*ip).a()), cp, t, x)
}

/// The end of the program.
unsafe fn halt<C: CellType>(
    _: *const TOp<C>,
    cp: *mut C,
    _: *mut C,
    _: &mut Ctx<'_, '_, C>,
) -> Next<C> {
    stop(cp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::hooks::NoHooks;

    /// A jump farther than a 32-bit byte offset reaches is refused (the
    /// caller then runs the checked interpreter), and one that fits is not.
    #[test]
    fn jumps_too_far_for_32_bit_offsets_are_refused() {
        let size = std::mem::size_of::<TOp<u8>>() as u32;
        let mut tape = vec![0u8; 4];
        let t = tape.as_mut_ptr();
        let far = i32::MAX as u32 / size + 1;
        let ops = |target| [Op::Jz { target }, Op::Halt];
        assert!(thread::<u8>(&ops(far), t, 4, None).is_none());
        assert!(thread::<u8>(&ops(far), t, 4, Some(1)).is_none());
        assert!(thread::<u8>(&ops(far - 1), t, 4, None).is_some());
        let code = Code {
            ops: ops(far).to_vec(),
            ..Code::default()
        };
        let source = Source::new(String::new(), Vec::new(), Vec::new());
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let (mut input, mut output) = (&[][..], Vec::new());
        let mut io = Io::new(
            &mut input,
            &mut output,
            crate::io::EofMode::Unchanged,
            crate::ir::CellWidth::U8,
        );
        let mut budget = Budget::unlimited();
        assert!(exec(&code, &source, &mut m, &mut io, &mut budget, &mut NoHooks).is_none());
    }
}
