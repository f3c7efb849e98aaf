//! Facts about a loop's shape that decide how the opt tier guards it and how
//! big generated functions get.
//!
//! Guard hoisting: a `Loop` or `If` whose body ends where it started (no
//! `Scan`, every nested loop also of this *static* shape) runs each of its
//! own segments at the same offset from its entry pointer on every
//! iteration. One guard at its entry, covering those segments' excursions at
//! their offsets, then proves all of them on the tape for every iteration,
//! and they run unguarded. Nested loops keep their own (hoisted) guards, so
//! a nested loop that never runs near a tape end cannot make the outer guard
//! fail — unless the outer guard already proves every cell a nested one
//! would check; then the translator drops it (`Proven` in `translate/`).
//! The guard is checked only when the loop is about to run (`p[0] != 0`); when it fails, the whole loop's source runs on the
//! reference interpreter, which is exact. Hot inner loops of typical
//! programs are of this shape and lose all their per-iteration checks.

use ir_passes::guard::{inner_span, segments, Segment};
use ir_passes::ir::{Node, Op};
use ir_passes::source::Source;
use std::collections::HashMap;

/// Bodies with more ops than this (nested ops included) are split over
/// several Cranelift functions, which keeps compile time and memory about
/// linear in the program size (register allocation is superlinear in the
/// size of one function). Measured on awib, hanoi and lostkingdom: 2000
/// compiles about twice as fast as 20,000 or 50,000; below 1000 the cost
/// per function takes over (lostkingdom's simple tier: 5-7 s at 2000, 20 s
/// at 500 or 1000), and mandelbrot's run time does not change. Programs of
/// fewer than four times this many ops get a lower limit, so their
/// functions can compile on several threads (`translate/split.rs`).
pub const MAX_FUNCTION_OPS: usize = 2_000;

/// Memoized op counts of `Loop`/`If` nodes (nested ops included), so that
/// asking at every level of a deep nest stays linear. The translator splits
/// functions by them, the C yardstick outlines big loops by them.
#[derive(Default)]
pub struct Sizes {
    memo: HashMap<*const Node, usize>,
}

impl Sizes {
    /// The number of ops in `body`, nested ones included.
    pub fn body(&mut self, body: &[Node]) -> usize {
        body.iter().map(|n| self.node(n)).sum()
    }

    /// The number of ops of one node, its nested ones included.
    pub fn node(&mut self, node: &Node) -> usize {
        let Some(body) = node.op.body() else {
            return 1;
        };
        let key = node as *const Node;
        if let Some(&size) = self.memo.get(&key) {
            return size;
        }
        let size = 1 + self.body(body);
        self.memo.insert(key, size);
        size
    }
}

/// Memoized "has a static shape" per `Loop`/`If` node, so asking about every
/// level of a deep nest stays linear.
#[derive(Default)]
pub struct Shapes {
    fixed: HashMap<*const Node, bool>,
}

impl Shapes {
    /// The guard `(lo, hi)` to check once at the entry of `node` (a `Loop`
    /// or `If`) instead of guarding its own segments, if it has a static shape.
    pub fn hoisted_guard(&mut self, node: &Node, source: &Source) -> Option<(i32, i32)> {
        let body = node.op.body()?;
        if !self.is_static(node) {
            return None;
        }
        let (mut at, mut lo, mut hi) = (0i64, 0i64, 0i64);
        for seg in segments(body, inner_span(node.span), source) {
            lo = lo.min(at + seg.lo as i64);
            hi = hi.max(at + seg.hi as i64);
            for n in &body[seg.ops] {
                if let Op::Move { delta } = n.op {
                    at += delta as i64;
                }
            }
        }
        Some((i32::try_from(lo).ok()?, i32::try_from(hi).ok()?))
    }

    /// One guard for segments `k ..= end` of `segs` (a body's, with its
    /// control ops in `body`): `Some((lo, hi, end))` with `end > k` when the
    /// segments after `k` are separated from it only by loops and ifs of
    /// static shape (which leave the pointer where they found it, so every
    /// later segment runs at a known offset from the pointer at `k`) and
    /// all their guards are exact. The union of their windows at those
    /// offsets, `p+lo ..= p+hi`, is then exact for the source from segment
    /// `k`'s gap to segment `end`'s: its moves outside brackets, which run
    /// for certain, visit every cell of each window (the loops between
    /// restore the pointer at their `]`). So one guard checked before
    /// segment `k` proves all of them, and when it fails, running that
    /// source always ends in the error at the exact command.
    pub fn chain(
        &mut self,
        body: &[Node],
        segs: &[Segment],
        k: usize,
    ) -> Option<(i32, i32, usize)> {
        let first = &segs[k];
        if !first.needs_guard() || !first.exact {
            return None;
        }
        let (mut lo, mut hi) = (first.lo as i64, first.hi as i64);
        let mut at = net_move(&body[first.ops.clone()]);
        let mut end = k;
        for j in k + 1..segs.len() {
            let control = &body[segs[j - 1].ops.end];
            if !matches!(control.op, Op::Loop { .. } | Op::If { .. }) || !self.is_static(control) {
                break;
            }
            let seg = &segs[j];
            if seg.needs_guard() {
                if !seg.exact {
                    break;
                }
                lo = lo.min(at + seg.lo as i64);
                hi = hi.max(at + seg.hi as i64);
            }
            at += net_move(&body[seg.ops.clone()]);
            end = j;
        }
        if end == k {
            return None;
        }
        Some((i32::try_from(lo).ok()?, i32::try_from(hi).ok()?, end))
    }

    /// Whether a `Loop`/`If` node's body ends where it started, with every
    /// nested loop doing the same.
    pub fn is_static(&mut self, node: &Node) -> bool {
        let key = node as *const Node;
        if let Some(&fixed) = self.fixed.get(&key) {
            return fixed;
        }
        let fixed = node.op.body().is_some_and(|body| self.net_zero(body));
        self.fixed.insert(key, fixed);
        fixed
    }

    fn net_zero(&mut self, body: &[Node]) -> bool {
        let mut at = 0i64;
        for node in body {
            match node.op {
                Op::Move { delta } => at += delta as i64,
                Op::Loop { .. } | Op::If { .. } if !self.is_static(node) => return false,
                Op::Scan { .. } => return false,
                _ => {}
            }
        }
        at == 0
    }
}

/// The pointer's total move over straight-line ops.
fn net_move(ops: &[Node]) -> i64 {
    ops.iter()
        .map(|n| match n.op {
            Op::Move { delta } => delta as i64,
            _ => 0,
        })
        .sum()
}
