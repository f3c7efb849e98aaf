//! Straight-line ops: cell arithmetic, moves, input and output.

use super::Translator;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, SourceLoc, Value};
use ir_passes::ir::{Node, Op};

impl<'p> Translator<'_, 'p, '_> {
    /// A straight-line op.
    pub(super) fn straight(&mut self, node: &Node) {
        // Source locations let `inspect --emit asm` group code by IR op.
        self.b.set_srcloc(SourceLoc::new(node.span.start));
        self.emitted += 1;
        match node.op {
            Op::Add { offset, delta } => self.add(offset, delta),
            Op::Set { offset, value } => self.set(offset, value),
            Op::MulAdd { src, dst, factor } => self.mul_add(src, dst, factor),
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

    /// `p[dst] += p[src] * factor`.
    pub(super) fn mul_add(&mut self, src: i32, dst: i32, factor: u32) {
        let s = self.load(src);
        let d = self.load(dst);
        let factor = self.program.cell.wrap(factor);
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
