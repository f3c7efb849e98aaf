//! `Scan`: memchr/memrchr through a shim for stride ±1 on 8-bit cells,
//! otherwise an inline loop, unrolled where the tape allows.

use super::cursor::Entry;
use super::Translator;
use crate::jit::JitMode;
use cranelift_codegen::ir::{types, Block, InstBuilder};
use ir_passes::guard::{inner_span, is_exact, scan_window};
use ir_passes::span::Span;

/// How many steps of an inline scan run behind one bounds compare (see
/// `Translator::scan_steps`).
const SCAN_UNROLL: i32 = 4;

impl<'p> Translator<'_, 'p, '_> {
    /// `while p[0] != 0 { p += stride }`, each step checked against the scan
    /// loop source's excursion (as the bytecode tier does); where a step
    /// could leave the tape, the scan loop's source runs on the reference
    /// interpreter from there. Stride ±1 on 8-bit cells uses memchr/memrchr
    /// in a shim; other scans are an inline loop.
    pub(super) fn scan(&mut self, span: Span, stride: i32) {
        let text = self.program.source.slice(inner_span(span));
        let (lo, hi) = scan_window(&self.program.source, span, stride);
        let step = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, step, exit);
        self.switch_to(step, Entry::Merge);
        if self.cell == types::I8 && stride.abs() == 1 && self.mode == JitMode::Opt {
            // Reached only from the zero test.
            self.b.seal_block(step);
            let p = self.ptr_value();
            let index = self.span_index(span);
            let args =
                [stride, index as i32, lo, hi].map(|x| self.b.ins().iconst(types::I32, x as i64));
            let r = self.call_direct(
                self.shims.scan_u8,
                &[self.rt, p, args[0], args[1], args[2], args[3]],
            );
            self.set_ptr_checked(r);
            self.jump(exit);
            // Sealed at the end: the fallback dispatch may also lead here.
            self.switch_to(exit, Entry::Merge);
            return;
        }
        // The loads' displacements must fit, with room to spare.
        let span_bytes = (stride.unsigned_abs() as u64 * SCAN_UNROLL as u64) << self.shift;
        if self.mode == JitMode::Opt && span_bytes < 1 << 30 {
            // Four steps behind one compare while all stay on the tape;
            // single checked steps near the ends.
            let ahead = stride as i64 * (SCAN_UNROLL - 1) as i64;
            let clamp = |x: i64| x.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
            let lo4 = clamp((lo as i64).min(lo as i64 + ahead));
            let hi4 = clamp((hi as i64).max(hi as i64 + ahead));
            let (unrolled, single) = (self.b.create_block(), self.b.create_block());
            let p = self.ptr_value();
            self.branch_if_off_tape(p, lo4, hi4, single, unrolled);
            // Only that guard leads to either.
            self.b.seal_block(unrolled);
            self.b.seal_block(single);
            self.switch_to(unrolled, Entry::Continue);
            self.scan_steps(stride, SCAN_UNROLL, step, exit);
            self.switch_to(single, Entry::Merge);
        }
        // A step is taken only on a nonzero cell, so its body runs.
        let resume = (!is_exact(text, lo, hi)).then_some(exit);
        self.check_or_fall_back(lo, hi, span, resume);
        self.scan_steps(stride, 1, step, exit);
        // From the first test and the loop tests.
        self.b.seal_block(step);
        // Sealed at the end: the fallback dispatch may also lead here.
        self.switch_to(exit, Entry::Merge);
        // Only the index stepped (see `scan_steps`).
        self.cursor.sync_address(&mut self.b);
    }

    /// `count` steps of an inline scan, checked by the caller, each to
    /// `exit` if it lands on a zero cell, then back to `again`. Only the
    /// index Variable steps, once for all `count` steps, the loads going
    /// through `tape + index`; each early exit sets it on its own edge, and
    /// the caller recomputes the address at `exit`. dbfi, selfint and awib
    /// spend half their time or more in scans like `[>>]` and `[<<<]`,
    /// where `cc`'s loop takes five instructions a step; this takes six for
    /// one step, under four a step for four.
    pub(super) fn scan_steps(&mut self, stride: i32, count: i32, again: Block, exit: Block) {
        let p = self.ptr_value();
        for n in 1..=count {
            let offset = stride as i64 * n as i64;
            let c = self.load_at_index(p, offset);
            if n == count {
                // After the load, so that the old index dies here and the
                // two share a register (as in `flush_moves`).
                let moved = self.b.ins().iadd_imm_s(p, offset);
                self.cursor.step_index(&mut self.b, moved);
                self.b.ins().brif(c, again, &[], exit, &[]);
                return;
            }
            let next = self.b.create_block();
            let found = self.b.create_block();
            // Laid out at the end, so the steps fall through to each other.
            self.b.set_cold_block(found);
            self.b.ins().brif(c, next, &[], found, &[]);
            // Both are reached only from the branch just emitted.
            self.b.seal_block(next);
            self.b.seal_block(found);
            self.switch_to(found, Entry::Continue);
            // Computed on the exit edge, off the hot path (Cranelift's
            // optimizer would sink it there; code compiled without it
            // keeps it where it is written).
            let moved = self.b.ins().iadd_imm_s(p, offset);
            self.cursor.step_index(&mut self.b, moved);
            self.b.ins().jump(exit, &[]);
            self.switch_to(next, Entry::Continue);
        }
    }
}
