//! Straight-line ops: cell arithmetic, moves, input and output.

use super::Translator;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, SourceLoc, Value};
use ir_passes::ir::{Node, Op};
use std::collections::HashMap;

impl<'p> Translator<'_, 'p, '_> {
    /// A run of straight-line ops (a segment's, or a piece of one). A `set`
    /// whose cell is next touched by a multiply-add into it, with no I/O
    /// between, is not stored: the multiply-add stores `value + src *
    /// factor` instead of loading the cell back. That is a copy into a
    /// cleared cell (`set p[+5], 0` then `muladd p[+5], p[+2] * 1`, which
    /// `mul_loops` leaves after `[-]>[-<+>]`-style code) written as one
    /// store, as `cc` makes it; Cranelift forwarded the 0 but kept the dead
    /// store. No I/O between, so that if a shim fails the tape is exactly as
    /// the source left it (as `set_fold` keeps it).
    pub(super) fn straight_run(&mut self, ops: &[Node]) {
        let folds = set_then_muladd(ops);
        let mut bases: HashMap<usize, u32> = HashMap::new();
        for (i, node) in ops.iter().enumerate() {
            match (&node.op, folds.get(&i)) {
                (&Op::Set { offset, value }, Some(&j)) => {
                    self.b.set_srcloc(SourceLoc::new(node.span.start));
                    self.emitted += 1;
                    // Nothing reads the cell before the multiply-add.
                    self.cursor.forget(offset);
                    bases.insert(j, value);
                }
                (&Op::MulAdd { src, dst, factor }, _) if bases.contains_key(&i) => {
                    self.b.set_srcloc(SourceLoc::new(node.span.start));
                    self.emitted += 1;
                    self.mul_add(src, dst, factor, bases.remove(&i));
                }
                _ => self.straight(node),
            }
        }
    }

    /// A straight-line op.
    pub(super) fn straight(&mut self, node: &Node) {
        // Source locations let `inspect --emit asm` group code by IR op.
        self.b.set_srcloc(SourceLoc::new(node.span.start));
        self.emitted += 1;
        match node.op {
            Op::Add { offset, delta } => self.add(offset, delta),
            Op::Set { offset, value } => self.set(offset, value),
            Op::MulAdd { src, dst, factor } => self.mul_add(src, dst, factor, None),
            Op::Move { delta } => self.move_by(delta),
            Op::Output { offset } => self.output(offset),
            Op::Input { offset } => self.input(offset),
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => {
                unreachable!("control op inside a segment")
            }
        }
    }

    /// `p[offset] += delta`.
    pub(super) fn add(&mut self, offset: i32, delta: u32) {
        let v = self.load(offset);
        let d = self.cell_const(delta);
        let sum = self.b.ins().iadd(v, d);
        self.store(offset, sum);
    }

    /// `p[offset] = value`.
    pub(super) fn set(&mut self, offset: i32, value: u32) {
        let v = self.cell_const(value);
        self.store(offset, v);
    }

    /// `p[dst] += p[src] * factor`; with `base`, the cell `dst` is known to
    /// hold that value (see [`Translator::straight_run`]).
    pub(super) fn mul_add(&mut self, src: i32, dst: i32, factor: u32, base: Option<u32>) {
        let s = self.load(src);
        let factor = self.program.cell.wrap(factor);
        if let Some(base) = base {
            let product = self.times(s, factor);
            let sum = match self.program.cell.wrap(base) {
                0 => product,
                base => {
                    let base = self.cell_const(base);
                    self.b.ins().iadd(base, product)
                }
            };
            return self.store(dst, sum);
        }
        let d = self.load(dst);
        let sum = if factor == 1 {
            self.b.ins().iadd(d, s)
        } else if factor == self.program.cell.wrap(u32::MAX) {
            self.b.ins().isub(d, s)
        } else if factor.is_power_of_two() {
            let product = self.b.ins().ishl_imm_u(s, factor.trailing_zeros() as i64);
            self.b.ins().iadd(d, product)
        } else {
            let f = self.cell_const(factor);
            let product = self.b.ins().imul(s, f);
            self.b.ins().iadd(d, product)
        };
        self.store(dst, sum);
    }

    /// `s * factor` (`factor` reduced to the cell width).
    fn times(&mut self, s: Value, factor: u32) -> Value {
        if factor == 1 {
            s
        } else if factor == self.program.cell.wrap(u32::MAX) {
            self.b.ins().ineg(s)
        } else if factor.is_power_of_two() {
            self.b.ins().ishl_imm_u(s, factor.trailing_zeros() as i64)
        } else {
            let f = self.cell_const(factor);
            self.b.ins().imul(s, f)
        }
    }

    /// `p += delta`.
    pub(super) fn move_by(&mut self, delta: i32) {
        self.cursor.move_by(delta);
    }

    /// Output `p[offset]` through the `put` shim.
    pub(super) fn output(&mut self, offset: i32) {
        let v = self.load(offset);
        let v = self.widen(v);
        let status = self.call_direct(self.shims.put, &[self.rt, v]);
        self.fail_if_nonzero(status);
    }

    /// Input into `p[offset]` through the `get` shim.
    pub(super) fn input(&mut self, offset: i32) {
        let old = self.load(offset);
        let old = self.widen(old);
        let r = self.call_direct(self.shims.get, &[self.rt, old]);
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.fail_if_nonzero(negative);
        let v = self.b.ins().ireduce(self.cell, r);
        self.store(offset, v);
    }

    /// A constant of the cell type (reduced to the cell width).
    pub(super) fn cell_const(&mut self, v: u32) -> Value {
        let v = self.program.cell.wrap(v);
        self.b.ins().iconst(self.cell, v as i64)
    }

    /// A cell value zero-extended to i32, as the shims take it.
    pub(super) fn widen(&mut self, v: Value) -> Value {
        if self.cell == types::I32 {
            v
        } else {
            self.b.ins().uextend(types::I32, v)
        }
    }
}

/// For each `set` of a run whose cell is next touched by a multiply-add
/// into it from another cell, with no I/O in between: the set's index →
/// the multiply-add's. One pass, with the sets not yet touched by cell.
fn set_then_muladd(ops: &[Node]) -> HashMap<usize, usize> {
    let mut folds = HashMap::new();
    // Cell (offset from the run's start pointer) → its untouched set.
    let mut open: HashMap<i64, usize> = HashMap::new();
    let mut at = 0i64;
    for (i, node) in ops.iter().enumerate() {
        match node.op {
            Op::Move { delta } => at += delta as i64,
            Op::Output { .. } | Op::Input { .. } => open.clear(),
            Op::MulAdd { src, dst, .. } if src != dst => {
                open.remove(&(at + src as i64));
                if let Some(set) = open.remove(&(at + dst as i64)) {
                    folds.insert(set, i);
                }
            }
            Op::Set { offset, .. } => {
                open.insert(at + offset as i64, i);
            }
            _ => {
                if let Some(cells) = node.op.cell_offsets() {
                    cells.for_each(|c| {
                        open.remove(&(at + c as i64));
                    });
                }
            }
        }
    }
    folds
}
