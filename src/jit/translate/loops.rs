//! Loops and ifs: top-tested (simple tier) or rotated (opt tier), hoisted
//! guards for loops of static shape (see `crate::jit::shape`), loops whose
//! cells live in registers, and the back edges that count fuel.

use super::cursor::Entry;
use super::Translator;
use crate::jit::JitMode;
use crate::runtime::shims::Runtime;
use cranelift_codegen::ir::{types, Block, InstBuilder, SourceLoc, Value};
use cranelift_frontend::Variable;
use ir_passes::budget::Budget;
use ir_passes::guard::{inner_span, is_exact, segments, Segment};
use ir_passes::ir::{Node, Op};
use ir_passes::span::Span;
use std::collections::BTreeMap;

impl<'p> Translator<'_, 'p, '_> {
    /// A control op.
    pub(super) fn control(&mut self, node: &'p Node) {
        self.b.set_srcloc(SourceLoc::new(node.span.start));
        self.emitted += 1;
        match &node.op {
            Op::Loop { body } | Op::If { body } => {
                // Also inside a loop with a hoisted guard: that guard covers
                // only the loop's own segments.
                let hoisted = match self.mode {
                    JitMode::Opt => self.tables.shapes.hoisted_guard(node, &self.program.source),
                    _ => None,
                };
                match hoisted {
                    Some((lo, hi)) => self.hoisted(node, body, lo, hi),
                    None => {
                        // Its iterations start at different pointers, and
                        // it leaves the pointer anywhere: a proof relative
                        // to the pointer here holds neither inside nor after.
                        self.cursor.end_proof(None);
                        self.block(node, body, true, false);
                        self.cursor.end_proof(None);
                    }
                }
            }
            Op::Scan { stride } => {
                self.cursor.end_proof(None);
                self.scan(node.span, *stride);
            }
            _ => unreachable!("straight-line op as a control op"),
        }
    }

    /// A `Loop` or `If` node; `nonzero` when `p[0] != 0` is already known.
    pub(super) fn block(&mut self, node: &'p Node, body: &'p [Node], guarded: bool, nonzero: bool) {
        let inner = inner_span(node.span);
        match (&node.op, self.mode) {
            (Op::If { .. }, _) if nonzero => self.body(body, inner, guarded),
            (Op::If { .. }, _) => self.if_(body, inner, guarded),
            (_, JitMode::Simple) => self.loop_top_tested(body, inner, guarded),
            (_, JitMode::Opt) => self.loop_rotated(body, inner, guarded, nonzero),
        }
    }

    /// A loop (or if) of static shape: when it is about to run (`p[0] != 0`;
    /// a loop that does not run touches nothing), one guard covers all its
    /// iterations, and its insides run unguarded. When the guard fails, the
    /// whole loop's source runs on the reference interpreter.
    pub(super) fn hoisted(&mut self, node: &'p Node, body: &'p [Node], lo: i32, hi: i32) {
        let run = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, run, exit);
        // Entered only from the test: what is known of the cells stays.
        self.b.seal_block(run);
        self.switch_to(run, Entry::Continue);
        let leaf_loop =
            matches!(node.op, Op::Loop { .. }) && body.iter().all(|n| !n.op.is_control());
        let inside = |t: &mut Self| match leaf_loop {
            true => t.promoted_loop(body),
            false => t.block(node, body, false, true),
        };
        let (lo, hi) = (lo as i64, hi as i64);
        if self.cursor.proves(lo, hi) {
            // An enclosing hoisted guard already proved every cell this one
            // would check (nested ifs of a static loop, typically).
            inside(self);
        } else {
            // The body runs at least once from here (`p[0] != 0`).
            let text = self.program.source.slice(inner_span(node.span));
            let exact = is_exact(text, lo as i32, hi as i32);
            self.guarded(lo as i32, hi as i32, node.span, exact, |t| {
                let outer = t.cursor.prove(lo, hi);
                inside(t);
                t.cursor.end_proof(outer);
            });
        }
        self.jump(exit);
        // From the test and the end of the guarded region.
        self.b.seal_block(exit);
        self.switch_to(exit, Entry::Merge);
    }

    /// A guarded, static loop without nested control ops, entered with
    /// `p[0] != 0`: every cell it touches is at a fixed offset from its entry
    /// pointer for its whole run, so each lives in a Variable (a register)
    /// from entry to exit instead of going through memory every iteration.
    /// Cranelift keeps tape values in registers only within a block; this
    /// removes the store-to-load chain through memory that otherwise links
    /// one iteration to the next.
    pub(super) fn promoted_loop(&mut self, body: &'p [Node]) {
        let mut cells = BTreeMap::new();
        let mut at = 0i64;
        let mut touch = |off: i64| {
            cells.entry(off).or_insert(());
        };
        touch(0);
        for node in body {
            if let Op::Move { delta } = node.op {
                at += delta as i64;
                continue;
            }
            let cells = node.op.cell_offsets().expect("control op in a leaf loop");
            cells.for_each(|offset| touch(at + offset as i64));
        }
        let cells: BTreeMap<i64, Variable> = cells
            .into_keys()
            .map(|off| {
                let var = self.b.declare_var(self.cell);
                let v = self.load(off as i32);
                self.b.def_var(var, v);
                (off, var)
            })
            .collect();
        self.cursor.promote(cells);
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        self.jump(inside);
        self.switch_to(inside, Entry::Merge);
        body.iter().for_each(|n| self.straight(n));
        let c = self.load(0);
        self.bottom_test(c, inside, exit);
        // From the entry jump and the back edge(s); the exit from the test.
        self.b.seal_block(inside);
        self.b.seal_block(exit);
        self.switch_to(exit, Entry::Merge);
        self.write_back();
        self.cursor.end_promotion();
    }

    /// Stores the Variables of a promoted loop to their cells.
    pub(super) fn write_back(&mut self) {
        let Some(promotion) = self.cursor.suspend_promotion() else {
            return;
        };
        for (offset, var) in promotion.cells() {
            let v = self.b.use_var(var);
            self.store(offset, v);
        }
        self.cursor.resume_promotion(promotion);
    }

    /// `while p[0] != 0 { body }` as a template JIT emits it: the test at the
    /// head, an unconditional jump back.
    pub(super) fn loop_top_tested(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let head = self.b.create_block();
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        self.jump(head);
        self.switch_to(head, Entry::Merge);
        let c = self.load(0);
        self.brif(c, inside, exit);
        // Entered only from the head's test.
        self.b.seal_block(inside);
        self.switch_to(inside, Entry::Merge);
        self.body(body, range, guarded);
        self.back_edge(head);
        // The head's predecessors are the entry jump and the back edge(s).
        self.b.seal_block(head);
        // The exit's only predecessor is the head's test.
        self.b.seal_block(exit);
        self.switch_to(exit, Entry::Merge);
    }

    /// `while p[0] != 0 { body }` rotated: one test before the loop, the
    /// repeated test at the bottom, so each iteration takes one branch.
    pub(super) fn loop_rotated(
        &mut self,
        body: &'p [Node],
        range: Span,
        guarded: bool,
        nonzero: bool,
    ) {
        if guarded && !body.iter().any(|n| n.op.is_control()) {
            let segs = segments(body, range, &self.program.source);
            if let [seg] = &segs[..] {
                if self.moving_loop(body, seg, nonzero) {
                    return;
                }
            }
        }
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        let tested = self.b.declare_var(self.cell);
        let c = self.load(0);
        self.b.def_var(tested, c);
        if nonzero {
            self.jump(inside);
        } else {
            self.brif(c, inside, exit);
        }
        // Both tests loaded the cell the body starts on.
        self.switch_to(inside, Entry::Tested(tested));
        self.body(body, range, guarded);
        let c = self.load(0);
        self.flush_moves();
        self.b.def_var(tested, c);
        self.bottom_test(c, inside, exit);
        // The body is entered from the top test (or jump) and the back
        // edge(s); the exit from the two tests (or the bottom one).
        self.b.seal_block(inside);
        self.b.seal_block(exit);
        self.switch_to(exit, Entry::Merge);
    }

    /// A rotated loop whose body is one segment that moves the pointer by
    /// `d != 0` each iteration, so its guard window `p+lo ..= p+hi` slides
    /// one way. The side it slides away from (`hi` for `d < 0`) holds for
    /// every iteration once it holds for one, so it is checked at the loop
    /// head only, and each iteration checks the side it slides towards: one
    /// compare with an immediate instead of an add and a compare
    /// (mandelbrot's hottest loop, `[>[->>>>>>>>>+<<<<<<<<<]<<<<<<<<<<]`).
    /// A failing check of either side runs that iteration's source on the
    /// reference interpreter, and (unless the guard is exact, so that the
    /// fallback always ends in the error) the loop goes on from its own
    /// test, which leads to the head's check again: the body is not
    /// duplicated. False, with nothing emitted, for other loops.
    pub(super) fn moving_loop(&mut self, body: &'p [Node], seg: &Segment, nonzero: bool) -> bool {
        let d: i64 = body
            .iter()
            .map(|n| match n.op {
                Op::Move { delta } => delta as i64,
                _ => 0,
            })
            .sum();
        // Only two-sided windows save anything.
        if d == 0 || seg.lo >= 0 || seg.hi <= 0 {
            return false;
        }
        let (head_window, step_window) = match d < 0 {
            true => ((0, seg.hi), (seg.lo, 0)),
            false => ((seg.lo, 0), (0, seg.hi)),
        };
        let head = self.b.create_block();
        let inside = self.b.create_block();
        let exit = self.b.create_block();
        let retest = (!seg.exact).then(|| self.b.create_block());
        let tested = self.b.declare_var(self.cell);
        let c = self.load(0);
        self.b.def_var(tested, c);
        if nonzero {
            self.jump(head);
        } else {
            self.brif(c, head, exit);
        }
        self.switch_to(head, Entry::Tested(tested));
        self.b.set_srcloc(SourceLoc::new(seg.gap.start));
        self.check_or_fall_back(head_window.0, head_window.1, seg.gap, retest);
        self.jump(inside);
        self.switch_to(inside, Entry::Tested(tested));
        self.b.set_srcloc(SourceLoc::new(seg.gap.start));
        self.check_or_fall_back(step_window.0, step_window.1, seg.gap, retest);
        self.straight_run(&body[seg.ops.clone()]);
        let c = self.load(0);
        self.flush_moves();
        self.b.def_var(tested, c);
        self.bottom_test(c, inside, exit);
        // The body: from the head and the back edge(s).
        self.b.seal_block(inside);
        if let Some(retest) = retest {
            // Where a fallback that finished the iteration goes on: the
            // loop's test, then the head's check (the window may still be
            // off the tape on the side it slides away from).
            self.switch_to(retest, Entry::Merge);
            let c = self.load(0);
            self.b.def_var(tested, c);
            self.brif(c, head, exit);
            // Sealed at the end: the fallback dispatch leads to `retest`,
            // and `retest` to `head` and `exit`.
        } else {
            self.b.seal_block(head);
            self.b.seal_block(exit);
        }
        self.switch_to(exit, Entry::Merge);
        true
    }

    /// The test at the bottom of a rotated loop: back to `inside` while
    /// `p[0] != 0`, else to `exit`. Without budget checks the test branches
    /// back itself: through a separate latch block, Cranelift's optimizer
    /// recomputed the moved pointer there (it rematerializes additions of
    /// constants in each block that uses them), and the back edge became a
    /// second jump (al-count-3's `[-<<]` ran 18% slower).
    pub(super) fn bottom_test(&mut self, c: Value, inside: Block, exit: Block) {
        if self.fuel.is_none() {
            self.brif(c, inside, exit);
            return;
        }
        let latch = self.b.create_block();
        self.brif(c, latch, exit);
        // Only the bottom test leads to the latch.
        self.b.seal_block(latch);
        self.switch_to(latch, Entry::Merge);
        self.back_edge(inside);
    }

    /// `if p[0] != 0 { body }`.
    pub(super) fn if_(&mut self, body: &'p [Node], range: Span, guarded: bool) {
        let then = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.load(0);
        self.brif(c, then, exit);
        // Entered only from the test: what is known of the cells stays.
        self.b.seal_block(then);
        self.switch_to(then, Entry::Continue);
        self.body(body, range, guarded);
        self.jump(exit);
        // From the test and the end of the body.
        self.b.seal_block(exit);
        self.switch_to(exit, Entry::Merge);
    }

    /// A loop's back edge to `target`. With limits enforced, it counts one
    /// unit of fuel, and every [`Budget::interval`] back edges asks the
    /// budget shim whether to go on.
    pub(super) fn back_edge(&mut self, target: Block) {
        let Some(fuel_var) = self.fuel else {
            self.jump(target);
            return;
        };
        let fuel = self.b.use_var(fuel_var);
        let fuel = self.b.ins().iadd_imm_s(fuel, -1);
        self.b.def_var(fuel_var, fuel);
        let check = self.b.create_block();
        self.b.set_cold_block(check);
        self.brif(fuel, target, check);
        // Only the branch just emitted reaches the check.
        self.b.seal_block(check);
        self.switch_to(check, Entry::Merge);
        // The tape is up to date whenever a shim runs.
        self.write_back();
        let status = self.call_shim(self.shims.budget, &[self.rt]);
        self.fail_if_nonzero(status);
        let full = self.b.ins().iconst(types::I32, Budget::interval() as i64);
        self.b.def_var(fuel_var, full);
        self.jump(target);
    }

    /// Reads the fuel counter from the runtime context into its Variable.
    pub(super) fn load_fuel(&mut self) {
        let Some(fuel) = self.fuel else { return };
        let flags = self.context_flags();
        let f = self
            .b
            .ins()
            .load(types::I32, flags, self.rt, Runtime::FUEL_OFFSET);
        self.b.def_var(fuel, f);
    }

    /// Writes the fuel counter back to the runtime context.
    pub(super) fn store_fuel(&mut self) {
        let Some(fuel) = self.fuel else { return };
        let f = self.b.use_var(fuel);
        let flags = self.context_flags();
        self.b.ins().store(flags, f, self.rt, Runtime::FUEL_OFFSET);
    }
}
