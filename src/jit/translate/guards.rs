//! Segment guards (see `ir_passes::guard`): the check that a window of
//! cells is on the tape, and the one fallback path per function that runs a
//! failing guard's source on the reference interpreter and resumes after it.

use super::cursor::Entry;
use super::Translator;
use crate::jit::JitMode;
use crate::runtime::shims::Runtime;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, Block, BlockCall, InstBuilder, JumpTableData, SourceLoc, Value,
};
use ir_passes::guard::Segment;
use ir_passes::ir::Node;
use ir_passes::span::Span;

impl<'p> Translator<'_, 'p, '_> {
    /// Translates segment `k` of `segs` (a body's), behind its guard when it
    /// needs one. In the opt tier, an exact guard also covers the segments
    /// after it that only static loops and ifs separate from it
    /// ([`Shapes::chain`](crate::jit::shape::Shapes::chain)): they then
    /// find their windows proven and have none of their own.
    pub(super) fn segment(&mut self, body: &'p [Node], segs: &[Segment], k: usize, guarded: bool) {
        let seg = &segs[k];
        let ops = &body[seg.ops.clone()];
        if !guarded || !seg.needs_guard() || self.cursor.proves(seg.lo as i64, seg.hi as i64) {
            return self.straight_run(ops);
        }
        let chain = match self.mode {
            JitMode::Opt => self.tables.shapes.chain(body, segs, k),
            JitMode::Simple => None,
        };
        if let Some((lo, hi, end)) = chain {
            let span = Span::new(seg.gap.start, segs[end].gap.end);
            self.b.set_srcloc(SourceLoc::new(span.start));
            self.check_or_fall_back(lo, hi, span, None);
            // Valid until the pointer moves by an amount not known here
            // (see `Translator::control`).
            self.cursor.prove(lo as i64, hi as i64);
            return self.straight_run(ops);
        }
        self.guarded(seg.lo, seg.hi, seg.gap, seg.exact, |t| t.straight_run(ops));
    }

    /// Emits `inner` behind a guard that `p+lo ..= p+hi` is on the tape; if
    /// it is not, the source range `span` (equivalent to `inner`) runs on the
    /// reference interpreter instead. `exact`: the source visits every cell
    /// of the window for certain, so a failing guard is always an error.
    pub(super) fn guarded(
        &mut self,
        lo: i32,
        hi: i32,
        span: Span,
        exact: bool,
        inner: impl FnOnce(&mut Self),
    ) {
        // The guard's code is attributed to the start of the source it checks.
        self.b.set_srcloc(SourceLoc::new(span.start));
        if lo >= 0 && hi <= 0 {
            // Only the current cell, which is always on the tape.
            return inner(self);
        }
        if exact {
            self.check_or_fall_back(lo, hi, span, None);
            return inner(self);
        }
        let after = self.b.create_block();
        self.check_or_fall_back(lo, hi, span, Some(after));
        inner(self);
        self.jump(after);
        // Sealed at the end: the fallback dispatch also leads here.
        self.switch_to(after, Entry::Merge);
    }

    /// Emits the check that `p+lo ..= p+hi` is on the tape, with a cold path
    /// that runs the source `span` on the reference interpreter and then
    /// continues at `resume` — or, for an exact guard (`None`: the source
    /// certainly leaves the tape), only reports the error. Leaves the builder
    /// in the block where the check passed.
    pub(super) fn check_or_fall_back(
        &mut self,
        lo: i32,
        hi: i32,
        span: Span,
        resume: Option<Block>,
    ) {
        let ok = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let p = self.ptr_value();
        self.branch_if_off_tape(p, lo, hi, slow, ok);
        // The check's branch is the only predecessor of `ok`; `slow` gets
        // its jump to the dispatch at the end of the function.
        self.b.seal_block(ok);
        self.b.seal_block(slow);
        self.resumes.push((slow, span, resume));
        // A continuation of the same path: what is known of the cell stays.
        self.switch_to(ok, Entry::Continue);
    }

    /// The one fallback path of the function, shared by all its guards (a
    /// call and a merge per guard were about 40% of mandelbrot's compile
    /// time): each failing guard jumps here with its number; the fallback
    /// shim runs that guard's source, then a branch table resumes after
    /// the guard. Exact guards have no way back (their entry leads to the
    /// failure exit, which a fallback that did not fail reaches as an
    /// internal error), so their code needs no merge after the guard.
    /// Resume blocks stay unsealed until this is emitted.
    ///
    /// The branch table has an entry per guard that resumes and no other:
    /// an exact guard's number is its span's, counted from the function's
    /// first (0, 1, …), a resuming guard's is `!slot` (negative), its slot
    /// in the table, and the spans of the resuming guards follow those of
    /// the exact ones. Cranelift splits every edge of a branch table whose
    /// target has other predecessors, one block per entry: a table with
    /// an entry per span, most of them leading to the failure exit, gave
    /// mandelbrot ~700 blocks that only jump.
    pub(super) fn fallback_dispatch(&mut self) {
        let resumes = std::mem::take(&mut self.resumes);
        if resumes.is_empty() {
            return;
        }
        let dispatch = self.b.create_block();
        self.b.set_cold_block(dispatch);
        let first = self.tables.spans.len() as i64;
        let exact = resumes.iter().filter(|r| r.2.is_none()).count() as i64;
        let (mut exact_n, mut slots) = (0, Vec::new());
        let flags = self.context_flags();
        for &(slow, span, resume) in &resumes {
            self.switch_to(slow, Entry::Merge);
            // Attributed to the guard, like its check.
            self.b.set_srcloc(SourceLoc::new(span.start));
            let number = match resume {
                None => {
                    exact_n += 1;
                    exact_n - 1
                }
                Some(block) => {
                    slots.push((span, block));
                    !(slots.len() as i64 - 1)
                }
            };
            // Through the context rather than as arguments of the dispatch
            // block: hundreds of edges bringing values into one block cost
            // the register allocator 1.7 of its 10 ms on mandelbrot.
            let n = self.b.ins().iconst(types::I32, number);
            self.b.ins().store(flags, n, self.rt, Runtime::GUARD_OFFSET);
            let p = self.ptr_value();
            self.b
                .ins()
                .store(flags, p, self.rt, Runtime::GUARD_PTR_OFFSET);
            self.jump(dispatch);
        }
        // The spans in the order of their numbers.
        for &(_, span, resume) in &resumes {
            if resume.is_none() {
                self.span_index(span);
            }
        }
        for &(span, _) in &slots {
            self.span_index(span);
        }
        self.b.seal_block(dispatch);
        self.switch_to(dispatch, Entry::Merge);
        self.b.set_srcloc(SourceLoc::default());
        let number = self
            .b
            .ins()
            .load(types::I32, flags, self.rt, Runtime::GUARD_OFFSET);
        let p = self
            .b
            .ins()
            .load(types::I64, flags, self.rt, Runtime::GUARD_PTR_OFFSET);
        // span = first + number for an exact guard, first + exact + slot
        // for a resuming one.
        let span = if slots.is_empty() {
            self.b.ins().iadd_imm_s(number, first)
        } else if exact == 0 {
            let slot = self.b.ins().bnot(number);
            self.b.ins().iadd_imm_s(slot, first)
        } else {
            let resuming = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, number, 0);
            let slot = self.b.ins().bnot(number);
            let slot = self.b.ins().iadd_imm_s(slot, first + exact);
            let exact = self.b.ins().iadd_imm_s(number, first);
            self.b.ins().select(resuming, slot, exact)
        };
        let r = self.call_shim(self.shims.fallback, &[self.rt, span, p]);
        if slots.is_empty() {
            // Only exact guards: every fallback ends in an error.
            self.jump(self.fail);
            return;
        }
        let resume = self.b.create_block();
        let failed = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        self.brif(failed, self.fail, resume);
        self.b.seal_block(resume);
        self.switch_to(resume, Entry::Merge);
        self.set_ptr(r);
        // An exact guard's number, as unsigned after `!`, is past the
        // table: its (internal-error) return takes the default, the
        // failure exit.
        let slot = self.b.ins().bnot(number);
        let calls: Vec<BlockCall> = slots
            .iter()
            .map(|&(_, block)| self.b.func.dfg.block_call(block, &[]))
            .collect();
        let default = self.b.func.dfg.block_call(self.fail, &[]);
        let jt = self
            .b
            .create_jump_table(JumpTableData::new(default, &calls));
        self.b.ins().br_table(slot, jt);
    }

    /// Branches to `off` when some cell of `p+lo ..= p+hi` is off the tape
    /// (`lo <= 0 <= hi`), else to `on`: one compare with an immediate, since
    /// the length is a constant. One side: `p < -lo`, or `p >= len - hi`.
    /// Both: `p + lo`, as unsigned (a negative one wraps to a huge value),
    /// above `len - 1 - (hi - lo)`.
    pub(super) fn branch_if_off_tape(&mut self, p: Value, lo: i32, hi: i32, off: Block, on: Block) {
        // The compares below rely on it: every window holds the current cell.
        debug_assert!(lo <= 0 && 0 <= hi, "guard window [{lo}, {hi}]");
        let (lo, hi) = (lo as i64, hi as i64);
        if hi - lo >= self.len {
            // Wider than the tape: no pointer passes.
            self.jump(off);
            return;
        }
        let outside = match (lo < 0, hi > 0) {
            (true, false) => self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, p, -lo),
            (false, true) => {
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, p, self.len - hi)
            }
            _ => {
                let first = self.b.ins().iadd_imm_s(p, lo);
                let last_start = self.len - 1 - (hi - lo);
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThan, first, last_start)
            }
        };
        self.brif(outside, off, on);
    }

    /// The index of `span` in the fallback table (the fallback shim's argument).
    pub(super) fn span_index(&mut self, span: Span) -> u32 {
        self.tables.spans.push(span);
        (self.tables.spans.len() - 1) as u32
    }
}
